// Caddy in front of the webhook: it verifies the client certificate against the server's CA bundle and
// forwards the leaf as RFC 9440 `Client-Cert: :base64 DER:` ({http.request.tls.client.certificate_der_base64}).
import * as path from 'node:path';
import { MtlsError } from '../errors';
import { shellQuote } from '../shellQuote';
import { edgeSecretHeader, headersToClear } from './headers';
import { listenOf, originEnvFile, originEnvFor, originOf, quoted, startOriginLine, stateDirOf } from './common';
import { edgeSecretEnv, type EdgeBundle, type EdgeOptions } from './types';

/** The DER (base64) of every certificate in a PEM bundle. */
function caDers(pem: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new MtlsError('E_INPUT', 'The CA bundle holds no PEM certificate.');
  return blocks.map((b) => b.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''));
}

/** Caddyfile (`caddy run --config Caddyfile --adapter caddyfile`) and origin.env. */
export function caddyEdge(o: EdgeOptions): EdgeBundle {
  const origin = originOf(o);
  const listen = listenOf(o);
  const state = stateDirOf(o);
  const set = ['Client-Cert', ...(o.secret !== undefined ? [edgeSecretHeader] : [])];
  const file = [
    '# Caddy terminates TLS and mutual TLS for the webhook; the webhook runs with MTLS_EDGE=rfc9440 (origin.env).',
    '# Start: caddy run --config Caddyfile --adapter caddyfile. Check: caddy validate --config Caddyfile --adapter caddyfile',
    '{',
    '  admin off',
    '  auto_https off',
    `  storage file_system {\n    root ${quoted(state)}\n  }`,
    '}',
    `https://${o.host ?? ''}:${listen.port} {`,
    `  bind ${listen.host}`,
    `  tls ${quoted(o.certPath)} ${quoted(o.keyPath)} {`,
    '    # Only clients whose certificate chains to the CA bundle the webhook itself trusts. Caddy 2.6 reads one',
    `    # certificate per trusted_ca_cert_file, so each one of ${o.caPath} is here (base64 DER):`,
    '    # generate this file again when the bundle changes.',
    '    client_auth {',
    '      mode require_and_verify',
    ...caDers(o.caPem).map((der) => `      trusted_ca_cert ${der}`),
    '    }',
    '  }',
    `  reverse_proxy ${origin.url.protocol}//${origin.hostPort} {`,
    '    # Certificate headers: every name any edge format uses is removed, then Client-Cert is set (replacing',
    '    # any a client sent), so a client can neither add its own nor slip in a header of another format.',
    ...headersToClear(set).map((h) => `    header_up -${h}`),
    '    header_up Client-Cert ":{http.request.tls.client.certificate_der_base64}:"',
    ...(o.secret !== undefined ? [`    header_up ${edgeSecretHeader} {env.${edgeSecretEnv}}`] : []),
    '  }',
    '}',
    '',
  ]
    .join('\n')
    .replace(/^(?: {2})+/gm, (m) => '\t'.repeat(m.length / 2)); // tabs, as `caddy fmt` writes them
  // Caddy connects from an address of its host it does not let us choose: the webhook trusts the secret.
  const env = originEnvFor(o, origin, undefined);
  const caddyfile = path.join(o.outDir, 'Caddyfile');
  return {
    kind: 'caddy',
    format: 'rfc9440',
    files: [{ name: 'Caddyfile', contents: file }, originEnvFile(env, o.secret)],
    originEnv: env,
    next: [
      startOriginLine(o),
      `(set -a; . ${shellQuote(path.join(o.outDir, 'origin.env'))}; set +a; caddy validate --config ${shellQuote(caddyfile)} --adapter caddyfile && caddy run --config ${shellQuote(caddyfile)} --adapter caddyfile)`,
    ],
    notes: [
      ...(o.secret === undefined
        ? [
            'Caddy cannot choose the address it connects from: use --secret-env, or set MTLS_EDGE_TRUSTED to the address the webhook sees it connect from.',
          ]
        : []),
      'Caddy forwards only the leaf (Client-Cert); when clients send an intermediate, add it to the CA bundle the webhook reads.',
    ],
  };
}
