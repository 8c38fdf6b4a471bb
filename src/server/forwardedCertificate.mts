// A client certificate an edge forwarded in a header is only a claim: the server verifies it against its own CA
// bundle, as the TLS handshake would have — a path from the leaf through the forwarded intermediates (or ones in
// the bundle) to a self-signed CA of the bundle, every signature, every validity period, the CA flag of every
// issuer, clientAuth in each extendedKeyUsage present, and at most 5 certificates above the leaf.
import * as nodeCrypto from 'node:crypto';
import { certificateBlocks } from './credentials.mts';

const clientAuth = '1.3.6.1.5.5.7.3.2';
const anyExtendedKeyUsage = '2.5.29.37.0';
/** Certificates above the leaf, at most (intermediates and the root). */
export const maxChainDepth = 5;
// A forwarded chain longer than this is refused before any signature is checked.
const maxForwarded = 10;

/** Why a forwarded certificate was refused; the message names the certificate and the reason. */
export class ForwardedCertificateError extends Error {}

/** The CA bundle split into trust anchors (self-signed) and CAs that may complete a path. */
export interface TrustStore {
  roots: nodeCrypto.X509Certificate[];
  intermediates: nodeCrypto.X509Certificate[];
}

// A forwarded header is a client's input: only whole blocks count (the CA bundle's reader also reports cut ones).
const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Builds the trust store from the PEM CA bundle the server already loaded (and checked whole at start-up). */
export function trustStoreOf(bundle: string): TrustStore {
  const store: TrustStore = { roots: [], intermediates: [] };
  for (const pem of certificateBlocks(bundle)) {
    const c = new nodeCrypto.X509Certificate(pem);
    (c.checkIssued(c) && c.verify(c.publicKey) ? store.roots : store.intermediates).push(c);
  }
  return store;
}

/** The certificates of a PEM text (a forwarded header after URL-decoding); none is an error. */
export function certificatesFromPem(text: string): nodeCrypto.X509Certificate[] {
  const blocks = text.match(pemBlock) ?? [];
  if (blocks.length === 0) throw new ForwardedCertificateError('no PEM certificate in the header');
  if (blocks.length > maxForwarded)
    throw new ForwardedCertificateError(blocks.length + ' certificates forwarded (at most ' + maxForwarded + ')');
  return blocks.map((b, i) => parse(() => new nodeCrypto.X509Certificate(b), i));
}

/** One RFC 9440 byte sequence (`:base64 of DER:`) as a certificate. */
export function certificateFromByteSequence(item: string, index = 0): nodeCrypto.X509Certificate {
  const m = /^:([A-Za-z0-9+/]*={0,2}):$/.exec(item.trim());
  if (m === null)
    throw new ForwardedCertificateError('certificate ' + (index + 1) + ' is not an RFC 9440 byte sequence (:base64:)');
  return parse(() => new nodeCrypto.X509Certificate(Buffer.from(m[1] ?? '', 'base64')), index);
}

/** An RFC 9440 list of byte sequences (Client-Cert-Chain); empty when the header is empty. */
export function certificatesFromByteSequences(list: string): nodeCrypto.X509Certificate[] {
  const items = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length > maxForwarded)
    throw new ForwardedCertificateError(items.length + ' certificates forwarded (at most ' + maxForwarded + ')');
  return items.map((s, i) => certificateFromByteSequence(s, i + 1));
}

function parse(make: () => nodeCrypto.X509Certificate, index: number): nodeCrypto.X509Certificate {
  try {
    return make();
  } catch (e) {
    throw new ForwardedCertificateError(
      'certificate ' + (index + 1) + ' does not parse (' + (e as Error).message + ')',
    );
  }
}

function name(c: nodeCrypto.X509Certificate): string {
  return JSON.stringify(c.subject.replace(/\n/g, ', '));
}

function checkValidity(c: nodeCrypto.X509Certificate, what: string, now: number): void {
  if (Date.parse(c.validFrom) > now)
    throw new ForwardedCertificateError(what + ' ' + name(c) + ' is not valid before ' + c.validFrom);
  if (Date.parse(c.validTo) < now)
    throw new ForwardedCertificateError(what + ' ' + name(c) + ' expired on ' + c.validTo);
}

// Node's keyUsage property is the extendedKeyUsage OID list (undefined when the extension is absent).
function checkClientAuth(c: nodeCrypto.X509Certificate, what: string): void {
  const eku = c.keyUsage as string[] | undefined;
  if (eku === undefined || eku.includes(clientAuth) || eku.includes(anyExtendedKeyUsage)) return;
  throw new ForwardedCertificateError(
    what + ' ' + name(c) + ' is not allowed for client authentication (extendedKeyUsage lacks clientAuth)',
  );
}

function signedBy(c: nodeCrypto.X509Certificate, issuer: nodeCrypto.X509Certificate): boolean {
  try {
    return c.checkIssued(issuer) && c.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Verifies `leaf` (with the `forwarded` certificates the edge passed along) against the trust store; returns the
 * path's certificates above the leaf, or throws ForwardedCertificateError saying what failed.
 */
export function verifyForwardedChain(
  leaf: nodeCrypto.X509Certificate,
  forwarded: nodeCrypto.X509Certificate[],
  store: TrustStore,
  now = Date.now(),
): nodeCrypto.X509Certificate[] {
  if (leaf.ca) throw new ForwardedCertificateError('the client certificate ' + name(leaf) + ' is a CA certificate');
  checkValidity(leaf, 'the client certificate', now);
  checkClientAuth(leaf, 'the client certificate');
  const candidates = [...forwarded, ...store.intermediates];
  const path: nodeCrypto.X509Certificate[] = [];
  let current = leaf;
  for (;;) {
    const root = store.roots.find((r) => signedBy(current, r));
    if (root !== undefined) {
      if (!root.ca)
        throw new ForwardedCertificateError(
          'the issuer ' + name(root) + ' in the CA bundle is not a CA (basicConstraints)',
        );
      checkValidity(root, 'the CA', now);
      path.push(root);
      if (path.length > maxChainDepth)
        throw new ForwardedCertificateError(
          'the chain has ' + path.length + ' certificates above the client certificate (at most ' + maxChainDepth + ')',
        );
      return path;
    }
    const next = candidates.findIndex((i) => signedBy(current, i));
    if (next < 0) {
      const known = path.length === 0 ? 'the client certificate ' + name(leaf) : 'the intermediate ' + name(current);
      throw new ForwardedCertificateError(
        'unknown CA: ' +
          known +
          ' is not issued by a CA in the CA bundle (issuer ' +
          JSON.stringify(current.issuer.replace(/\n/g, ', ')) +
          ')',
      );
    }
    const issuer = candidates.splice(next, 1)[0] as nodeCrypto.X509Certificate;
    if (!issuer.ca)
      throw new ForwardedCertificateError('the issuer ' + name(issuer) + ' is not a CA (basicConstraints)');
    checkValidity(issuer, 'the intermediate', now);
    checkClientAuth(issuer, 'the intermediate');
    path.push(issuer);
    if (path.length >= maxChainDepth)
      throw new ForwardedCertificateError(
        'the chain has more than ' + maxChainDepth + ' certificates above the client certificate',
      );
    current = issuer;
  }
}
