/**
 * Text of the extensions whose values are counts and lists (policy constraints, inhibit anyPolicy, SCTs), shared by
 * the text rendering and the tree's fields. Types only: the tree loads it at activation without the decoder.
 */
import type { CertificateExtensions, SignedCertificateTimestamp } from './types';

/** As `openssl x509 -text` words it: "Require Explicit Policy:3, Inhibit Policy Mapping:1". */
export function policyConstraintsText(p: NonNullable<CertificateExtensions['policyConstraints']>): string {
  const parts = [
    p.requireExplicitPolicy !== undefined && `Require Explicit Policy:${p.requireExplicitPolicy}`,
    p.inhibitPolicyMapping !== undefined && `Inhibit Policy Mapping:${p.inhibitPolicyMapping}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : '(empty)';
}

/** Inhibit anyPolicy's SkipCerts: "skip 0 certificates". */
export function inhibitAnyPolicyText(skipCerts: number): string {
  return `skip ${skipCerts} certificates`;
}

/** The SCT list's summary: "1 SCT", "2 SCTs". */
export function sctCountText(scts: readonly SignedCertificateTimestamp[]): string {
  return `${scts.length} SCT${scts.length === 1 ? '' : 's'}`;
}

/** One SCT on one line: version, log (base64, as log lists name it), time and signature algorithm. */
export function sctText(t: SignedCertificateTimestamp): string {
  if (!('logId' in t)) return `v${t.version} (unknown layout): ${t.data}`;
  const extensions = t.extensions === '' ? '' : `, extensions ${t.extensions}`;
  return `v1, log ${t.logIdBase64}, ${t.timestamp.replace('T', ' ').replace('Z', ' UTC')}, ${t.signatureName ?? `${t.hash}/${t.signatureAlgorithm}`}${extensions}`;
}
