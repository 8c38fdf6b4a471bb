/** Summaries of the certificates a TLS peer presented. */
import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { CertSummary } from './types';
import type { PresentedCertificate } from './handshakeTypes';

/** "CN=x, O=y" from Node's newline-separated form. */
export function oneLineName(name: string): string {
  return name
    .split('\n')
    .filter((s) => s !== '')
    .join(', ');
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

/** "EC P-256", "RSA 2048", "Ed25519": the key type as people name it. */
function keyTypeOf(x: X509Certificate): string {
  const k = x.publicKey;
  const d = k.asymmetricKeyDetails ?? {};
  if (k.asymmetricKeyType === 'rsa' || k.asymmetricKeyType === 'rsa-pss') return `RSA ${d.modulusLength ?? '?'}`;
  if (k.asymmetricKeyType === 'ec') return `EC ${curveNames[d.namedCurve ?? ''] ?? d.namedCurve ?? '?'}`;
  return k.asymmetricKeyType === 'ed25519'
    ? 'Ed25519'
    : k.asymmetricKeyType === 'ed448'
      ? 'Ed448'
      : String(k.asymmetricKeyType ?? '?');
}

const curveNames: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** What a peer can see of one certificate: names, key type, validity, SHA-256. */
function presentedCertificate(x: X509Certificate): PresentedCertificate {
  return {
    subject: oneLineName(x.subject),
    issuer: oneLineName(x.issuer),
    sha256: x.fingerprint256,
    keyType: keyTypeOf(x),
    validFrom: new Date(x.validFrom).toISOString(),
    validTo: new Date(x.validTo).toISOString(),
  };
}

/** Every certificate in a PEM text, in order (unparseable blocks are skipped: the TLS stack reports them). */
export function presentedChain(pem: string): PresentedCertificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.flatMap((b) => {
    try {
      return [presentedCertificate(new X509Certificate(b))];
    } catch {
      return [];
    }
  });
}

/**
 * The peer's chain as presented, leaf first (empty when nothing arrived yet). Safe DURING the handshake:
 * on Node 20 an early getPeerX509Certificate() leaves Node's own host-name check an empty certificate
 * (every name then "does not match"), so this reads the detailed object instead.
 */
export function peerPresented(socket: TLSSocket): PresentedCertificate[] {
  return presentedFrom(socket.getPeerCertificate(true));
}

/** The chain of a detailed certificate, read from its fields: parsing each DER again cost more than the rest of the timeline. */
function presentedFrom(detailed: DetailedPeerCertificate | undefined): PresentedCertificate[] {
  const out: PresentedCertificate[] = [];
  const seen = new Set<string>();
  for (let c = detailed; c?.raw && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    try {
      out.push(presentedFromDetailed(c));
    } catch {
      break;
    }
  }
  return out;
}

function presentedFromDetailed(c: DetailedPeerCertificate): PresentedCertificate {
  const curve = c.nistCurve ?? (c.asn1Curve ? (curveNames[c.asn1Curve] ?? c.asn1Curve) : undefined);
  // RSA and EC keys are in the detailed object; anything else (Ed25519, …) is read from the DER.
  const keyType =
    c.modulus !== undefined && c.bits ? `RSA ${c.bits}` : curve ? `EC ${curve}` : keyTypeOf(new X509Certificate(c.raw));
  return {
    subject: nameText(c.subject),
    issuer: nameText(c.issuer),
    sha256: c.fingerprint256,
    keyType,
    validFrom: new Date(c.valid_from).toISOString(),
    validTo: new Date(c.valid_to).toISOString(),
  };
}

/** "CN=x, O=y" from Node's object form of a name (repeated attributes are arrays). */
function nameText(name: Record<string, string | string[] | undefined> | undefined): string {
  return Object.entries(name ?? {})
    .flatMap(([k, v]) => (v === undefined ? [] : Array.isArray(v) ? v.map((x) => `${k}=${x}`) : [`${k}=${v}`]))
    .join(', ');
}
