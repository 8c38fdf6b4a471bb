/**
 * PKCS#12 (.p12/.pfx): MAC check, then the bags. Supports what OpenSSL 3 writes by default (PBES2, PBKDF2,
 * AES-256-CBC, SHA-256 MAC), the older pbeWithSHAAnd3-KeyTripleDES-CBC, and the RC2-40 format of mkcert and
 * `openssl -legacy` (decoded with our own RC2, and flagged with the command that converts it, since Node 17+
 * cannot load such files).
 */
import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { readBer } from '../asn1/ber';
import {
  Asn1Error,
  Tag,
  children,
  content,
  parseDer,
  raw,
  readInteger,
  readOid,
  readString,
  type Asn1Node,
} from '../asn1/der';
import { count, digestBytes, hashName, KdfBudget, KdfLimitError, pkcs12KdfWork } from '../crypto/kdfBudget';
import { bmpPassword, pkcs12Kdf, Pkcs12KeyId, type Pkcs12KdfHash } from '../crypto/pkcs12Kdf';
import { MtlsError } from '../errors';
import { describeEncryption, describePkcs8 } from './keys';
import { rc2CbcDecrypt } from './rc2';
import { hashes, OID, pkcs12PbeNames } from '../asn1/oids';
import { describePbe, MAX_SALT_BYTES, pbeWork, readPbe } from './pbeParams';
import type { DecodedPrivateKey, DecodeErrorCode } from './types';

export class Pkcs12Error extends MtlsError {
  constructor(
    override readonly code: 'needs-passphrase' | 'wrong-passphrase' | 'unsupported' | 'too-costly',
    message: string,
  ) {
    super(code, message);
    this.name = 'Pkcs12Error';
  }
}

/** What came out of a PKCS#12 file (certificates as DER, keys already described). */
export interface Pkcs12Contents {
  readonly certificates: { der: Buffer; friendlyName?: string; index: number }[];
  readonly keys: { facts: Omit<DecodedPrivateKey, 'source'>; friendlyName?: string; index: number }[];
  /** Parts that could not be read, each a full sentence. */
  readonly errors: { code: DecodeErrorCode; message: string }[];
  /** Read, but worth telling the user about (the legacy RC2 format that Node 17+ refuses). */
  readonly warnings: { code: 'legacy-rc2'; message: string }[];
  readonly mac: string;
}

/** True when the node is shaped like a PFX: version 3 and a ContentInfo. */
export function looksLikePkcs12(node: Asn1Node): boolean {
  if (node.tag !== Tag.SEQUENCE) return false;
  const [v, ci] = children(node);
  return (
    v?.tag === Tag.INTEGER &&
    content(v).length === 1 &&
    content(v)[0] === 3 &&
    ci?.tag === Tag.SEQUENCE &&
    children(ci)[0]?.tag === Tag.OID
  );
}

/** True when `bytes` begin as a PFX does — a SEQUENCE (of any length form, BER's indefinite one too), then INTEGER 3. */
export function startsLikePfx(bytes: Buffer): boolean {
  if (bytes.length < 5 || bytes[0] !== Tag.SEQUENCE) return false;
  const l = bytes[1];
  const at = l > 0x80 ? 2 + (l & 0x7f) : 2;
  return bytes[at] === Tag.INTEGER && bytes[at + 1] === 1 && bytes[at + 2] === 3;
}

/**
 * A PFX written in BER (NSS's pk12util, some Java and Windows exports), re-encoded as DER, and where it ended in
 * `bytes`. Throws Asn1Error when the BER is malformed or the element is not a PFX.
 */
export function readBerPfx(bytes: Buffer): { node: Asn1Node; end: number } {
  const { der, end } = readBer(bytes);
  const node = parseDer(der);
  if (!looksLikePkcs12(node)) throw new Asn1Error('BER-encoded data that is not a PKCS#12 file', 0);
  return { node, end };
}

/**
 * One layer inside a PFX (the AuthenticatedSafe, a SafeContents), which RFC 7292 lets be BER; certificates in its
 * bags stay the exact bytes of their OCTET STRINGs, for the strict DER reader.
 */
function parseLayer(bytes: Buffer): Asn1Node {
  const { der, end } = readBer(bytes);
  if (end !== bytes.length) throw new Asn1Error(`${bytes.length - end} trailing bytes after a PKCS#12 layer`, end);
  return parseDer(der);
}

/** The octets of an OCTET STRING, or of an [n] IMPLICIT one that BER may split into OCTET STRING pieces. */
function octets(node: Asn1Node): Buffer {
  if (!node.constructed) return content(node);
  const pieces = children(node);
  for (const p of pieces)
    if (p.tag !== Tag.OCTET_STRING)
      throw new Asn1Error('PKCS#12: encrypted content pieces must be OCTET STRINGs', p.start);
  return Buffer.concat(pieces.map(content));
}

/** Content of a ContentInfo of type data: the OCTET STRING inside [0]. */
function dataContent(ci: Asn1Node): Buffer {
  const [oid, wrap] = children(ci);
  if (readOid(oid) !== OID.pkcs7Data || !wrap) throw new Asn1Error('PKCS#12: expected a data ContentInfo', ci.start);
  const oct = children(wrap)[0];
  if (!oct || oct.tag !== Tag.OCTET_STRING) throw new Asn1Error('PKCS#12: the data is not an OCTET STRING', wrap.start);
  return content(oct);
}

const MAC_HASHES: ReadonlySet<string> = new Set<Pkcs12KdfHash>(['sha1', 'sha256', 'sha384', 'sha512']);

/**
 * Verifies the MAC with `password` — for no passphrase, the empty one in both encodings OpenSSL tries — once the
 * budget has room for it. A digest whose length is not the hash's can never verify: refused without any work.
 */
function verifyMac(
  macData: Asn1Node,
  data: Buffer,
  password: string,
  tryBothEmpty: boolean,
  budget: KdfBudget,
): { ok: boolean; desc: string } {
  const [digestInfo, saltNode, iterNode] = children(macData);
  if (digestInfo?.tag !== Tag.SEQUENCE || saltNode?.tag !== Tag.OCTET_STRING)
    throw new Asn1Error('PKCS#12: MacData needs a digest and a salt', macData.start);
  const [algId, digestNode] = children(digestInfo);
  const hashOid = readOid(children(algId)[0]);
  const hash = hashes[hashOid];
  if (hash === undefined || !MAC_HASHES.has(hash)) {
    throw new Pkcs12Error('unsupported', `PKCS#12: MAC algorithm ${hash ?? hashOid} is not supported`);
  }
  const h = hash as Pkcs12KdfHash;
  const expected = content(digestNode);
  const size = digestBytes(h) ?? 0;
  const iter = iterNode ? Number(readInteger(iterNode)) : 1;
  if (!(iter >= 1))
    throw new Pkcs12Error(
      'unsupported',
      `PKCS#12: the MAC iteration count ${iter} is not a positive number — not decoded`,
    );
  if (expected.length !== size) {
    throw new Pkcs12Error(
      'unsupported',
      `PKCS#12: the MAC asks for ${count(iter)} iterations of ${hashName(h)} with a ${count(expected.length)}-byte digest, but ${hashName(h)} gives ${size} bytes — not decoded`,
    );
  }
  const salt = content(saltNode);
  if (salt.length > MAX_SALT_BYTES)
    throw new Pkcs12Error(
      'unsupported',
      `PKCS#12: the MAC salt is ${count(salt.length)} bytes long; at most ${count(MAX_SALT_BYTES)} are accepted — not decoded`,
    );
  // OpenSSL tries an empty password both as a BMP NUL terminator and as no bytes at all.
  const candidates = tryBothEmpty ? [bmpPassword(''), Buffer.alloc(0)] : [bmpPassword(password)];
  try {
    budget.charge(pkcs12KdfWork('the MAC', h, iter, size, candidates.length));
  } catch (e) {
    if (e instanceof KdfLimitError) throw new Pkcs12Error('too-costly', `PKCS#12: ${e.message}`);
    throw e;
  }
  for (const pw of candidates) {
    const key = pkcs12Kdf(h, pw, salt, Pkcs12KeyId.mac, iter, size);
    const mac = createHmac(h, key).update(data).digest();
    if (timingSafeEqual(mac, expected)) return { ok: true, desc: `${h}, ${iter} iterations` };
  }
  return { ok: false, desc: `${h}, ${iter} iterations` };
}

/** Decrypts PKCS#12 / PKCS#5 encrypted content with the algorithms OpenSSL writes, charging the budget first. */
function decrypt(
  alg: Asn1Node,
  data: Buffer,
  password: string,
  what: string,
  budget: KdfBudget,
  legacy: string[],
): Buffer {
  const pbe = readPbe(alg);
  budget.charge(...pbeWork(pbe, `the ${what}`));
  if (pbe.kind === 'pbkdf2') {
    if (!pbe.cipher || !pbe.prf || !pbe.iv)
      throw new Pkcs12Error('unsupported', `PKCS#12: ${what} uses ${describePbe(pbe)}, which is not supported`);
    const key = pbkdf2Sync(Buffer.from(password, 'utf8'), pbe.salt, pbe.iterations, pbe.cipher.keyLength, pbe.prf);
    return decipher(pbe.cipher.node, key, pbe.iv, data, what);
  }
  if (pbe.kind === 'pkcs12' && pbe.oid === OID.pbeSha1TripleDes) {
    const pw = bmpPassword(password);
    const key = pkcs12Kdf('sha1', pw, pbe.salt, Pkcs12KeyId.key, pbe.iterations, 24);
    const iv = pkcs12Kdf('sha1', pw, pbe.salt, Pkcs12KeyId.iv, pbe.iterations, 8);
    return decipher('des-ede3-cbc', key, iv, data, what);
  }
  if (pbe.kind === 'pkcs12' && (pbe.oid === OID.pbeSha1Rc2_40 || pbe.oid === OID.pbeSha1Rc2_128)) {
    const pw = bmpPassword(password);
    const key = pkcs12Kdf('sha1', pw, pbe.salt, Pkcs12KeyId.key, pbe.iterations, pbe.keyBytes);
    const iv = pkcs12Kdf('sha1', pw, pbe.salt, Pkcs12KeyId.iv, pbe.iterations, 8);
    legacy.push(`the ${what} is encrypted with ${pkcs12PbeNames[pbe.oid]}`);
    try {
      return rc2CbcDecrypt(key, pbe.keyBytes * 8, iv, data);
    } catch {
      throw new Pkcs12Error('unsupported', `PKCS#12: the ${what} could not be decrypted (damaged data)`);
    }
  }
  if (pbe.kind === 'scrypt' || (pbe.kind === 'other' && pbe.kdfOid !== undefined)) {
    throw new Pkcs12Error('unsupported', `PKCS#12: ${what} uses ${describePbe(pbe)}, which is not supported`);
  }
  throw new Pkcs12Error(
    'unsupported',
    `PKCS#12: ${what} is encrypted with ${describePbe(pbe)}, which is not supported`,
  );
}

function decipher(name: string, key: Buffer, iv: Buffer, data: Buffer, what: string): Buffer {
  try {
    const d = createDecipheriv(name, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch {
    throw new Pkcs12Error('unsupported', `PKCS#12: the ${what} could not be decrypted (damaged data)`);
  }
}

function friendlyName(attrs: Asn1Node | undefined): string | undefined {
  if (!attrs) return undefined;
  for (const a of children(attrs)) {
    const [t, values] = children(a);
    if (readOid(t) === OID.friendlyName && values) {
      const v = children(values)[0];
      if (v) return readString(v);
    }
  }
  return undefined;
}

/** The encryption AlgorithmIdentifiers visible before decrypting anything: EncryptedData contents and shrouded keys in plain contents. */
function visibleEncryption(contentInfos: readonly Asn1Node[]): { alg: Asn1Node; what: string }[] {
  const out: { alg: Asn1Node; what: string }[] = [];
  for (const ci of contentInfos) {
    try {
      const type = readOid(children(ci)[0]);
      if (type === OID.pkcs7EncryptedData) {
        const [, eci] = children(children(children(ci)[1])[0]);
        out.push({ alg: children(eci)[1], what: 'certificate bag' });
      } else if (type === OID.pkcs7Data) {
        for (const bag of children(parseLayer(dataContent(ci)))) {
          const [idNode, valueWrap] = children(bag);
          if (readOid(idNode) === OID.shroudedKeyBag && valueWrap)
            out.push({ alg: children(children(valueWrap)[0])[0], what: 'private key' });
        }
      }
    } catch {
      // Malformed parts are reported where they are read; here they cost nothing.
    }
  }
  return out.filter((x) => x.alg !== undefined);
}

/**
 * Opens a PFX: verifies the MAC (typed errors for a missing or wrong passphrase) and reads every bag. Every key
 * derivation is priced against `budget` first: the MAC before it is computed, then all the visible encryption
 * at once (refused as a whole — Pkcs12Error 'too-costly' — if it does not fit), then each as it is done.
 */
export function openPkcs12(
  pfx: Asn1Node,
  passphrase: string | undefined,
  budget: KdfBudget = new KdfBudget(),
): Pkcs12Contents {
  return readPkcs12(pfx, passphrase, budget);
}

/**
 * `openPkcs12`, plus each key's decrypted PKCS#8 DER (`keyDer[i]` is `keys[i]`'s), for presenting the file to TLS.
 * Key material: hand it to a TLS context only — never show, log or write it.
 */
export function openPkcs12WithKeys(
  pfx: Asn1Node,
  passphrase: string | undefined,
  budget: KdfBudget = new KdfBudget(),
): Pkcs12Contents & { readonly keyDer: Buffer[] } {
  const keyDer: Buffer[] = [];
  return { ...readPkcs12(pfx, passphrase, budget, keyDer), keyDer };
}

/** Reads a PFX; with `keyDer`, keeps each key's plain PKCS#8 DER there, in the order of `keys`. */
function readPkcs12(
  pfx: Asn1Node,
  passphrase: string | undefined,
  budget: KdfBudget,
  keyDer?: Buffer[],
): Pkcs12Contents {
  const [, authSafe, macData] = children(pfx);
  const data = dataContent(authSafe);
  let mac = 'none';
  const password = passphrase ?? '';
  if (macData) {
    const r = verifyMac(macData, data, password, passphrase === undefined || passphrase === '', budget);
    mac = r.desc;
    if (!r.ok) {
      if (passphrase === undefined)
        throw new Pkcs12Error(
          'needs-passphrase',
          'PKCS#12: this file is protected by a passphrase; provide it to decode the certificates and keys',
        );
      throw new Pkcs12Error('wrong-passphrase', 'PKCS#12: wrong passphrase (MAC verify failed)');
    }
  }
  const contentInfos = children(parseLayer(data));
  try {
    budget.ensure(
      visibleEncryption(contentInfos).flatMap(({ alg, what }) => {
        try {
          return pbeWork(readPbe(alg), `the ${what}`);
        } catch {
          return []; // malformed parameters: refused when that part is read
        }
      }),
    );
  } catch (e) {
    if (e instanceof KdfLimitError) throw new Pkcs12Error('too-costly', `PKCS#12: ${e.message}`);
    throw e;
  }
  const out: Pkcs12Contents = { certificates: [], keys: [], errors: [], warnings: [], mac };
  const legacy: string[] = [];
  let index = 0;
  for (const ci of contentInfos) {
    let safeContents: Buffer;
    const type = readOid(children(ci)[0]);
    try {
      if (type === OID.pkcs7Data) {
        safeContents = dataContent(ci);
      } else if (type === OID.pkcs7EncryptedData) {
        const ed = children(children(ci)[1])[0];
        const [, eci] = children(ed);
        const [, alg, enc] = children(eci);
        if (!enc) throw new Asn1Error('PKCS#12: encrypted data has no content', eci.start);
        safeContents = decrypt(alg, octets(enc), password, 'certificate bag', budget, legacy);
      } else {
        out.errors.push({ code: 'unsupported', message: `PKCS#12: content type ${type} is not supported` });
        continue;
      }
    } catch (e) {
      out.errors.push(bagError(e));
      continue;
    }
    for (const bag of children(parseLayer(safeContents))) {
      const [idNode, valueWrap, attrs] = children(bag);
      const id = readOid(idNode);
      const value = valueWrap ? children(valueWrap)[0] : undefined;
      const name = friendlyName(attrs);
      const at = index++;
      if (!value) continue;
      try {
        if (id === OID.certBag) {
          const [certType, certWrap] = children(value);
          if (readOid(certType) !== OID.x509Certificate) continue;
          out.certificates.push({ der: content(children(certWrap)[0]), friendlyName: name, index: at });
        } else if (id === OID.keyBag) {
          out.keys.push({ facts: describePkcs8(value), friendlyName: name, index: at });
          keyDer?.push(raw(value));
        } else if (id === OID.shroudedKeyBag) {
          const [alg, enc] = children(value);
          const plain = decrypt(alg, content(enc), password, 'private key', budget, legacy);
          out.keys.push({
            facts: { ...describePkcs8(parseDer(plain)), encrypted: true, encryption: describeEncryption(alg) },
            friendlyName: name,
            index: at,
          });
          keyDer?.push(plain);
        }
      } catch (e) {
        out.errors.push(bagError(e));
      }
    }
  }
  if (legacy.length > 0) {
    out.warnings.push({
      code: 'legacy-rc2',
      message:
        `PKCS#12: ${legacy[0]} — the legacy RC2 format written by mkcert and \`openssl pkcs12 -export -legacy\`, which OpenSSL 3 and Node 17+ refuse to load. ` +
        'Convert it: openssl pkcs12 -legacy -in OLD.p12 -nodes -out tmp.pem && openssl pkcs12 -export -in tmp.pem -out NEW.p12 (then delete tmp.pem)',
    });
  }
  return out;
}

/** A bag that could not be read, as a typed error entry. */
function bagError(e: unknown): { code: DecodeErrorCode; message: string } {
  if (e instanceof KdfLimitError) return { code: 'too-costly', message: `PKCS#12: ${e.message}` };
  if (e instanceof Pkcs12Error) return { code: e.code, message: e.message };
  return { code: e instanceof Asn1Error ? 'der' : 'unsupported', message: e instanceof Error ? e.message : String(e) };
}
