/**
 * The same request as a curl or `openssl s_client` command line, so users can reproduce it outside the
 * tool. Secrets never appear inline: passphrases and Authorization values become $ENV references.
 */
import { isIP } from 'node:net';
import { platformHeaders } from '../http/webhookRequest';
import { detectPlatform } from '../webhook/index';
import type { SendOptions } from '../http/types';
import { curlCertFile, shellQuote } from '../shellQuote';

/** File paths and env-var names the command lines refer to (the in-memory PEMs have no path). */
export interface CommandFiles {
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  pfxFile?: string;
  /** A file holding the body (`--data-binary @file`); else the body goes inline. */
  bodyFile?: string;
  /** Env var holding the key / PKCS#12 passphrase. Default MTLS_KEY_PASSPHRASE. */
  passphraseEnv?: string;
  /** Env var holding the whole Authorization header value. Default MTLS_AUTHORIZATION. */
  authorizationEnv?: string;
}

function envRef(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`"${name}" is not an environment variable name`);
  return `"$${name}"`;
}

/** A curl command equivalent to `sendWebhook(o)`. */
export function toCurl(o: SendOptions & CommandFiles): string {
  const bodyText = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  const headers = platformHeaders(o.platform ?? detectPlatform(parsed), o.headers);
  const pass = o.passphraseEnv ?? 'MTLS_KEY_PASSPHRASE';
  const parts = ['curl', '-sS', '-X', 'POST'];
  if (o.pfxFile ?? o.pfx) {
    // curl splits --cert at its first unescaped ':' into file and password.
    const p12 = shellQuote(curlCertFile(o.pfxFile ?? 'client.p12'));
    parts.push('--cert-type', 'P12', '--cert', o.passphrase !== undefined ? `${p12}:${envRef(pass)}` : p12);
  } else if (o.certFile ?? o.certPem) {
    parts.push(
      '--cert',
      shellQuote(curlCertFile(o.certFile ?? 'client-fullchain.pem')),
      '--key',
      shellQuote(o.keyFile ?? 'client-key.pem'),
    );
    if (o.passphrase !== undefined) parts.push('--pass', envRef(pass));
  }
  if (o.caFile ?? o.caPem) parts.push('--cacert', shellQuote(o.caFile ?? 'ca-crt.pem'));
  if (o.insecure) parts.push('--insecure');
  if (o.timeoutMs) parts.push('--max-time', String(Math.max(1, Math.ceil(o.timeoutMs / 1000))));
  for (const [k, v] of Object.entries(headers)) {
    parts.push(
      '-H',
      /^(authorization|proxy-authorization)$/i.test(k)
        ? `"${k}: $${o.authorizationEnv ?? 'MTLS_AUTHORIZATION'}"`
        : shellQuote(`${k}: ${v}`),
    );
  }
  parts.push('--data-binary', o.bodyFile ? shellQuote(`@${o.bodyFile}`) : shellQuote(bodyText));
  parts.push(
    '-w',
    shellQuote(
      '\\nHTTP %{http_code}  connect %{time_connect}s  tls %{time_appconnect}s  ttfb %{time_starttransfer}s  total %{time_total}s\\n',
    ),
  );
  parts.push(shellQuote(o.url));
  return parts.join(' ');
}

/** An `openssl s_client` handshake check equivalent to the TLS part of `sendWebhook(o)`. */
export function toOpensslSClient(
  o: Pick<SendOptions, 'url' | 'certPem' | 'keyPem' | 'caPem' | 'passphrase' | 'pfx' | 'insecure'> & CommandFiles,
): string {
  const u = new URL(o.url);
  const port = u.port || '443';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const parts = ['openssl', 's_client', '-connect', shellQuote(`${host.includes(':') ? `[${host}]` : host}:${port}`)];
  // IP literals get no SNI (RFC 6066); a host name does.
  if (!/^[0-9.]+$/.test(host) && !host.includes(':')) parts.push('-servername', shellQuote(host));
  if (o.certFile ?? o.certPem) {
    const cert = shellQuote(o.certFile ?? 'client-fullchain.pem');
    // -cert sends only the leaf; -cert_chain adds the intermediates in the same file, as our client does.
    parts.push('-cert', cert, '-cert_chain', cert, '-key', shellQuote(o.keyFile ?? 'client-key.pem'));
    if (o.passphrase !== undefined) parts.push('-pass', `env:${o.passphraseEnv ?? 'MTLS_KEY_PASSPHRASE'}`);
  } else if (o.pfxFile ?? o.pfx) {
    parts.unshift(
      `# s_client cannot read PKCS#12 directly: openssl pkcs12 -in ${shellQuote(o.pfxFile ?? 'client.p12')} -nodes -out client.pem, then -cert/-key client.pem\n`,
    );
  }
  if (o.caFile ?? o.caPem) parts.push('-CAfile', shellQuote(o.caFile ?? 'ca-crt.pem'));
  if (!o.insecure) parts.push('-verify_return_error', isIP(host) ? '-verify_ip' : '-verify_hostname', shellQuote(host));
  parts.push('-showcerts', '-brief', '</dev/null');
  return parts.join(' ');
}
