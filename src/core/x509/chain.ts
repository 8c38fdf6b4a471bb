/** Which certificate issued which (by signature, not just by name), each one's role, and key ↔ certificate pairing. */
import type { ParsedCertificate } from './certificate';
import type { CertificateUsage, ChainInfo, ChainLink, DecodedCertificate, DecodedPrivateKey } from './types';

/**
 * Files with more certificates than this are trust-store bundles (Node's root store, ca-certificates): their
 * self-issued roots are classified by name and key identifiers, as OpenSSL treats trust anchors, instead of
 * verifying 100+ self-signatures (P-384 and RSA-4096 verifies cost ~1 ms each and prove nothing about trust).
 * Every link between two different certificates is still verified by signature.
 */
export const VERIFY_SELF_SIGNATURES_UP_TO = 16;

/** Self-issued, and its authority key id (if any) names its own subject key id: OpenSSL's EXFLAG_SS test. */
function selfSignedByIds(d: ParsedCertificate['decoded']): boolean {
  const aki = d.authorityKeyIdentifier?.keyId;
  return d.selfIssued && (aki === undefined || d.subjectKeyIdentifier === undefined || aki === d.subjectKeyIdentifier);
}

/** Verifies `child`'s signature with `issuer`'s key; false on any failure (a broken chain, not a crash). */
function signedBy(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  try {
    const c = child.x509();
    const i = issuer.x509();
    return c.checkIssued(i) && c.verify(i.publicKey);
  } catch {
    return false;
  }
}

function usageOf(c: DecodedCertificate): CertificateUsage {
  if (c.isCa) return 'ca';
  const eku = c.extendedKeyUsage;
  if (!eku || eku.includes('anyExtendedKeyUsage')) return 'any';
  const s = eku.includes('serverAuth');
  const cl = eku.includes('clientAuth');
  return s && cl ? 'server+client' : s ? 'server' : cl ? 'client' : 'other';
}

/** Links every certificate to its issuer in the same set, fills in selfSigned/role/usage, and finds the leaf-to-root path. */
export function buildChain(certs: readonly { item: number; parsed: ParsedCertificate }[]): Omit<ChainInfo, 'keyMatches'> {
  const links: ChainLink[] = [];
  const verifySelf = certs.length <= VERIFY_SELF_SIGNATURES_UP_TO;
  for (const { item, parsed } of certs) {
    const d = parsed.decoded;
    if (d.selfIssued) d.selfSigned = verifySelf ? signedBy(parsed, parsed) : selfSignedByIds(d);
    let link: ChainLink = { item, issuer: null, verified: false };
    if (d.selfSigned) {
      link = { item, issuer: item, verified: verifySelf };
    } else {
      for (const other of certs) {
        if (other.item === item || !other.parsed.subjectDer.equals(parsed.issuerDer)) continue;
        const ok = signedBy(parsed, other.parsed);
        if (ok) {
          link = { item, issuer: other.item, verified: true };
          break;
        }
        if (link.issuer === null) link = { item, issuer: other.item, verified: false };
      }
    }
    links.push(link);
    d.role = d.isCa ? (d.selfSigned ? 'root' : 'intermediate') : 'leaf';
    d.usage = usageOf(d);
  }
  // The path starts at a certificate nobody else in the set names as issuer (the leaf end); with several
  // candidates (a bundle), the longest path wins.
  const issuers = new Set(links.filter((l) => l.issuer !== l.item).map((l) => l.issuer));
  const byItem = new Map(links.map((l) => [l.item, l]));
  // In a bundle, roots are anchors: a path ending at one counts as verified up to it.
  const anchorOk = (l: ChainLink) => l.verified || (!verifySelf && l.issuer === l.item);
  const walk = (from: ChainLink): { path: number[]; complete: boolean } => {
    const path: number[] = [];
    let allVerified = true;
    for (let cur: ChainLink | undefined = from; cur && !path.includes(cur.item); cur = cur.issuer === null ? undefined : byItem.get(cur.issuer)) {
      path.push(cur.item);
      allVerified &&= anchorOk(cur);
      if (cur.issuer === cur.item) return { path, complete: allVerified };
    }
    return { path, complete: false };
  };
  let best: { path: number[]; complete: boolean } = { path: [], complete: false };
  if (links.length === 1) {
    best = { path: [links[0].item], complete: links[0].issuer === links[0].item && links[0].verified };
  } else {
    for (const l of links) {
      if (issuers.has(l.item)) continue;
      const w = walk(l);
      if (w.path.length > best.path.length) best = w;
    }
    // A bundle of unrelated certificates (e.g. a trust store alone) forms no path.
    if (best.path.length < 2) best = { path: [], complete: false };
  }
  const { path, complete } = best;
  return { links, path, complete };
}

/** Pairs private keys with certificates whose public key is the same (by SPKI SHA-256); works across files. */
export function matchKeyToCertificates(
  keys: readonly Pick<DecodedPrivateKey, 'spkiSha256'>[],
  certs: readonly { readonly publicKey: { readonly spkiSha256: string } }[],
): { key: number; certificate: number }[] {
  const out: { key: number; certificate: number }[] = [];
  keys.forEach((k, ki) => {
    if (!k.spkiSha256) return;
    certs.forEach((c, ci) => {
      if (c.publicKey.spkiSha256 === k.spkiSha256) out.push({ key: ki, certificate: ci });
    });
  });
  return out;
}
