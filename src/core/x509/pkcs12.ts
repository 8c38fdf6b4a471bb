/**
 * PKCS#12 (.p12/.pfx): MAC check, then the bags. Supports what OpenSSL 3 writes by default (PBES2, PBKDF2,
 * AES-256-CBC, SHA-256 MAC), the older pbeWithSHAAnd3-KeyTripleDES-CBC, and the RC2-40 format of mkcert and
 * `openssl -legacy` (decoded with our own RC2, and flagged with the command that converts it, since Node 17+
 * cannot load such files).
 */
import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { Asn1Error, Tag, children, content, parseDer, readInteger, readOid, readString, type Asn1Node } from '../asn1/der';
import { bmpPassword, pkcs12Kdf, Pkcs12KeyId } from '../crypto/pkcs12Kdf';
import { MtlsError } from '../errors';
import { describeEncryption, describePkcs8 } from './keys';
import { rc2CbcDecrypt } from './rc2';
import { ciphers, hashes, OID, pkcs12PbeNames } from './oids';
import type { DecodedPrivateKey } from './types';

// Bounds that keep a hostile or corrupted file from hanging the decoder (OpenSSL writes 2048).
const MAX_KDF_ITERATIONS = 200_000;
const MAX_PBKDF2_ITERATIONS = 5_000_000;
// Across one file, so a crafted PFX with many bags cannot add up to minutes of key derivation.
const MAX_TOTAL_ITERATIONS = 10_000_000;

/** Key-derivation work left for the file being opened. */
interface Budget {
  left: number;
}

export class Pkcs12Error extends MtlsError {
  constructor(code: 'needs-passphrase' | 'wrong-passphrase' | 'unsupported', message: string) {
    super(code, message);
    this.name = 'Pkcs12Error';
  }
}

/** What came out of a PKCS#12 file (certificates as DER, keys already described). */
export interface Pkcs12Contents {
  readonly certificates: { der: Buffer; friendlyName?: string; index: number }[];
  readonly keys: { facts: Omit<DecodedPrivateKey, 'source'>; friendlyName?: string; index: number }[];
  /** Parts that could not be read, each a full sentence. */
  readonly errors: { code: string; message: string }[];
  /** Read, but worth telling the user about (the legacy RC2 format that Node 17+ refuses). */
  readonly warnings: { code: string; message: string }[];
  readonly mac: string;
}

/** True when the node is shaped like a PFX: version 3 and a ContentInfo. */
export function looksLikePkcs12(node: Asn1Node): boolean {
  if (node.tag !== Tag.SEQUENCE) return false;
  const [v, ci] = children(node);
  return v?.tag === Tag.INTEGER && content(v).length === 1 && content(v)[0] === 3 && ci?.tag === Tag.SEQUENCE && children(ci)[0]?.tag === Tag.OID;
}

/** Content of a ContentInfo of type data: the OCTET STRING inside [0]. */
function dataContent(ci: Asn1Node): Buffer {
  const [oid, wrap] = children(ci);
  if (readOid(oid) !== OID.pkcs7Data || !wrap) throw new Asn1Error('PKCS#12: expected a data ContentInfo', ci.start);
  const oct = children(wrap)[0];
  if (!oct || oct.tag !== Tag.OCTET_STRING) throw new Asn1Error('PKCS#12: data is not a DER OCTET STRING (BER-encoded files are not supported)', wrap.start);
  return content(oct);
}

function iterations(n: Asn1Node | undefined, max: number, budget: Budget): number {
  const it = n ? Number(readInteger(n)) : 1;
  if (!(it >= 1 && it <= max)) throw new Pkcs12Error('unsupported', `PKCS#12: iteration count ${it} is outside what this decoder accepts (1–${max})`);
  budget.left -= it;
  if (budget.left < 0) throw new Pkcs12Error('unsupported', 'PKCS#12: the file asks for more key-derivation work than this decoder allows');
  return it;
}

function verifyMac(macData: Asn1Node, data: Buffer, password: string, budget: Budget): { ok: boolean; desc: string } {
  const [digestInfo, saltNode, iterNode] = children(macData);
  const [algId, digestNode] = children(digestInfo);
  const hashOid = readOid(children(algId)[0]);
  const hash = hashes[hashOid];
  if (hash !== 'sha1' && hash !== 'sha256' && hash !== 'sha384' && hash !== 'sha512') {
    throw new Pkcs12Error('unsupported', `PKCS#12: MAC algorithm ${hash ?? hashOid} is not supported`);
  }
  const salt = content(saltNode);
  const iter = iterations(iterNode, MAX_KDF_ITERATIONS, budget);
  const expected = content(digestNode);
  // OpenSSL tries an empty password both as a BMP NUL terminator and as no bytes at all.
  const candidates = password === '' ? [bmpPassword(''), Buffer.alloc(0)] : [bmpPassword(password)];
  for (const pw of candidates) {
    const key = pkcs12Kdf(hash, pw, salt, Pkcs12KeyId.mac, iter, expected.length);
    const mac = createHmac(hash, key).update(data).digest();
    if (mac.length === expected.length && timingSafeEqual(mac, expected)) return { ok: true, desc: `${hash}, ${iter} iterations` };
  }
  return { ok: false, desc: `${hash}, ${iter} iterations` };
}

/** Decrypts PKCS#12 / PKCS#5 encrypted content with the algorithms OpenSSL writes. */
function decrypt(alg: Asn1Node, data: Buffer, password: string, what: string, budget: Budget, legacy: string[]): Buffer {
  const [oidNode, params] = children(alg);
  const oid = readOid(oidNode);
  if (oid === OID.pbes2 && params) {
    const [kdf, scheme] = children(params);
    if (readOid(children(kdf)[0]) !== OID.pbkdf2) throw new Pkcs12Error('unsupported', `PKCS#12: ${what} uses a key derivation other than PBKDF2`);
    const kp = children(children(kdf)[1]);
    const salt = content(kp[0]);
    const iter = iterations(kp[1], MAX_PBKDF2_ITERATIONS, budget);
    const prfNode = kp.slice(2).find((x) => x.tag === Tag.SEQUENCE);
    const prf = prfNode ? hashes[readOid(children(prfNode)[0])] : 'sha1';
    const [cOid, ivNode] = children(scheme);
    const cipher = ciphers[readOid(cOid)];
    if (!cipher || !prf) throw new Pkcs12Error('unsupported', `PKCS#12: ${what} uses ${describeEncryption(alg)}, which is not supported`);
    const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iter, cipher.keyLength, prf);
    return decipher(cipher.node, key, content(ivNode), data, what);
  }
  if (oid === OID.pbeSha1TripleDes && params) {
    const [saltNode, iterNode] = children(params);
    const iter = iterations(iterNode, MAX_KDF_ITERATIONS, budget);
    const pw = bmpPassword(password);
    const key = pkcs12Kdf('sha1', pw, content(saltNode), Pkcs12KeyId.key, iter, 24);
    const iv = pkcs12Kdf('sha1', pw, content(saltNode), Pkcs12KeyId.iv, iter, 8);
    return decipher('des-ede3-cbc', key, iv, data, what);
  }
  if ((oid === OID.pbeSha1Rc2_40 || oid === OID.pbeSha1Rc2_128) && params) {
    const [saltNode, iterNode] = children(params);
    const iter = iterations(iterNode, MAX_KDF_ITERATIONS, budget);
    const pw = bmpPassword(password);
    const bits = oid === OID.pbeSha1Rc2_40 ? 40 : 128;
    const key = pkcs12Kdf('sha1', pw, content(saltNode), Pkcs12KeyId.key, iter, bits / 8);
    const iv = pkcs12Kdf('sha1', pw, content(saltNode), Pkcs12KeyId.iv, iter, 8);
    legacy.push(`the ${what} is encrypted with ${pkcs12PbeNames[oid]}`);
    try {
      return rc2CbcDecrypt(key, bits, iv, data);
    } catch {
      throw new Pkcs12Error('unsupported', `PKCS#12: the ${what} could not be decrypted (damaged data)`);
    }
  }
  throw new Pkcs12Error('unsupported', `PKCS#12: ${what} is encrypted with ${pkcs12PbeNames[oid] ?? oid}, which is not supported`);
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

/** Opens a PFX: verifies the MAC (typed errors for a missing or wrong passphrase) and reads every bag. */
export function openPkcs12(pfx: Asn1Node, passphrase: string | undefined): Pkcs12Contents {
  const [, authSafe, macData] = children(pfx);
  const data = dataContent(authSafe);
  let mac = 'none';
  const password = passphrase ?? '';
  const budget: Budget = { left: MAX_TOTAL_ITERATIONS };
  if (macData) {
    const r = verifyMac(macData, data, password, budget);
    mac = r.desc;
    if (!r.ok) {
      if (passphrase === undefined) throw new Pkcs12Error('needs-passphrase', 'PKCS#12: this file is protected by a passphrase; provide it to decode the certificates and keys');
      throw new Pkcs12Error('wrong-passphrase', 'PKCS#12: wrong passphrase (MAC verify failed)');
    }
  }
  const out: Pkcs12Contents = { certificates: [], keys: [], errors: [], warnings: [], mac };
  const legacy: string[] = [];
  let index = 0;
  for (const ci of children(parseDer(data))) {
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
        safeContents = decrypt(alg, content(enc), password, 'certificate bag', budget, legacy);
      } else {
        out.errors.push({ code: 'unsupported', message: `PKCS#12: content type ${type} is not supported` });
        continue;
      }
    } catch (e) {
      if (e instanceof Pkcs12Error && e.code !== 'unsupported') out.errors.push({ code: e.code, message: e.message });
      else out.errors.push({ code: 'unsupported', message: e instanceof Error ? e.message : String(e) });
      continue;
    }
    for (const bag of children(parseDer(safeContents))) {
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
        } else if (id === OID.shroudedKeyBag) {
          const [alg, enc] = children(value);
          const plain = decrypt(alg, content(enc), password, 'private key', budget, legacy);
          out.keys.push({ facts: { ...describePkcs8(parseDer(plain)), encrypted: true, encryption: describeEncryption(alg) }, friendlyName: name, index: at });
        }
      } catch (e) {
        out.errors.push({ code: e instanceof Pkcs12Error ? e.code : 'der', message: e instanceof Error ? e.message : String(e) });
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
