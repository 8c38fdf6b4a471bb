/**
 * Rows about the certificate the webhook presents: the chain it sends, its names, purpose, key, signature,
 * expiry, and whether the platform's client will trust it (a public root, or a CX custom CA).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { Platform } from '../webhook/index';
import {
  coversHost,
  findAnchor,
  nodeRootStore,
  shortName,
  type CertificateLoader,
  type LoadedCertificate,
} from './certificates';
import { row, type CheckRow } from './types';

const G = 'server certificate' as const;
const EXPIRY_WARNING_DAYS = 30;

export interface ServerCertificateInput {
  readonly certPath: string;
  readonly platform: Platform;
  /** Host the platform will call (from --url); absent → the SAN row asks for it. */
  readonly publicHost?: string;
  /** Where to look for an exported CX custom CA (DER files). */
  readonly searchDirs: readonly string[];
  readonly now: Date;
  readonly load: CertificateLoader;
}

/** DER certificates in `dirs` (not recursive): candidates for an exported CX custom CA. */
async function derCertificates(dirs: readonly string[]): Promise<{ file: string; cert: X509Certificate }[]> {
  const out: { file: string; cert: X509Certificate }[] = [];
  for (const dir of dirs) {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => /\.(der|cer)$/i.test(n))) {
      const file = path.join(dir, name);
      const bytes = await fs.readFile(file).catch(() => undefined);
      if (!bytes || bytes[0] !== 0x30) continue;
      try {
        out.push({ file, cert: new X509Certificate(bytes) });
      } catch {
        /* not a certificate: not a candidate */
      }
    }
  }
  return out;
}

/** Every server-certificate row; a file that cannot be read is one failing row. */
export async function serverCertificateRows(
  o: ServerCertificateInput,
): Promise<{ rows: CheckRow[]; leaf?: LoadedCertificate }> {
  let certs: LoadedCertificate[];
  try {
    certs = await o.load(o.certPath);
  } catch (e) {
    return {
      rows: [
        row(
          'server-certificate',
          G,
          'fail',
          `Cannot read the server certificate: ${(e as Error).message}`,
          'Generate certificates (mtls chain) or point MTLS_CERT at your certificate.',
          'generateChain',
        ),
      ],
    };
  }
  const [leaf, ...rest] = certs as [LoadedCertificate, ...LoadedCertificate[]];
  const rows: CheckRow[] = [];
  const name = shortName(leaf.x509);
  const intermediates = rest.map((c) => c.x509);
  const publicAnchor = findAnchor(leaf.x509, intermediates, nodeRootStore());

  // Chain sent: the leaf plus every intermediate up to (not including) a root.
  const file = path.basename(o.certPath);
  const issuerInFile = rest.some((c) => leaf.x509.checkIssued(c.x509));
  const issuedByRoot = leaf.decoded.selfSigned || (publicAnchor !== undefined && leaf.x509.checkIssued(publicAnchor));
  if (issuerInFile || issuedByRoot) {
    rows.push(
      row(
        'server-chain',
        G,
        'pass',
        `${file} holds ${certs.length} certificate${certs.length === 1 ? '' : 's'} (${certs.map((c) => shortName(c.x509)).join(' → ')}): the server sends its full chain.`,
      ),
    );
  } else {
    rows.push(
      row(
        'server-chain',
        G,
        'fail',
        `${file} holds only the leaf (${name}), issued by ${leaf.decoded.issuer.text}: the server sends no intermediate, so clients that do not already have it fail with "unable to verify the first certificate".`,
        'Serve the full chain: point MTLS_CERT (or cert in the config block) at a fullchain file, leaf first then the intermediates (mtls chain writes server-fullchain.pem).',
      ),
    );
  }

  // Names.
  const sans = (leaf.decoded.subjectAltName ?? []).map((s) => `${s.type}:${s.value}`).join(', ') || 'none';
  if (o.publicHost === undefined) {
    rows.push(
      row(
        'server-san',
        G,
        'warn',
        `No public URL given, so the SAN (${sans}) could not be matched against the host the platform will call.`,
        'Run the check with --url https://YOUR.HOST/webhook.',
      ),
    );
  } else if (coversHost(leaf.x509, o.publicHost)) {
    rows.push(row('server-san', G, 'pass', `The SAN (${sans}) covers ${o.publicHost}.`));
  } else {
    rows.push(
      row(
        'server-san',
        G,
        'fail',
        `The SAN (${sans}) does not cover ${o.publicHost}: the platform refuses the connection (hostname mismatch).`,
        `Issue a server certificate with --san DNS:${o.publicHost}.`,
        'generateChain',
      ),
    );
  }

  // Purpose.
  const eku = leaf.decoded.extendedKeyUsage;
  if (eku === undefined || eku.includes('serverAuth') || eku.includes('anyExtendedKeyUsage')) {
    rows.push(
      row(
        'server-eku',
        G,
        eku === undefined ? 'warn' : 'pass',
        eku === undefined
          ? 'The certificate has no extendedKeyUsage: most clients accept that, but publicly trusted certificates always carry serverAuth.'
          : `extendedKeyUsage: ${eku.join(', ')}.`,
        eku === undefined ? 'Prefer a certificate with extendedKeyUsage serverAuth.' : undefined,
      ),
    );
  } else {
    rows.push(
      row(
        'server-eku',
        G,
        'fail',
        `extendedKeyUsage is ${eku.join(', ')} without serverAuth: clients refuse it for a TLS server.`,
        'Issue a server certificate (mtls chain / mtls selfsigned add serverAuth).',
        'generateChain',
      ),
    );
  }

  // Key strength.
  const k = leaf.decoded.publicKey;
  const strongEnough =
    k.algorithm === 'RSA' || k.algorithm === 'RSA-PSS'
      ? (k.bits ?? 0) >= 2048
      : k.algorithm === 'EC'
        ? (k.bits ?? 0) >= 256
        : k.algorithm === 'Ed25519' || k.algorithm === 'Ed448';
  const keyText = `${k.algorithm}${k.curve ? ` ${k.curve}` : k.bits ? ` ${k.bits}` : ''}`;
  rows.push(
    strongEnough
      ? row('server-key', G, 'pass', `Key: ${keyText}.`)
      : row(
          'server-key',
          G,
          'fail',
          `Key: ${keyText}, below RSA-2048 / P-256: platforms refuse it.`,
          'Issue the certificate with an RSA-2048+ or P-256+ key.',
          'generateChain',
        ),
  );
  if (k.algorithm === 'Ed25519' || k.algorithm === 'Ed448') {
    rows.push(
      row(
        'server-key-support',
        G,
        'warn',
        `${k.algorithm} server keys are not accepted by every TLS client (public CAs do not issue them).`,
        'Prefer RSA-2048 or P-256 for a webhook the platform calls.',
        'generateChain',
      ),
    );
  }

  // Signature.
  const sig = leaf.decoded.signatureAlgorithm;
  const hash = (sig.pss?.hash ?? sig.hash ?? '').toLowerCase().replace('-', '');
  const sigOk = /^sha(256|384|512)$/.test(hash) || /ED25519|ED448/i.test(sig.name);
  rows.push(
    sigOk
      ? row('server-signature', G, 'pass', `Signature: ${sig.name}.`)
      : row(
          'server-signature',
          G,
          'fail',
          `Signature: ${sig.name}: clients refuse signatures weaker than SHA-256.`,
          'Re-issue the certificate with SHA-256 or better.',
          'generateChain',
        ),
  );

  // Expiry.
  const days = leaf.decoded.daysLeft;
  if (leaf.decoded.validity !== 'valid') {
    rows.push(
      row(
        'server-expiry',
        G,
        'fail',
        leaf.decoded.validity === 'expired'
          ? `The certificate expired on ${leaf.decoded.notAfter}.`
          : `The certificate is not valid before ${leaf.decoded.notBefore}.`,
        'Renew the server certificate.',
        'generateChain',
      ),
    );
  } else if (days < EXPIRY_WARNING_DAYS) {
    rows.push(
      row(
        'server-expiry',
        G,
        'warn',
        `The certificate expires in ${days} day${days === 1 ? '' : 's'} (${leaf.decoded.notAfter}).`,
        'Renew it before then, and automate renewal.',
        'generateChain',
      ),
    );
  } else {
    rows.push(row('server-expiry', G, 'pass', `Valid until ${leaf.decoded.notAfter} (${days} days).`));
  }

  rows.push(await trustRow(o, leaf, intermediates, publicAnchor));
  return { rows, leaf };
}

/** Trusted by a public root; or, for CX, by an exported custom CA that the certificate satisfies. */
async function trustRow(
  o: ServerCertificateInput,
  leaf: LoadedCertificate,
  intermediates: readonly X509Certificate[],
  publicAnchor: X509Certificate | undefined,
): Promise<CheckRow> {
  if (publicAnchor)
    return row(
      'server-public-trust',
      G,
      'pass',
      `Chains to the public root "${shortName(publicAnchor)}" (Node's root store, the stand-in for the platform's default trust store).`,
    );
  if (o.platform === 'cx') {
    const ders = await derCertificates(o.searchDirs);
    const anchor = findAnchor(
      leaf.x509,
      intermediates,
      ders.map((d) => d.cert),
    );
    if (anchor) {
      const file = ders.find((d) => d.cert === anchor)?.file ?? '';
      const problems: string[] = [];
      if ((leaf.decoded.subjectAltName ?? []).length === 0) problems.push('it has no SAN');
      if (o.publicHost !== undefined && !coversHost(leaf.x509, o.publicHost))
        problems.push(`its SAN does not cover ${o.publicHost}`);
      const ku = leaf.decoded.keyUsage;
      if (ku !== undefined && !ku.includes('digitalSignature')) problems.push('its keyUsage lacks digitalSignature');
      if (problems.length > 0) {
        return row(
          'server-public-trust',
          G,
          'fail',
          `Not publicly trusted; the exported CX custom CA ${path.basename(file)} issues it, but ${problems.join(' and ')}, which CX's custom-CA rules require.`,
          'Re-issue the server certificate with a SAN for the webhook host and keyUsage digitalSignature.',
          'generateChain',
        );
      }
      return row(
        'server-public-trust',
        G,
        'pass',
        `Not publicly trusted, but it chains to the CX custom CA exported as ${path.basename(file)} ("${shortName(anchor)}") and meets CX's custom-CA rules (SAN, digitalSignature). Upload that DER file in the webhook's settings.`,
      );
    }
    return row(
      'server-public-trust',
      G,
      'fail',
      `"${shortName(leaf.x509)}" does not chain to a public root, and no exported CX custom CA (a .der file next to the certificates) issues it: Dialogflow CX will refuse the server.`,
      "Use a publicly trusted certificate, or export your CA as DER (mtls export-der) and upload it as the webhook's custom CA.",
      'exportDer',
    );
  }
  return row(
    'server-public-trust',
    G,
    'fail',
    `"${shortName(leaf.x509)}" does not chain to a public root: ${o.platform === 'es' ? 'Dialogflow ES' : "Kore.ai's cloud platform"} verifies the server against public roots only and will refuse it.`,
    'Serve a certificate from a public CA (for example through your hosting provider or an ACME client) with the full chain.',
  );
}
