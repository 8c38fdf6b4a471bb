// nginx in front of the webhook: it verifies the client certificate against the server's CA bundle and
// forwards it as X-SSL-Client-Cert ($ssl_client_escaped_cert, the URL-escaped PEM of the leaf).
import { shellQuote } from '../shellQuote';
import { edgeSecretHeader, headersToClear } from './headers';
import {
  edgeSourceOf,
  listenOf,
  originEnvFile,
  originEnvFor,
  originOf,
  quoted,
  startOriginLine,
  stateDirOf,
} from './common';
import type { EdgeBundle, EdgeOptions } from './types';

/** nginx.conf (standalone: `nginx -p DIR -c nginx.conf`), the secret include when asked, origin.env. */
export function nginxEdge(o: EdgeOptions): EdgeBundle {
  const origin = originOf(o);
  const source = edgeSourceOf(o, origin);
  const listen = listenOf(o);
  const state = stateDirOf(o);
  const sets: [string, string][] = [
    ['X-SSL-Client-Cert', '$ssl_client_escaped_cert'],
    ['X-SSL-Client-Verify', '$ssl_client_verify'],
  ];
  const clear = headersToClear([...sets.map(([h]) => h), ...(o.secret !== undefined ? [edgeSecretHeader] : [])]);
  const conf = [
    '# nginx terminates TLS and mutual TLS for the webhook; the webhook runs with MTLS_EDGE=nginx (origin.env).',
    '# Start: nginx -p THIS_FOLDER -c nginx.conf (foreground). Check: nginx -t -p THIS_FOLDER -c nginx.conf',
    ...(o.user ? [`user ${o.user};`] : []),
    'daemon off;',
    'worker_processes auto;',
    `pid ${quoted(`${state}/nginx.pid`)};`,
    `error_log ${quoted(`${state}/nginx-error.log`)} info;`,
    'events { worker_connections 1024; }',
    'http {',
    `  client_body_temp_path ${quoted(`${state}/tmp/body`)};`,
    `  proxy_temp_path ${quoted(`${state}/tmp/proxy`)};`,
    `  fastcgi_temp_path ${quoted(`${state}/tmp/fastcgi`)};`,
    `  uwsgi_temp_path ${quoted(`${state}/tmp/uwsgi`)};`,
    `  scgi_temp_path ${quoted(`${state}/tmp/scgi`)};`,
    `  access_log ${quoted(`${state}/nginx-access.log`)};`,
    '  upstream webhook {',
    `    server ${origin.hostPort};`,
    '    keepalive 16;',
    '  }',
    '  server {',
    `    listen ${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port} ssl;`,
    ...(o.host ? [`    server_name ${quoted(o.host)};`] : []),
    `    ssl_certificate ${quoted(o.certPath)};`,
    `    ssl_certificate_key ${quoted(o.keyPath)};`,
    '    # Only clients whose certificate chains to the CA bundle the webhook itself trusts; depth 2 lets a',
    '    # leaf + intermediate (what Dialogflow sends) through.',
    `    ssl_client_certificate ${quoted(o.caPath)};`,
    '    ssl_verify_client on;',
    '    ssl_verify_depth 2;',
    '    location / {',
    `      proxy_pass ${origin.url.protocol}//webhook;`,
    ...(origin.url.protocol === 'https:'
      ? [
          '      # An https origin (MTLS_EDGE_LISTEN=https) must show a certificate that chains to this bundle.',
          '      proxy_ssl_verify on;',
          `      proxy_ssl_trusted_certificate ${quoted(o.caPath)};`,
          `      proxy_ssl_name ${quoted(origin.loopback ? 'localhost' : origin.host)};`,
        ]
      : []),
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    '      proxy_set_header Host $host;',
    ...(source
      ? [
          '      # The webhook trusts certificate headers only from this address (MTLS_EDGE_TRUSTED).',
          `      proxy_bind ${source};`,
        ]
      : []),
    '      # Certificate headers: every name any edge format uses is overwritten, never appended to. A client',
    '      # that sends one gets it replaced (the two set here) or removed (an empty value drops the header).',
    ...sets.map(([h, v]) => `      proxy_set_header ${h} ${v};`),
    ...clear.map((h) => `      proxy_set_header ${h} "";`),
    ...(o.secret !== undefined
      ? ['      # X-Mtls-Edge-Secret, in a file only its owner can read (0600).', '      include edge-secret.conf;']
      : []),
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
  const env = originEnvFor(o, origin, source);
  const files = [
    { name: 'nginx.conf', contents: conf },
    ...(o.secret !== undefined
      ? [
          {
            name: 'edge-secret.conf',
            contents: `proxy_set_header ${edgeSecretHeader} ${quoted(o.secret)};\n`,
            secret: true,
          },
        ]
      : []),
    originEnvFile(env, o.secret),
  ];
  const prefix = shellQuote(`${o.outDir}/`);
  return {
    kind: 'nginx',
    format: 'nginx',
    files,
    originEnv: env,
    next: [
      startOriginLine(o),
      `mkdir -p ${shellQuote(`${state}/tmp`)} && nginx -t -p ${prefix} -c nginx.conf && nginx -p ${prefix} -c nginx.conf`,
    ],
    notes: [
      ...(source
        ? []
        : [
            `nginx connects from an address the webhook cannot tell apart: set MTLS_EDGE_TRUSTED to it, or use --secret-env.`,
          ]),
      'nginx forwards only the leaf certificate: when clients send an intermediate, add it to the CA bundle the webhook reads.',
    ],
  };
}
