/** Summaries of the certificates a TLS peer presented. */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { CertSummary } from './types';

/** "CN=x, O=y" from Node's newline-separated form. */
export function oneLineName(name: string): string {
  return name.split('\n').filter((s) => s !== '').join(', ');
}

/** Subject, issuer, validity, SHA-256 and PEM of one certificate. */
function summarizeCertificate(x: X509Certificate): CertSummary {
  return {
    subject: oneLineName(x.subject),
    issuer: oneLineName(x.issuer),
    validFrom: new Date(x.validFrom).toISOString(),
    validTo: new Date(x.validTo).toISOString(),
    sha256: x.fingerprint256,
    pem: x.toString(),
  };
}

/** The server's chain, leaf first, following issuerCertificate links until they loop or end. */
export function peerChain(socket: TLSSocket): CertSummary[] {
  // getPeerX509Certificate is much cheaper than getPeerCertificate(true), which builds a detailed object
  // for every certificate: this runs once per connection, so it shows in the fresh-handshake benchmark.
  const out: CertSummary[] = [];
  const seen = new Set<string>();
  let c: X509Certificate | undefined = socket.getPeerX509Certificate();
  while (c && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    out.push(summarizeCertificate(c));
    c = c.issuerCertificate;
  }
  return out;
}
