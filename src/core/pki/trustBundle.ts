/**
 * Trust bundles that let a webhook server verify a platform's client certificate. Dialogflow roots are
 * taken offline from Node's own `tls.rootCertificates` and each is pinned by SHA-256 fingerprint, so a
 * different Node store can never silently put the wrong root into a user's bundle.
 */
import { rootCertificates } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { InputError, MtlsError } from '../errors';
import { readGivenCertificate } from './certInfo';
import { toPem } from '../asn1/pemArmor';
import { certificatesFromPem } from '../x509/pem';

/** Dialogflow stops falling back to its legacy GTS-issued client certificate on this day. */
export const DIALOGFLOW_LEGACY_CUTOVER = new Date('2026-12-01T00:00:00Z');

interface PinnedRoot {
  readonly name: string;
  readonly sha256: string;
  readonly purpose: string;
  /** The root is needed only before this date. */
  readonly until?: Date;
}

const SSL_COM_RSA: PinnedRoot = {
  name: 'SSL.com Root Certification Authority RSA',
  sha256: '85:66:6A:56:2E:E0:BE:5C:E9:25:C1:D8:89:0A:6F:76:A8:7E:C1:6D:4D:7D:5F:29:EA:74:19:CF:20:12:3B:69',
  purpose:
    'Current Dialogflow client certificate: CN=Google LLC, issued by "SSL.com Client Certificate Intermediate CA RSA R2" (Dialogflow sends that intermediate; verify depth ≥ 2).',
};

const GTS_ROOT_R1: PinnedRoot = {
  name: 'GTS Root R1',
  sha256: 'D9:47:43:2A:BD:E7:B7:FA:90:FC:2E:6B:59:10:1B:12:80:E0:E1:C7:E4:E4:0F:A3:C6:88:7F:FF:57:A7:F4:CF',
  purpose:
    'Legacy Dialogflow client certificate: CN=*.dialogflow.com, issued by GTS CA 1D4. Dialogflow falls back to it only until 2026-12-01; remove this root after that date.',
  until: DIALOGFLOW_LEGACY_CUTOVER,
};

// GTS Root R2–R4 are deliberately NOT included: Dialogflow's legacy certificate chains to R1 only (GTS CA 1D4 is
// signed by R1). A client-certificate bundle should hold the fewest roots that work, because every root in it can
// vouch for a client, and the legacy path ends on 2026-12-01 anyway.

/** The roots the Dialogflow bundle holds on a given day. */
export function dialogflowRoots(now = new Date()): readonly PinnedRoot[] {
  return [SSL_COM_RSA, GTS_ROOT_R1].filter((r) => !r.until || now < r.until);
}

let byFingerprint: Map<string, string> | undefined;

/** A root from Node's built-in store, found and verified by its SHA-256 fingerprint. */
function nodeRoot(sha256: string, name: string): string {
  byFingerprint ??= new Map(rootCertificates.map((pem) => [new X509Certificate(pem).fingerprint256, pem]));
  const pem = byFingerprint.get(sha256.toUpperCase());
  if (!pem) {
    throw new MtlsError(
      'E_ROOT_MISSING',
      `${name} (SHA-256 ${sha256}) is not in this Node.js root store (Node ${process.versions.node}). Download it from the CA's site, check the fingerprint, and add it with --import.`,
    );
  }
  return pem.endsWith('\n') ? pem : pem + '\n';
}

function comment(lines: string[]): string {
  return lines.map((l) => `# ${l}`).join('\n') + '\n';
}

/** The CA bundle (PEM with explanatory comments) a server passes as `ca` to accept Dialogflow's client certificate. */
export function dialogflowTrustBundle(now = new Date()): {
  pem: string;
  roots: { name: string; sha256: string; purpose: string }[];
  notes: string[];
} {
  const roots = dialogflowRoots(now);
  const legacyActive = now < DIALOGFLOW_LEGACY_CUTOVER;
  const notes = [
    'Dialogflow presents CN=Google LLC issued by "SSL.com Client Certificate Intermediate CA RSA R2"; it sends the intermediate, so the bundle holds only the SSL.com RSA root. Allow a verification depth of at least 2.',
    legacyActive
      ? 'Until 2026-12-01 Dialogflow falls back to its legacy certificate (CN=*.dialogflow.com via GTS CA 1D4 → GTS Root R1) if the SSL.com one is rejected, so GTS Root R1 is included. Remove it (re-run this command) after 2026-12-01.'
      : 'Since 2026-12-01 Dialogflow no longer uses its legacy GTS certificate, so GTS Root R1 is left out.',
    'GTS Root R2–R4 are deliberately not included: Dialogflow does not chain to them, and every extra root can vouch for a client.',
    'Obsolete advice: "GTS CA 1O1" and "GlobalSign Root R2" (expired 2021-12-15) no longer apply; drop them from old bundles.',
    'A public root vouches for many certificates: also check the client subject (CN=Google LLC) and verify the Authorization: Bearer Google ID token.',
    'Passing `ca` to a Node server replaces its default store: pass exactly this bundle (plus any roots of your own).',
  ];
  const parts = [
    comment([
      'Dialogflow client-certificate trust bundle (mTLS Workbench).',
      `Generated ${now.toISOString().slice(0, 10)} from Node.js ${process.versions.node}'s root store; every root checked by SHA-256 fingerprint.`,
      legacyActive
        ? 'Cut-over: after 2026-12-01 only the SSL.com root is needed; regenerate this file then.'
        : 'The 2026-12-01 cut-over has passed: only the SSL.com root is needed.',
    ]),
  ];
  for (const r of roots) {
    parts.push('\n' + comment([r.name, `SHA-256 ${r.sha256}`, r.purpose]) + nodeRoot(r.sha256, r.name));
  }
  return { pem: parts.join(''), roots: roots.map(({ name, sha256, purpose }) => ({ name, sha256, purpose })), notes };
}

/**
 * The client identities to pin with the Dialogflow bundle: its SSL.com root vouches for every SSL.com client
 * certificate, so the server must also require Dialogflow's subject (server.mts refuses to start without it).
 */
export function dialogflowClientPin(now = new Date()): { allowedClients: string[]; env: string; note: string } {
  const allowedClients = now < DIALOGFLOW_LEGACY_CUTOVER ? ['Google LLC', '*.dialogflow.com'] : ['Google LLC'];
  return {
    allowedClients,
    env: `MTLS_ALLOWED_CLIENTS="${allowedClients.join(',')}"`,
    note: `Pin the client identity: ${allowedClients.map((c) => `CN=${c}`).join(' or ')}${allowedClients.length > 1 ? ' (the legacy *.dialogflow.com only until 2026-12-01; a literal CN, not a wildcard)' : ''}. server.mts refuses to start with this public root and no pin.`,
  };
}

/** The certificates in a bundle that have expired by `now` (empty when all are valid). */
export function checkBundleExpiry(pem: string, now = new Date()): { subject: string; notAfter: Date }[] {
  return certificatesFromPem(pem, 'The CA bundle')
    .map((d) => {
      const x = new X509Certificate(d);
      return { subject: x.subject.split('\n').reverse().join(', '), notAfter: new Date(x.validTo) };
    })
    .filter((c) => c.notAfter <= now);
}

/**
 * A Kore.ai trust bundle from the user's own PEM files: Kore's public docs do not name the CA behind its
 * client certificate, so its root and intermediate must be imported. Each certificate must parse and be a CA.
 */
export function importedTrustBundle(
  files: { name: string; pem: string }[],
  now = new Date(),
): { pem: string; certificates: { subject: string; notAfter: Date; sha256: string }[]; notes: string[] } {
  if (files.length === 0)
    throw new InputError(
      'Import at least one PEM file with the CA root and intermediate certificates (--import FILE).',
    );
  const parts = [comment(['Kore.ai client-certificate trust bundle (mTLS Workbench): imported CA certificates.'])];
  const certificates: { subject: string; notAfter: Date; sha256: string }[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    for (const d of certificatesFromPem(f.pem, f.name)) {
      const { x509: x, fields } = readGivenCertificate(d, `${f.name}: a certificate could not be read`);
      const subject = x.subject.split('\n').reverse().join(', ');
      if (!fields.basicConstraints?.ca)
        throw new InputError(
          `${f.name}: "${subject}" is not a CA certificate (CA:true missing). Import the CA root and intermediate, not the client certificate itself.`,
        );
      if (seen.has(x.fingerprint256)) continue;
      seen.add(x.fingerprint256);
      const notAfter = new Date(x.validTo);
      if (notAfter <= now)
        notes.push(`${subject} expired on ${notAfter.toISOString().slice(0, 10)}: ask for a current certificate.`);
      const role = fields.subject.equals(fields.issuer) ? 'root' : 'intermediate';
      parts.push(
        '\n' +
          comment([
            `${subject} (${role}, from ${f.name})`,
            `SHA-256 ${x.fingerprint256}`,
            `Valid until ${notAfter.toISOString().slice(0, 10)}`,
          ]) +
          toPem('CERTIFICATE', d),
      );
      certificates.push({ subject, notAfter, sha256: x.fingerprint256 });
    }
  }
  return { pem: parts.join(''), certificates, notes };
}

/** Advice for Kore.ai, which has no built-in bundle. */
export const koreNotes: readonly string[] = [
  "Kore.ai's public documentation does not name the CA behind its cloud client certificate.",
  'Ask Kore.ai (or your Kore.ai admin) for the CA root and intermediate certificates, then: mtls trust-bundle --platform kore --import kore-ca.pem --out ca-kore.pem',
  'The server then verifies Kore.ai with ca=ca-kore.pem (requestCert + rejectUnauthorized).',
];
