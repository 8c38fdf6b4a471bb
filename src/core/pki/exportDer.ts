/**
 * Dialogflow CX "custom CA" export. CX verifies the *webhook server's* certificate against the DER
 * certificates uploaded there (allowedCaCerts), so besides converting PEM to DER we check the server
 * certificate the way CX will: a SAN for the host, digitalSignature when keyUsage is present, serverAuth
 * when extendedKeyUsage is present, validity, and a chain up to the uploaded CA.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { readGivenCertificate, type CertFields } from './certInfo';
import { certificatesFromPem } from '../x509/pem';

function parse(d: Buffer, what: string): { x: X509Certificate; f: CertFields } {
  const { x509, fields } = readGivenCertificate(d, `${what} does not hold a readable certificate`);
  return { x: x509, f: fields };
}

function name(x: X509Certificate): string {
  return x.subject.split('\n').reverse().join(', ');
}

/** DER of the CA certificate for CX upload, plus every problem found with the server certificate (empty = fine). */
export function exportDer(o: { caCertPem: string; serverCertPem?: string; host?: string; now?: Date }): {
  der: Buffer;
  problems: string[];
  notes: string[];
} {
  const now = o.now ?? new Date();
  const [caDer, ...rest] = certificatesFromPem(o.caCertPem, 'The CA certificate file');
  const ca = parse(caDer, 'The CA certificate file');
  const problems: string[] = [];
  // A bundle (issuing CA, then its root) is common: the first certificate is the one exported, and that is said.
  const notes = rest.length
    ? [
        `The CA file holds ${rest.length + 1} certificates: exported the first, ${name(ca.x)}. To upload another, pass a file holding only that one.`,
      ]
    : [];
  if (new Date(ca.x.validTo) <= now) problems.push(`The CA certificate ${name(ca.x)} expired on ${ca.x.validTo}.`);
  const selfSigned = ca.f.subject.equals(ca.f.issuer);
  if (!ca.f.basicConstraints?.ca && !selfSigned) {
    problems.push(
      `${name(ca.x)} is neither a CA nor self-signed: upload the CA certificate that issued your server certificate.`,
    );
  }
  if (o.serverCertPem === undefined) {
    if (o.host !== undefined)
      problems.push('A host was given without a server certificate: pass --server-cert to check it.');
    return { der: Buffer.from(caDer), problems, notes };
  }
  const [leafDer, ...extra] = certificatesFromPem(o.serverCertPem, 'The server certificate file');
  const leaf = parse(leafDer, 'The server certificate file');
  const leafName = name(leaf.x);
  if (new Date(leaf.x.validTo) <= now)
    problems.push(`The server certificate ${leafName} expired on ${leaf.x.validTo}.`);
  if (new Date(leaf.x.validFrom) > now)
    problems.push(`The server certificate ${leafName} is not valid before ${leaf.x.validFrom}.`);
  if (leaf.f.subjectAltName === undefined) {
    problems.push(
      `The server certificate has no subjectAltName: Dialogflow ignores the CN, so add a SAN for the webhook host (e.g. mtls chain --san DNS:${o.host ?? 'your.host'}).`,
    );
  } else if (o.host !== undefined) {
    const ok = isIP(o.host)
      ? leaf.x.checkIP(o.host) !== undefined
      : leaf.x.checkHost(o.host, { subject: 'never' }) !== undefined;
    if (!ok)
      problems.push(
        `The server certificate's subjectAltName (${leaf.x.subjectAltName ?? 'none'}) does not cover ${o.host}: Dialogflow will reject it. Reissue it with --san DNS:${o.host}.`,
      );
  }
  const ku = leaf.f.keyUsage;
  if (ku && !ku.includes('digitalSignature'))
    problems.push(
      `The server certificate's keyUsage (${ku.join(', ')}) lacks digitalSignature, which TLS with ECDHE needs: reissue it.`,
    );
  const eku = leaf.f.extendedKeyUsage;
  if (eku && !eku.includes('serverAuth'))
    problems.push("The server certificate's extendedKeyUsage lacks serverAuth: it cannot identify a server.");
  if (leaf.f.basicConstraints?.ca)
    problems.push('The server certificate is a CA certificate (CA:true): use a leaf certificate on the server.');
  problems.push(...chainProblems(leafDer, leaf.x, extra, caDer, ca.x));
  return { der: Buffer.from(caDer), problems, notes };
}

/** Walks leaf → intermediates (from the server file) → the uploaded CA, checking names and signatures. */
function chainProblems(
  leafDer: Buffer,
  leaf: X509Certificate,
  extra: Buffer[],
  caDer: Buffer,
  ca: X509Certificate,
): string[] {
  if (leafDer.equals(caDer)) return []; // a self-signed server certificate uploaded as its own CA
  const pool = extra.map((d) => parse(d, 'The server certificate file').x);
  let current = leaf;
  const path: string[] = [];
  for (let depth = 0; depth <= pool.length; depth++) {
    if (current.checkIssued(ca)) {
      if (!current.verify(ca.publicKey))
        return [
          `${name(current)} names ${name(ca)} as issuer, but its signature does not verify with that CA's key: the CA file is not the one that signed it.`,
        ];
      return [];
    }
    const next = pool.find((p) => current.checkIssued(p) && current.verify(p.publicKey));
    if (!next) break;
    path.push(name(next));
    current = next;
  }
  return [
    `The server certificate does not chain to ${name(ca)}` +
      (path.length ? ` (followed ${path.join(' → ')})` : '') +
      `. Upload the CA that issued it (issuer: ${current.issuer.split('\n').reverse().join(', ')}), or include the intermediates in --server-cert and serve the full chain.`,
  ];
}
