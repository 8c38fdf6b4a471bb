/**
 * Turns decoded items into labelled fields for display (the tree view's children, copyable values).
 * Pure and vscode-free so the same presentation is unit-tested and could serve other front ends.
 */
import type {
  DecodedCertificate,
  DecodedItem,
  GeneralName,
  DistinguishedName,
  ProblemCode,
  SignedCertificateTimestamp,
} from './x509';
import { inhibitAnyPolicyText, policyConstraintsText, sctCountText, sctText } from './x509/extensionText';
import { OID } from './asn1/oids';

/** One row: a label, a value to show and copy, optional children (e.g. each SAN). */
export interface Field {
  readonly label: string;
  readonly value: string;
  readonly children?: readonly Field[];
  /** `warning`/`error` when a problem concerns this field (shown with an icon). */
  readonly severity?: 'warning' | 'error';
}

const gn = (n: GeneralName): string =>
  n.type === 'otherName' ? `otherName:${n.oid}:${n.value}` : `${n.type}:${n.value}`;

function nameField(label: string, dn: DistinguishedName): Field {
  return { label, value: dn.text, children: dn.attributes.map((a) => ({ label: a.type, value: a.value })) };
}

function list(label: string, values: readonly string[] | undefined): Field[] {
  if (!values || values.length === 0) return [];
  return [
    {
      label,
      value: values.join(', '),
      children: values.length > 1 ? values.map((v) => ({ label: '', value: v })) : undefined,
    },
  ];
}

function days(n: number): string {
  if (n < 0) return `expired ${-n} day${n === -1 ? '' : 's'} ago`;
  return `${n} day${n === 1 ? '' : 's'} left`;
}

/** Extensions that have their own field above. */
const SHOWN_ABOVE: ReadonlySet<string> = new Set([
  OID.subjectAltName,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.basicConstraints,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.authorityInfoAccess,
  OID.crlDistributionPoints,
  OID.certificatePolicies,
  OID.nameConstraints,
  OID.policyConstraints,
  OID.inhibitAnyPolicy,
  OID.sctList,
]);

/** One SCT: a summary row whose children are its fields, as `openssl x509 -text` lists them. */
function sctField(t: SignedCertificateTimestamp, i: number): Field {
  if (!('logId' in t)) return { label: `SCT ${i + 1}`, value: sctText(t) };
  return {
    label: `SCT ${i + 1}`,
    value: sctText(t),
    children: [
      { label: 'Version', value: 'v1' },
      { label: 'Log ID', value: t.logId },
      { label: 'Log ID (base64)', value: t.logIdBase64 },
      { label: 'Timestamp', value: t.timestamp },
      { label: 'Extensions', value: t.extensions || 'none' },
      {
        label: 'Signature algorithm',
        value: `${t.signatureName ?? '—'} (hash ${t.hash}, signature ${t.signatureAlgorithm})`,
      },
      { label: 'Signature', value: t.signature },
    ],
  };
}

/** Every field of a certificate, in the order people look for them. */
export function certificateFields(c: DecodedCertificate): Field[] {
  // The worst severity among this certificate's problems with these codes (info problems mark no field).
  const sev = (...codes: ProblemCode[]): 'warning' | 'error' | undefined => {
    const hits = c.problems.filter((p) => codes.includes(p.code) && p.severity !== 'info');
    return hits.some((p) => p.severity === 'error') ? 'error' : hits.length > 0 ? 'warning' : undefined;
  };
  const key = c.publicKey;
  const fields: Field[] = [
    nameField('Subject', c.subject),
    nameField('Issuer', c.issuer),
    { label: 'Serial', value: c.serial, severity: sev('negative-serial') },
    {
      label: 'Validity',
      value: `${c.notBefore.slice(0, 10)} → ${c.notAfter.slice(0, 10)} (${c.validity === 'not-yet-valid' ? 'not yet valid' : days(c.daysLeft)})`,
      severity: sev('expired', 'not-yet-valid', 'expiring'),
      children: [
        { label: 'Not before', value: c.notBefore },
        { label: 'Not after', value: c.notAfter },
      ],
    },
    {
      label: 'Public key',
      value: [key.algorithm, key.bits ? `${key.bits} bit` : '', key.curve ?? ''].filter(Boolean).join(' '),
      severity: sev('weak-rsa'),
    },
    { label: 'Signature', value: c.signatureAlgorithm.name, severity: sev('sha1-signature', 'md5-signature') },
    {
      label: 'Role',
      value: `${c.role}${c.usage !== 'other' && c.usage !== 'any' ? ` (${c.usage})` : ''}${c.selfSigned ? ', self-signed' : ''}`,
    },
  ];
  if (c.subjectAltName)
    fields.push({
      label: 'Subject Alternative Names',
      value: c.subjectAltName.map(gn).join(', '),
      children: c.subjectAltName.map((n) => ({ label: n.type, value: n.value })),
      severity: sev('server-without-san', 'server-without-serverauth'),
    });
  fields.push(...list('Key usage', c.keyUsage));
  fields.push(...list('Extended key usage', c.extendedKeyUsage));
  if (c.basicConstraints)
    fields.push({
      label: 'Basic constraints',
      value: `CA:${c.basicConstraints.ca ? 'TRUE' : 'FALSE'}${c.basicConstraints.pathLength !== undefined ? `, pathlen:${c.basicConstraints.pathLength}` : ''}`,
    });
  if (c.subjectKeyIdentifier) fields.push({ label: 'Subject key identifier', value: c.subjectKeyIdentifier });
  if (c.authorityKeyIdentifier?.keyId)
    fields.push({ label: 'Authority key identifier', value: c.authorityKeyIdentifier.keyId });
  if (c.authorityInfoAccess)
    fields.push(...list('OCSP', c.authorityInfoAccess.ocsp), ...list('CA issuers', c.authorityInfoAccess.caIssuers));
  fields.push(...list('CRL distribution points', c.crlDistributionPoints));
  if (c.certificatePolicies?.length)
    fields.push({
      label: 'Certificate policies',
      value: c.certificatePolicies.map((p) => p.oid).join(', '),
      children: c.certificatePolicies.map((p) => ({ label: p.oid, value: p.cps.join(', ') })),
    });
  if (c.nameConstraints) {
    fields.push({
      label: 'Name constraints',
      value: `permitted: ${c.nameConstraints.permitted.map(gn).join(', ') || '—'}; excluded: ${c.nameConstraints.excluded.map(gn).join(', ') || '—'}`,
    });
  }
  if (c.policyConstraints)
    fields.push({ label: 'Policy constraints', value: policyConstraintsText(c.policyConstraints) });
  if (c.inhibitAnyPolicy !== undefined)
    fields.push({ label: 'Inhibit anyPolicy', value: inhibitAnyPolicyText(c.inhibitAnyPolicy) });
  if (c.signedCertificateTimestamps) {
    const scts = c.signedCertificateTimestamps;
    fields.push({
      label: 'CT timestamps (SCTs)',
      value: sctCountText(scts),
      children: scts.map(sctField),
    });
  }
  // Extensions shown above are skipped — unless they failed to decode, which is shown with why.
  for (const e of c.extensions.filter((x) => x.error !== undefined || !SHOWN_ABOVE.has(x.oid))) {
    const label = `${e.name}${e.critical ? ' (critical)' : ''}`;
    if (e.error !== undefined)
      fields.push({
        label,
        value: `not decoded: ${e.error}`,
        severity: e.critical ? 'error' : 'warning',
        children: e.valueHex ? [{ label: 'Value (hex)', value: e.valueHex }] : undefined,
      });
    else fields.push({ label, value: e.valueHex ?? '' });
  }
  fields.push(
    { label: 'SHA-256 fingerprint', value: c.fingerprints.sha256 },
    { label: 'SHA-1 fingerprint', value: c.fingerprints.sha1 },
  );
  return fields;
}

/** A one-line label and description for any decoded item (tree rows, quick summaries). */
export function itemLabel(item: DecodedItem): { label: string; description: string } {
  switch (item.kind) {
    case 'certificate': {
      const cn = item.subject.attributes.find((a) => a.type === 'CN')?.value ?? item.subject.text;
      const state =
        item.validity === 'expired'
          ? 'expired'
          : item.validity === 'not-yet-valid'
            ? 'not yet valid'
            : `${item.daysLeft} d left`;
      return {
        label: cn || '(empty subject)',
        description: `${item.role}${item.usage === 'server' || item.usage === 'client' || item.usage === 'server+client' ? ` · ${item.usage}` : ''} · ${state}`,
      };
    }
    case 'privateKey':
      return {
        label: `Private key`,
        description: `${item.algorithm}${item.bits ? ` ${item.bits}` : ''}${item.curve ? ` ${item.curve}` : ''} · ${item.format}${item.encrypted ? ' · encrypted' : ''}`,
      };
    case 'publicKey':
      return {
        label: 'Public key',
        description: `${item.algorithm}${item.bits ? ` ${item.bits}` : ''}${item.curve ? ` ${item.curve}` : ''}`,
      };
    case 'csr': {
      const cn = item.subject.attributes.find((a) => a.type === 'CN')?.value ?? item.subject.text;
      return {
        label: `CSR ${cn}`,
        description: `${item.publicKey.algorithm}${item.signatureValid ? '' : ' · bad signature'}`,
      };
    }
    case 'crl':
      return { label: 'CRL', description: item.issuer?.text ?? '' };
  }
}

/** Fields of a non-certificate item (keys never show key material: type, size and fingerprint only). */
export function otherItemFields(item: Exclude<DecodedItem, { kind: 'certificate' }>): Field[] {
  switch (item.kind) {
    case 'privateKey':
      return [
        {
          label: 'Algorithm',
          value: [item.algorithm, item.bits ? `${item.bits} bit` : '', item.curve ?? ''].filter(Boolean).join(' '),
        },
        { label: 'Format', value: item.format },
        ...(item.encrypted ? [{ label: 'Encryption', value: item.encryption ?? 'encrypted' }] : []),
        ...(item.spkiSha256 ? [{ label: 'Public key SHA-256', value: item.spkiSha256 }] : []),
      ];
    case 'publicKey':
      return [
        {
          label: 'Algorithm',
          value: [item.algorithm, item.bits ? `${item.bits} bit` : '', item.curve ?? ''].filter(Boolean).join(' '),
        },
        { label: 'Format', value: item.format },
        { label: 'SHA-256 (SPKI)', value: item.spkiSha256 },
      ];
    case 'csr':
      return [
        nameField('Subject', item.subject),
        {
          label: 'Public key',
          value: [
            item.publicKey.algorithm,
            item.publicKey.bits ? `${item.publicKey.bits} bit` : '',
            item.publicKey.curve ?? '',
          ]
            .filter(Boolean)
            .join(' '),
        },
        {
          label: 'Signature',
          value: `${item.signatureAlgorithm.name}${item.signatureValid ? ' (valid)' : ' (INVALID)'}`,
          severity: item.signatureValid ? undefined : 'error',
        },
        ...(item.requested.subjectAltName
          ? [{ label: 'Requested SANs', value: item.requested.subjectAltName.map(gn).join(', ') }]
          : []),
      ];
    case 'crl':
      return [
        ...(item.issuer ? [nameField('Issuer', item.issuer)] : []),
        ...(item.thisUpdate ? [{ label: 'This update', value: item.thisUpdate }] : []),
        ...(item.nextUpdate ? [{ label: 'Next update', value: item.nextUpdate }] : []),
        ...(item.revokedCount !== undefined ? [{ label: 'Revoked', value: String(item.revokedCount) }] : []),
      ];
  }
}
