/**
 * Rows about whom the server trusts as a client: the CA bundle must hold exactly the platform's current
 * roots (or, for a CX custom client certificate or Kore.ai, the user's own CA), nothing expired, no
 * unrelated public roots, and an identity pin whenever a public root could vouch for strangers.
 */
import * as path from 'node:path';
import type { X509Certificate } from 'node:crypto';
import { dialogflowRoots, DIALOGFLOW_LEGACY_CUTOVER } from '../pki/trustBundle';
import type { Platform } from '../webhook/index';
import { isPublicRoot, shortName, type CertificateLoader, type LoadedCertificate } from './certificates';
import { row, type CheckRow } from './types';

const G = 'client trust' as const;
/** The variable with which a user accepts a public client root without an identity pin. */
const ACCEPT_UNPINNED_ENV = 'MTLS_ACCEPT_ANY_PUBLIC_CLIENT';

export interface ClientTrustInput {
  readonly caPath: string;
  readonly platform: Platform;
  readonly allowedClients: readonly string[];
  /** The client certificate of a CX custom client certificate set-up, when one was found. */
  readonly customClientCert?: X509Certificate;
  /** MTLS_ACCEPT_ANY_PUBLIC_CLIENT / acceptAnyPublicClient: a public root without a pin, accepted knowingly. */
  readonly acceptAnyPublicClient: boolean;
  readonly now: Date;
  readonly load: CertificateLoader;
}

const day = (d: Date): string => d.toISOString().slice(0, 10);

export async function clientTrustRows(o: ClientTrustInput): Promise<CheckRow[]> {
  let bundle: LoadedCertificate[];
  try {
    bundle = await o.load(o.caPath);
  } catch (e) {
    return [
      row(
        'client-roots',
        G,
        'fail',
        `Cannot read the client CA bundle: ${(e as Error).message}`,
        "Create the platform's trust bundle (mtls trust-bundle) and point MTLS_CA at it.",
        'createTrustBundle',
      ),
    ];
  }
  const rows: CheckRow[] = [];
  const file = path.basename(o.caPath);
  const names = bundle.map((c) => shortName(c.x509));
  const publicOnes = bundle.filter((c) => isPublicRoot(c.x509));

  rows.push(
    o.platform === 'kore'
      ? koreRootsRow(file, bundle)
      : o.customClientCert
        ? customCaRow(file, bundle, o.customClientCert)
        : dialogflowRootsRow(file, bundle, o.now),
  );

  const expired = bundle.filter((c) => c.decoded.validity === 'expired');
  rows.push(
    expired.length > 0
      ? row(
          'client-expiry',
          G,
          'fail',
          `Expired in ${file}: ${expired.map((c) => `"${shortName(c.x509)}" (${c.decoded.notAfter.slice(0, 10)})`).join(', ')}.`,
          'Remove expired roots and add the current ones.',
          'createTrustBundle',
        )
      : row(
          'client-expiry',
          G,
          'pass',
          `Every certificate in ${file} is valid on ${day(o.now)} (${names.join(', ')}).`,
        ),
  );

  // Node's verify depth is OpenSSL's default (100) unless the server lowers it; the template never does.
  rows.push(
    row(
      'client-depth',
      G,
      'pass',
      "Verification depth: Node's default (100) allows a client leaf plus its intermediate (Dialogflow sends depth 2).",
    ),
  );

  if (publicOnes.length > 0) {
    const pinned = o.allowedClients.length > 0;
    const googlePinned = o.allowedClients.some((a) => /^(CN=)?Google LLC$/i.test(a.trim()));
    const acceptRisk = o.acceptAnyPublicClient;
    const roots = publicOnes.map((c) => `"${shortName(c.x509)}"`).join(', ');
    if (!pinned) {
      rows.push(
        row(
          'client-pin',
          G,
          acceptRisk ? 'warn' : 'fail',
          `${file} holds the public root${publicOnes.length > 1 ? 's' : ''} ${roots}, which vouch${publicOnes.length > 1 ? '' : 'es'} for every client certificate their CAs issue, and no client identity is pinned${acceptRisk ? ` (${ACCEPT_UNPINNED_ENV} accepts that risk)` : ''}.`,
          `Pin the platform's identity: MTLS_ALLOWED_CLIENTS="${o.platform === 'kore' ? "CN of Kore.ai's certificate" : 'Google LLC'}" (or allowedClients in the config block).`,
        ),
      );
    } else if (o.platform !== 'kore' && !googlePinned && !o.customClientCert) {
      rows.push(
        row(
          'client-pin',
          G,
          'warn',
          `Pinned to ${o.allowedClients.join(', ')}, but Dialogflow's client certificate is CN=Google LLC: the platform would be refused.`,
          'Add "Google LLC" to MTLS_ALLOWED_CLIENTS.',
        ),
      );
    } else {
      rows.push(row('client-pin', G, 'pass', `Client identity pinned to ${o.allowedClients.join(', ')}.`));
    }
  } else {
    rows.push(
      row(
        'client-pin',
        G,
        'pass',
        o.allowedClients.length > 0
          ? `Client identity pinned to ${o.allowedClients.join(', ')}.`
          : `${file} holds only private CAs, so only certificates they issue are accepted (no pin needed).`,
      ),
    );
  }
  return rows;
}

function dialogflowRootsRow(file: string, bundle: readonly LoadedCertificate[], now: Date): CheckRow {
  const all = dialogflowRoots(new Date(0));
  const current = new Set(dialogflowRoots(now).map((r) => r.sha256));
  const known = new Map(all.map((r) => [r.sha256, r]));
  const missing = [...current]
    .filter((fp) => !bundle.some((c) => c.x509.fingerprint256 === fp))
    .map((fp) => known.get(fp)?.name ?? fp);
  const retired = bundle.filter((c) => known.has(c.x509.fingerprint256) && !current.has(c.x509.fingerprint256));
  const unrelatedPublic = bundle.filter((c) => !known.has(c.x509.fingerprint256) && isPublicRoot(c.x509));
  const privateCas = bundle.filter((c) => !known.has(c.x509.fingerprint256) && !isPublicRoot(c.x509));
  const fixText =
    'Regenerate the bundle for today: mtls trust-bundle --platform dialogflow --out certs/ca-dialogflow.pem, and point MTLS_CA at it.';
  if (missing.length > 0) {
    const devOnly = privateCas.length === bundle.length;
    return row(
      'client-roots',
      G,
      'fail',
      `${file} lacks ${missing.join(' and ')}${devOnly ? ` — it holds only your own CA (${privateCas.map((c) => `"${shortName(c.x509)}"`).join(', ')}), fine for local tests but Dialogflow's certificate will be refused` : ''}.`,
      fixText,
      'createTrustBundle',
    );
  }
  if (unrelatedPublic.length > 0) {
    return row(
      'client-roots',
      G,
      'fail',
      `${file} also holds public root${unrelatedPublic.length > 1 ? 's' : ''} Dialogflow does not use: ${unrelatedPublic.map((c) => `"${shortName(c.x509)}"`).join(', ')}. Each vouches for strangers' client certificates.`,
      fixText,
      'createTrustBundle',
    );
  }
  if (retired.length > 0) {
    return row(
      'client-roots',
      G,
      'warn',
      `${file} still holds ${retired.map((c) => `"${shortName(c.x509)}"`).join(', ')}, which Dialogflow stopped using on ${day(DIALOGFLOW_LEGACY_CUTOVER)}.`,
      fixText,
      'createTrustBundle',
    );
  }
  if (privateCas.length > 0) {
    return row(
      'client-roots',
      G,
      'warn',
      `${file} holds Dialogflow's roots plus your own CA${privateCas.length > 1 ? 's' : ''} (${privateCas.map((c) => `"${shortName(c.x509)}"`).join(', ')}): every client certificate that CA issues is accepted too.`,
      "Keep only the platform's roots in production.",
      'createTrustBundle',
    );
  }
  return row(
    'client-roots',
    G,
    'pass',
    `${file} holds exactly Dialogflow's current root${current.size > 1 ? 's' : ''} (${bundle.map((c) => shortName(c.x509)).join(', ')}).`,
  );
}

function customCaRow(file: string, bundle: readonly LoadedCertificate[], client: X509Certificate): CheckRow {
  const issuer = bundle.find((c) => client.checkIssued(c.x509) && client.verify(c.x509.publicKey));
  if (issuer === undefined) {
    return row(
      'client-roots',
      G,
      'fail',
      `${file} does not hold the CA that issued the CX custom client certificate ("${shortName(client)}"): the server would refuse Dialogflow.`,
      'Point MTLS_CA at the CA bundle that issued the custom client certificate.',
    );
  }
  const publicOnes = bundle.filter((c) => isPublicRoot(c.x509));
  if (publicOnes.length > 0) {
    return row(
      'client-roots',
      G,
      'warn',
      `${file} holds the custom client certificate's CA plus public root${publicOnes.length > 1 ? 's' : ''} ${publicOnes.map((c) => `"${shortName(c.x509)}"`).join(', ')}: with a CX custom client certificate only your CA is needed.`,
      'Keep only your own CA in the bundle.',
    );
  }
  return row(
    'client-roots',
    G,
    'pass',
    `CX custom client certificate: ${file} holds your CA ("${shortName(issuer.x509)}"), which issued "${shortName(client)}".`,
  );
}

function koreRootsRow(file: string, bundle: readonly LoadedCertificate[]): CheckRow {
  const cas = bundle.filter((c) => c.decoded.isCa);
  if (cas.length !== bundle.length) {
    return row(
      'client-roots',
      G,
      'fail',
      `${file} holds certificates that are not CAs (${bundle
        .filter((c) => !c.decoded.isCa)
        .map((c) => `"${shortName(c.x509)}"`)
        .join(', ')}): a CA bundle holds the root and intermediate that issued Kore.ai's client certificate.`,
      "Import Kore.ai's CA root and intermediate: mtls trust-bundle --platform kore --import kore-ca.pem.",
      'createTrustBundle',
    );
  }
  return row(
    'client-roots',
    G,
    'pass',
    `${file} holds ${bundle.map((c) => `"${shortName(c.x509)}"`).join(', ')}. Kore.ai does not publish the CA behind its cloud client certificate: make sure this is the one your Kore.ai platform uses.`,
  );
}
