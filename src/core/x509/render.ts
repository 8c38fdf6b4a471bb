/** Text renderings: a readable document for a whole file (like `openssl x509 -text`, but clearer) and a short hover. */
import { generalNameText } from './name';
import { inhibitAnyPolicyText, policyConstraintsText, sctCountText, sctText } from './extensionText';
import { OID } from '../asn1/oids';
import type {
  CertificateExtensions,
  DecodedCertificate,
  DecodedCsr,
  DecodedFile,
  DecodedItem,
  DecodedPrivateKey,
  Extension,
  ItemSource,
  PublicKeyInfo,
} from './types';

const day = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

/** "EC P-256", "RSA 2048 bits", "Ed25519". */
function keyText(k: Pick<PublicKeyInfo, 'algorithm' | 'bits' | 'curve'>): string {
  if (k.curve) return `${k.algorithm} ${k.curve}`;
  return k.bits ? `${k.algorithm} ${k.bits} bits` : k.algorithm;
}

function sourceText(s: ItemSource): string {
  if (s.format === 'pem') return `PEM block ${s.block}, line ${s.line}${s.label ? `, ${s.label}` : ''}`;
  if (s.format === 'pkcs12') return `PKCS#12 bag ${(s.index ?? 0) + 1}${s.friendlyName ? ` "${s.friendlyName}"` : ''}`;
  if (s.format === 'pkcs7') return `PKCS#7 certificate ${(s.index ?? 0) + 1}`;
  return 'DER';
}

function extensionLines(f: CertificateExtensions, exts: readonly Extension[]): string[] {
  const crit = (oid: string) => (exts.find((e) => e.oid === oid)?.critical ? ' (critical)' : '');
  const out: string[] = [];
  const row = (label: string, value: string, oid: string) =>
    out.push(`  ${(label + ':').padEnd(21)} ${value}${crit(oid)}`);
  if (f.subjectAltName)
    row('Subject alt names', f.subjectAltName.map(generalNameText).join(', ') || '(none)', OID.subjectAltName);
  if (f.keyUsage) row('Key usage', f.keyUsage.join(', '), OID.keyUsage);
  if (f.extendedKeyUsage) row('Extended key usage', f.extendedKeyUsage.join(', '), OID.extKeyUsage);
  if (f.basicConstraints)
    row(
      'Basic constraints',
      `CA:${f.basicConstraints.ca ? 'TRUE' : 'FALSE'}${f.basicConstraints.pathLength !== undefined ? `, pathlen:${f.basicConstraints.pathLength}` : ''}`,
      OID.basicConstraints,
    );
  if (f.subjectKeyIdentifier) row('Subject key id', f.subjectKeyIdentifier, OID.subjectKeyIdentifier);
  if (f.authorityKeyIdentifier) {
    const a = f.authorityKeyIdentifier;
    row(
      'Authority key id',
      [a.keyId, a.issuer && `issuer ${a.issuer.map(generalNameText).join(', ')}`, a.serial && `serial ${a.serial}`]
        .filter(Boolean)
        .join('; '),
      OID.authorityKeyIdentifier,
    );
  }
  if (f.authorityInfoAccess) {
    const a = f.authorityInfoAccess;
    row(
      'Authority info access',
      [...a.ocsp.map((u) => `OCSP ${u}`), ...a.caIssuers.map((u) => `CA Issuers ${u}`), ...a.other].join(', '),
      OID.authorityInfoAccess,
    );
  }
  if (f.crlDistributionPoints) row('CRL distribution', f.crlDistributionPoints.join(', '), OID.crlDistributionPoints);
  if (f.certificatePolicies) {
    row(
      'Certificate policies',
      f.certificatePolicies
        .map((p) => [p.oid, ...p.cps.map((c) => `CPS ${c}`), ...p.userNotices.map((n) => `"${n}"`)].join(' '))
        .join(', '),
      OID.certificatePolicies,
    );
  }
  if (f.nameConstraints) {
    const n = f.nameConstraints;
    row(
      'Name constraints',
      [
        n.permitted.length ? `permitted ${n.permitted.map(generalNameText).join(', ')}` : '',
        n.excluded.length ? `excluded ${n.excluded.map(generalNameText).join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
      OID.nameConstraints,
    );
  }
  if (f.policyConstraints) row('Policy constraints', policyConstraintsText(f.policyConstraints), OID.policyConstraints);
  if (f.inhibitAnyPolicy !== undefined)
    row('Inhibit anyPolicy', inhibitAnyPolicyText(f.inhibitAnyPolicy), OID.inhibitAnyPolicy);
  if (f.signedCertificateTimestamps) {
    const scts = f.signedCertificateTimestamps;
    row('CT timestamps (SCTs)', sctCountText(scts), OID.sctList);
    for (const t of scts) out.push(`    ${sctText(t)}`);
  }
  for (const e of exts) {
    if (e.valueHex !== undefined)
      out.push(
        `  ${(e.name + ':').padEnd(21)} ${e.error ? `(unreadable: ${e.error}) ` : ''}${e.valueHex.length > 96 ? e.valueHex.slice(0, 96) + '…' : e.valueHex}${e.critical ? ' (critical)' : ''}`,
      );
  }
  return out;
}

function certificateText(c: DecodedCertificate): string[] {
  const left =
    c.validity === 'expired'
      ? `EXPIRED ${-c.daysLeft} days ago`
      : c.validity === 'not-yet-valid'
        ? 'NOT YET VALID'
        : `${c.daysLeft} days left`;
  const sig = c.signatureAlgorithm;
  return [
    `  Subject:              ${c.subject.text || '(empty)'}`,
    `  Issuer:               ${c.issuer.text || '(empty)'}${c.selfSigned ? '  (self-signed)' : ''}`,
    `  Version:              ${c.version}`,
    `  Serial:               ${c.serial}`,
    `  Valid:                ${day(c.notBefore)} → ${day(c.notAfter)} (${left})`,
    `  Public key:           ${keyText(c.publicKey)}`,
    `  Signature:            ${sig.name}${sig.pss ? ` (${sig.pss.hash}, MGF1 ${sig.pss.mgf1Hash}, salt ${sig.pss.saltLength})` : ''}`,
    ...extensionLines(c, c.extensions),
    `  SHA-1 fingerprint:    ${c.fingerprints.sha1}`,
    `  SHA-256 fingerprint:  ${c.fingerprints.sha256}`,
  ];
}

function keyFactsText(k: DecodedPrivateKey): string[] {
  return [
    `  Type:                 ${k.encrypted && k.algorithm === 'unknown' ? 'encrypted (type visible once decrypted)' : keyText(k)}`,
    `  Format:               ${k.format}`,
    ...(k.encrypted ? [`  Encryption:           ${k.encryption ?? 'yes'}`] : []),
  ];
}

function csrText(c: DecodedCsr): string[] {
  return [
    `  Subject:              ${c.subject.text || '(empty)'}`,
    `  Public key:           ${keyText(c.publicKey)}`,
    `  Signature:            ${c.signatureAlgorithm.name} — ${c.signatureValid ? 'verified' : 'DOES NOT VERIFY'}`,
    ...extensionLines(c.requested, c.extensions),
  ];
}

function heading(it: DecodedItem, n: number): string {
  const kind =
    it.kind === 'certificate'
      ? `Certificate — ${it.role}${it.usage !== 'ca' && it.usage !== 'other' ? `, ${it.usage}` : ''}`
      : it.kind === 'privateKey'
        ? 'Private key'
        : it.kind === 'publicKey'
          ? 'Public key'
          : it.kind === 'csr'
            ? 'Certificate request'
            : 'Certificate revocation list';
  return `[${n}] ${kind}  (${sourceText(it.source)})`;
}

/** Renders a whole decoded file as a readable document. */
export function renderText(file: DecodedFile): string {
  const out: string[] = [];
  const count = (k: string) => file.items.filter((i) => i.kind === k).length;
  const parts = [
    ['certificate', 'certificate'],
    ['privateKey', 'private key'],
    ['publicKey', 'public key'],
    ['csr', 'request'],
    ['crl', 'CRL'],
  ]
    .map(([k, label]) => [count(k), label] as const)
    .filter(([n]) => n > 0)
    .map(([n, label]) => `${n} ${label}${n === 1 ? '' : 's'}`);
  out.push(`${file.fileName ?? 'input'}: ${file.format.toUpperCase()}${parts.length ? ', ' + parts.join(', ') : ''}`);
  if (file.chain.path.length > 1) {
    const names = file.chain.path.map((i) => {
      const c = file.items[i];
      return c.kind === 'certificate'
        ? `[${i + 1}] ${c.subject.attributes.find((a) => a.type === 'CN')?.value ?? c.subject.text}`
        : `[${i + 1}]`;
    });
    out.push(`Chain: ${names.join(' → ')}${file.chain.complete ? '  (complete, signatures verified)' : ''}`);
  }
  for (const m of file.chain.keyMatches) out.push(`Key [${m.key + 1}] matches certificate [${m.certificate + 1}]`);
  file.items.forEach((it, i) => {
    out.push('', heading(it, i + 1));
    if (it.kind === 'certificate') out.push(...certificateText(it));
    else if (it.kind === 'privateKey') out.push(...keyFactsText(it));
    else if (it.kind === 'publicKey')
      out.push(
        `  Type:                 ${keyText(it)}`,
        `  Format:               ${it.format}`,
        `  SPKI SHA-256:         ${it.spkiSha256}`,
      );
    else if (it.kind === 'csr') out.push(...csrText(it));
    else
      out.push(
        `  Issuer:               ${it.issuer?.text ?? '?'}`,
        `  This update:          ${it.thisUpdate ? day(it.thisUpdate) : '?'}`,
        ...(it.nextUpdate ? [`  Next update:          ${day(it.nextUpdate)}`] : []),
        `  Revoked:              ${it.revokedCount ?? 0}`,
      );
  });
  if (file.problems.length) {
    out.push('', 'Problems:');
    for (const p of file.problems)
      out.push(`  ${p.severity.toUpperCase().padEnd(8)}${p.item !== undefined ? `[${p.item + 1}] ` : ''}${p.message}`);
  }
  if (file.errors.length) {
    out.push('', 'Errors:');
    for (const e of file.errors) out.push(`  ${e.message}`);
  }
  return out.join('\n') + '\n';
}

/** Short hover text for one certificate: subject, issuer, validity, SANs, SHA-256. */
export function summarize(cert: DecodedCertificate): string {
  const san = cert.subjectAltName?.map(generalNameText).join(', ');
  const left =
    cert.validity === 'expired'
      ? `expired ${-cert.daysLeft} days ago`
      : cert.validity === 'not-yet-valid'
        ? 'not yet valid'
        : `${cert.daysLeft} days left`;
  return [
    `${cert.subject.text || '(empty subject)'} — ${cert.role}${cert.usage !== 'ca' && cert.usage !== 'other' ? ` (${cert.usage})` : ''}`,
    `Issuer: ${cert.selfSigned ? 'self-signed' : cert.issuer.text}`,
    `Valid: ${cert.notBefore.slice(0, 10)} → ${cert.notAfter.slice(0, 10)} (${left})`,
    ...(san ? [`SAN: ${san}`] : []),
    `Key: ${keyText(cert.publicKey)}, ${cert.signatureAlgorithm.name}`,
    `SHA-256: ${cert.fingerprints.sha256}`,
  ].join('\n');
}
