/** Which certificate issued which (by signature, not just by name), each one's role, and key ↔ certificate pairing. */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { ParsedCertificate } from './certificate';
import { verifySignature, verifySignatureInPool } from './keys';
import type {
  CertificateUsage,
  ChainInfo,
  ChainLink,
  DecodedCertificate,
  DecodedPrivateKey,
  PublicKeyInfo,
} from './types';

/** Time one file's signature checks may take; beyond it, the rest are reported as not checked (never as valid). */
const SIGNATURE_WORK_LIMIT_MS = 400;

/** Same-name candidate issuers tried per certificate (key identifiers first), so 5,000 same-name CAs stay linear. */
const MAX_ISSUER_CANDIDATES = 8;

/** Estimated milliseconds to load a public key from its SPKI (OpenSSL 3's decoder), once per issuer. */
const KEY_LOAD_MS = 0.15;

/**
 * Estimated milliseconds of one verify with `key` on a 2-core cloud VM (OpenSSL 3.0: P-384 has no fast path;
 * RSA grows with the square of the modulus).
 */
function verifyCostMs(key: PublicKeyInfo): number {
  if (key.algorithm === 'RSA' || key.algorithm === 'RSA-PSS') return 0.03 * ((key.bits ?? 4096) / 2048) ** 2;
  if (key.algorithm === 'EC') return key.curve === 'P-256' ? 0.08 : key.curve === 'P-384' ? 1 : 1.5;
  if (key.algorithm === 'Ed25519') return 0.1;
  return 1;
}

type Entry = { item: number; parsed: ParsedCertificate };

/**
 * Checks signatures against a per-file time estimate; `undefined` once the budget would be exceeded. Self-signatures
 * can be started early on the thread pool (`startSelfCheck`, as certificates are parsed); chain building then reads
 * their results, charged once, in the same order as a synchronous run: both give the same answers.
 */
export class SignatureChecker {
  private spentMs = 0;
  private readonly keys = new Map<number, KeyObject | null>();
  /** Self-checks started early: the answer once settled; undefined when the budget did not cover one. */
  private readonly started = new Map<number, boolean | undefined>();
  private readonly pending: Promise<void>[] = [];
  constructor(private readonly limitMs = SIGNATURE_WORK_LIMIT_MS) {}

  /** Did `issuer`'s key sign `child`? undefined: not checked (out of budget). False on any failure, never a throw. */
  check(child: Entry, issuer: Entry): boolean | undefined {
    if (child === issuer && this.started.has(child.item)) return this.started.get(child.item);
    const key = this.charge(issuer);
    if (key === undefined) return undefined;
    const c = child.parsed;
    return key !== null && verifySignature(c.decoded.signatureAlgorithm, c.tbsDer, key, c.signature);
  }

  /**
   * Starts a self-issued certificate's self-signature check on the thread pool; `settled()` waits for all of them.
   * The key goes to the check as DER and is not kept: in a bundle of roots each key is used this once, and the
   * KeyObject would cost more than the check's own key load. Should the certificate issue another one in the
   * file, chain building loads its key then; the budget is charged for one load, as in a synchronous run, so
   * both still give the same answers.
   */
  startSelfCheck(c: Entry): void {
    if (this.started.has(c.item)) return;
    const cached = this.keys.get(c.item);
    if (!this.afford(c, cached === undefined)) {
      this.started.set(c.item, undefined);
      return;
    }
    this.started.set(c.item, false);
    if (cached === null) return;
    const p = c.parsed;
    this.pending.push(
      verifySignatureInPool(p.decoded.signatureAlgorithm, p.tbsDer, cached ?? p.spkiDer, p.signature).then(
        (ok) => void this.started.set(c.item, ok),
      ),
    );
  }

  async settled(): Promise<void> {
    await Promise.all(this.pending);
  }

  /** Spends the estimate for one verify with `issuer`'s key (and for loading that key): false when over budget. */
  private afford(issuer: Entry, loadsKey: boolean): boolean {
    const cost = verifyCostMs(issuer.parsed.decoded.publicKey) + (loadsKey ? KEY_LOAD_MS : 0);
    if (this.spentMs + cost > this.limitMs) return false;
    this.spentMs += cost;
    return true;
  }

  /** Spends the estimate for one verify with `issuer`'s key and loads that key once: undefined when over budget, null when unusable. */
  private charge(issuer: Entry): KeyObject | null | undefined {
    let key = this.keys.get(issuer.item);
    // A self-check started early has paid for loading this key already (it passed the key as DER).
    const loadPaid = this.started.get(issuer.item) !== undefined;
    if (!this.afford(issuer, key === undefined && !loadPaid)) return undefined;
    if (key === undefined) {
      try {
        key = createPublicKey({ key: issuer.parsed.spkiDer, format: 'der', type: 'spki' });
      } catch {
        key = null;
      }
      this.keys.set(issuer.item, key);
    }
    return key;
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

/**
 * Links every certificate to its issuer in the same set, fills in selfSigned/role/usage, and finds the leaf-to-root
 * path. Issuers are indexed by subject and ordered by key identifier; every self-signature is checked first, then
 * links, all within one signature budget: what the budget does not cover is marked unchecked, never assumed valid.
 */
export function buildChain(certs: readonly Entry[], checker = new SignatureChecker()): Omit<ChainInfo, 'keyMatches'> {
  // Issuers indexed by subject, and by subject + subject key id, so thousands of same-name CAs stay linear.
  const bySubject = new Map<string, Entry[]>();
  const bySubjectKey = new Map<string, Entry[]>();
  const add = (map: Map<string, Entry[]>, k: string, c: Entry): void => {
    const list = map.get(k);
    if (list) list.push(c);
    else map.set(k, [c]);
  };
  for (const c of certs) {
    const subject = c.parsed.subjectDer.toString('latin1');
    add(bySubject, subject, c);
    add(bySubjectKey, `${subject}\0${c.parsed.decoded.subjectKeyIdentifier ?? ''}`, c);
  }
  /** Up to MAX_ISSUER_CANDIDATES same-name certificates: those whose key id is the authority key id first, then those without one. */
  const candidatesFor = (c: Entry): Entry[] => {
    const issuer = c.parsed.issuerDer.toString('latin1');
    const aki = c.parsed.decoded.authorityKeyIdentifier?.keyId;
    const out: Entry[] = [];
    const take = (list: readonly Entry[] | undefined, keep: (o: Entry) => boolean): void => {
      for (const o of list ?? []) {
        if (out.length >= MAX_ISSUER_CANDIDATES) return;
        if (o.item !== c.item && keep(o)) out.push(o);
      }
    };
    if (aki === undefined) take(bySubject.get(issuer), () => true);
    else {
      // OpenSSL's check_issued: a candidate whose subject key id differs from the authority key id is not the issuer.
      take(bySubjectKey.get(`${issuer}\0${aki}`), () => true);
      take(bySubjectKey.get(`${issuer}\0`), () => true);
    }
    return out;
  };
  const unchecked = new Set<number>();
  for (const c of certs) {
    const d = c.parsed.decoded;
    if (!d.selfIssued) continue;
    const ok = checker.check(c, c);
    d.selfSigned = ok === true;
    if (ok === undefined) unchecked.add(c.item);
  }
  const links: ChainLink[] = [];
  for (const c of certs) {
    const { item, parsed } = c;
    const d = parsed.decoded;
    let link: ChainLink = { item, issuer: null, verified: false };
    let sameName: Entry[] = [];
    if (d.selfSigned) {
      link = { item, issuer: item, verified: true };
    } else if (!unchecked.has(item)) {
      const named = bySubject.get(parsed.issuerDer.toString('latin1')) ?? [];
      sameName = named[0]?.item === item ? named.slice(1, 2) : named.slice(0, 1);
      const candidates = candidatesFor(c);
      for (const o of candidates) {
        const ok = checker.check(c, o);
        if (ok === undefined) {
          unchecked.add(item);
          break;
        }
        if (ok) {
          link = { item, issuer: o.item, verified: true };
          break;
        }
        if (link.issuer === null) link = { item, issuer: o.item, verified: false };
      }
    }
    // Only same-name certificates with other key ids: named, never verified — a broken chain, not a missing issuer.
    if (link.issuer === null && !d.selfSigned && sameName.length > 0)
      link = { item, issuer: sameName[0].item, verified: false };
    if (unchecked.has(item)) link = { item, issuer: null, verified: false, unchecked: true };
    links.push(link);
    d.role = d.isCa ? (d.selfSigned ? 'root' : 'intermediate') : 'leaf';
    d.usage = usageOf(d);
  }
  // The path starts at a certificate nobody else in the set names as issuer (the leaf end) and follows verified
  // links only, so a same-name issuer whose key does not verify is never shown on it; in a bundle, the longest wins.
  const issuers = new Set(links.filter((l) => l.issuer !== l.item).map((l) => l.issuer));
  const byItem = new Map(links.map((l) => [l.item, l]));
  const walk = (from: ChainLink): { path: number[]; complete: boolean } => {
    const path: number[] = [];
    const seen = new Set<number>();
    for (
      let cur: ChainLink | undefined = from;
      cur && !seen.has(cur.item);
      cur = cur.verified && cur.issuer !== null ? byItem.get(cur.issuer) : undefined
    ) {
      path.push(cur.item);
      seen.add(cur.item);
      if (cur.issuer === cur.item) return { path, complete: cur.verified };
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
