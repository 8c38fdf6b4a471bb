// HAProxy in front of the webhook: it verifies the client certificate against the server's CA bundle and
// forwards the leaf as RFC 9440 `Client-Cert: :base64 DER:`.
import * as path from 'node:path';
import { shellQuote } from '../shellQuote';
import { edgeSecretHeader, headersToClear } from './headers';
import { edgeSourceOf, listenOf, originEnvFile, originEnvFor, originOf, quoted, startOriginLine } from './common';
import { edgeSecretEnv, type EdgeBundle, type EdgeOptions } from './types';

/** haproxy.cfg (foreground: `haproxy -db -f haproxy.cfg`), the crt file it needs, origin.env. */
export function haproxyEdge(o: EdgeOptions, serverChainAndKey: string): EdgeBundle {
  const origin = originOf(o);
  const source = edgeSourceOf(o, origin);
  const listen = listenOf(o);
  const crt = path.join(o.outDir, 'edge-crt-key.pem');
  const cfg = [
    '# HAProxy terminates TLS and mutual TLS for the webhook; the webhook runs with MTLS_EDGE=rfc9440 (origin.env).',
    '# Start: haproxy -db -f haproxy.cfg (foreground). Check: haproxy -c -f haproxy.cfg',
    'global',
    '  log stdout format raw local0 info',
    ...(o.secret !== undefined
      ? [`  # ${edgeSecretHeader} comes from the environment: start HAProxy with ${edgeSecretEnv} set (origin.env).`]
      : []),
    'defaults',
    '  mode http',
    '  log global',
    '  option httplog',
    '  timeout connect 5s',
    '  timeout client 30s',
    '  timeout server 30s',
    'frontend webhook_mtls',
    '  # Only clients whose certificate chains to the CA bundle the webhook itself trusts.',
    `  bind ${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port} ssl crt ${quoted(crt)} ca-file ${quoted(o.caPath)} verify required`,
    '  # Certificate headers: every name any edge format uses is removed, then the one RFC 9440 uses is set, so',
    '  # a client can neither add a second Client-Cert nor slip in a header of another format.',
    ...headersToClear([]).map((h) => `  http-request del-header ${h}`),
    '  http-request set-header Client-Cert ":%[ssl_c_der,base64]:"',
    '  # The intermediates the client sent (Dialogflow sends one), when it sent any. HAProxy gives them as one DER',
    '  # run: exactly RFC 9440 for one intermediate, which is the common case.',
    '  http-request set-header Client-Cert-Chain ":%[ssl_c_chain_der,base64]:" if { ssl_c_chain_der,length gt 0 }',
    ...(o.secret !== undefined ? [`  http-request set-header ${edgeSecretHeader} "\${${edgeSecretEnv}}"`] : []),
    '  default_backend webhook',
    'backend webhook',
    ...(source ? ['  # The webhook trusts certificate headers only from this address (MTLS_EDGE_TRUSTED).'] : []),
    `  server origin ${origin.hostPort}${source ? ` source ${source}` : ''}${origin.url.protocol === 'https:' ? ` ssl verify required ca-file ${quoted(o.caPath)}` : ''}`,
    '',
  ].join('\n');
  const env = originEnvFor(o, origin, source);
  return {
    kind: 'haproxy',
    format: 'rfc9440',
    files: [
      { name: 'haproxy.cfg', contents: cfg },
      // HAProxy reads the server's certificate chain and key from one file: a private key, so 0600.
      { name: 'edge-crt-key.pem', contents: serverChainAndKey, secret: true },
      originEnvFile(env, o.secret),
    ],
    originEnv: env,
    next: [
      startOriginLine(o),
      `(set -a; . ${shellQuote(path.join(o.outDir, 'origin.env'))}; set +a; haproxy -c -f ${shellQuote(path.join(o.outDir, 'haproxy.cfg'))} && haproxy -db -f ${shellQuote(path.join(o.outDir, 'haproxy.cfg'))})`,
    ],
    notes: [
      'HAProxy forwards the intermediates a client sends in Client-Cert-Chain as one DER run: right for one intermediate (Dialogflow); with two or more, add them to the CA bundle the webhook reads instead.',
      ...(source
        ? []
        : [
            'HAProxy connects from an address the webhook cannot tell apart: set MTLS_EDGE_TRUSTED to it, or use --secret-env.',
          ]),
    ],
  };
}
