/** Problems worth telling a person about, per certificate: validity, trust path, weak crypto, and mTLS usage. */
import type { ChainLink, DecodedCertificate, Problem, ProblemCode } from './types';

const day = (iso: string) => iso.slice(0, 10);

/** Lists problems for one certificate; `inSet` says whether other certificates came with it (chain checks only apply then). */
export function certificateProblems(
  c: DecodedCertificate,
  item: number,
  link: ChainLink | undefined,
  inSet: boolean,
  expiryWarningDays: number,
): Problem[] {
  const out: Problem[] = [];
  const add = (severity: Problem['severity'], code: ProblemCode, message: string) =>
    out.push({ severity, code, message, item });
  const who = c.subject.text || '(empty subject)';
  if (c.validity === 'expired')
    add('error', 'expired', `${who}: expired on ${day(c.notAfter)} (${-c.daysLeft} days ago)`);
  else if (c.validity === 'not-yet-valid') add('error', 'not-yet-valid', `${who}: not valid until ${day(c.notBefore)}`);
  else if (c.daysLeft < expiryWarningDays)
    add('warning', 'expiring', `${who}: expires on ${day(c.notAfter)} (in ${c.daysLeft} days)`);
  if (c.selfSigned && !c.isCa)
    add(
      'warning',
      'self-signed-leaf',
      `${who}: self-signed leaf certificate — peers must trust this exact certificate`,
    );
  if (link?.unchecked) {
    add(
      'warning',
      'signature-not-checked',
      `${who}: signature not checked — the file holds more signatures than the decoder checks per file, so its issuer${c.selfIssued ? ' (itself)' : ''} is unknown`,
    );
  } else if (link && link.issuer !== null && link.issuer !== item && !link.verified) {
    add(
      'error',
      'broken-chain',
      `${who}: its issuer is in the file but the signature does not verify with the issuer's key`,
    );
  } else if (link && link.issuer === null && inSet && !c.selfSigned) {
    // An intermediate whose root is absent is what a server or client should send (the peer holds the
    // root): informational. A leaf whose issuer is absent from a multi-certificate file is a real gap.
    if (c.isCa)
      add(
        'info',
        'missing-issuer',
        `${who}: its issuer (${c.issuer.text}) is not in this file — normal for a chain a peer sends, as long as the other side trusts that root`,
      );
    else add('warning', 'missing-issuer', `${who}: its issuer (${c.issuer.text}) is not in this file`);
  }
  // RFC 5280 4.1.2.2 requires a positive serial; Go's crypto/x509 (1.23 and later) refuses to parse any other.
  if (c.serial.startsWith('-'))
    add(
      'warning',
      'negative-serial',
      `${who}: negative serial number ${c.serial} — RFC 5280 requires a positive one and strict TLS stacks (Go 1.23+) refuse the certificate; reissue it with a positive serial`,
    );
  if (c.selfIssued && !c.selfSigned && link?.issuer === null)
    add(
      'warning',
      'bad-self-signature',
      `${who}: issuer and subject are the same, but its own key does not verify its signature and no other issuer of that name is in the file`,
    );
  for (const e of c.extensions) {
    if (e.error !== undefined)
      add(
        e.critical ? 'error' : 'warning',
        'extension-not-decoded',
        `${who}: its ${e.critical ? 'critical ' : ''}${e.name} extension could not be decoded (${e.error})`,
      );
  }
  const hash = c.signatureAlgorithm.hash;
  if (hash === 'sha1' && !c.selfSigned)
    add(
      'warning',
      'sha1-signature',
      `${who}: signed with SHA-1 (${c.signatureAlgorithm.name}), which TLS clients reject`,
    );
  if (hash === 'md5') add('error', 'md5-signature', `${who}: signed with MD5, which is broken`);
  const pk = c.publicKey;
  if ((pk.algorithm === 'RSA' || pk.algorithm === 'RSA-PSS') && pk.bits !== undefined && pk.bits < 2048) {
    add('error', 'weak-rsa', `${who}: RSA key of ${pk.bits} bits (at least 2048 are needed)`);
  }
  if (c.role === 'leaf') {
    const eku = c.extendedKeyUsage;
    const hostSans = (c.subjectAltName ?? []).filter((g) => g.type === 'DNS' || g.type === 'IP');
    const any = !eku || eku.includes('anyExtendedKeyUsage');
    const server = eku?.includes('serverAuth') ?? false;
    const client = eku?.includes('clientAuth') ?? false;
    if (server && hostSans.length === 0)
      add(
        'error',
        'server-without-san',
        `${who}: server certificate without a DNS or IP subjectAltName — clients ignore the CN and will refuse it`,
      );
    if (!any && !server && hostSans.length > 0)
      add(
        'warning',
        'server-without-serverauth',
        `${who}: names hosts in its SAN but its extendedKeyUsage lacks serverAuth, so it cannot serve TLS`,
      );
    if (!any && !client && hostSans.length === 0 && !server)
      add(
        'warning',
        'client-without-clientauth',
        `${who}: its extendedKeyUsage lacks clientAuth, so servers will refuse it as a client certificate`,
      );
    if (c.keyUsage && !c.keyUsage.includes('digitalSignature') && (server || client || any)) {
      add(
        'warning',
        'no-digital-signature',
        `${who}: keyUsage lacks digitalSignature, which TLS handshakes with ECDHE need`,
      );
    }
  }
  return out;
}
