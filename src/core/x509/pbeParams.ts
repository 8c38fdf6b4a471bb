/**
 * Password-based encryption parameters (PBES2 with PBKDF2 or scrypt, RFC 8018 and RFC 7914; the PKCS#12 PBEs,
 * RFC 7292 appendix C), read once so that describing, pricing and decrypting agree on what a file asks for.
 */
import { Asn1Error, Tag, children, content, readInteger, readOid, type Asn1Node } from '../asn1/der';
import { count, pbkdf2Work, pkcs12KdfWork, scryptWork, type KdfWork } from '../crypto/kdfBudget';
import { ciphers, hashes, OID, pkcs12PbeNames } from '../asn1/oids';

/** Salts longer than this are refused (OpenSSL writes 8 or 16 bytes; RFC 8018 asks for at least 8). */
export const MAX_SALT_BYTES = 1024;

const SCRYPT_OID = '1.3.6.1.4.1.11591.4.11';

type Cipher = (typeof ciphers)[string];

export type PbeParams =
  | {
      readonly kind: 'pbkdf2';
      readonly salt: Buffer;
      readonly iterations: number;
      readonly prf?: string;
      readonly cipherOid: string;
      readonly cipher?: Cipher;
      readonly iv?: Buffer;
    }
  | {
      readonly kind: 'scrypt';
      readonly n: number;
      readonly r: number;
      readonly p: number;
      readonly cipherOid: string;
      readonly cipher?: Cipher;
    }
  /** PKCS#12 PBE: SHA-1 PKCS#12 KDF for a key of `keyBytes` and (except RC4) an 8-byte IV. */
  | {
      readonly kind: 'pkcs12';
      readonly oid: string;
      readonly salt: Buffer;
      readonly iterations: number;
      readonly keyBytes: number;
      readonly ivBytes: number;
    }
  | { readonly kind: 'other'; readonly oid: string; readonly kdfOid?: string; readonly cipherOid?: string };

const PKCS12_KEY_BYTES: Readonly<Record<string, [number, number]>> = {
  [OID.pbeSha1Rc4_128]: [16, 0],
  [OID.pbeSha1Rc4_40]: [5, 0],
  [OID.pbeSha1TripleDes]: [24, 8],
  [OID.pbeSha1TwoKeyDes]: [16, 8],
  [OID.pbeSha1Rc2_128]: [16, 8],
  [OID.pbeSha1Rc2_40]: [5, 8],
};

/** A positive INTEGER parameter (iterations, N, r, p); a zero, negative or missing one is malformed. */
function positive(node: Asn1Node | undefined, what: string, at: Asn1Node): number {
  if (node?.tag !== Tag.INTEGER) throw new Asn1Error(`${what} is missing`, at.start);
  const v = readInteger(node);
  if (v < 1n) throw new Asn1Error(`${what} is ${v}, not a positive number`, node.start);
  return Number(v);
}

function salt(node: Asn1Node | undefined, at: Asn1Node): Buffer {
  if (node?.tag !== Tag.OCTET_STRING)
    throw new Asn1Error('the salt is missing (only an OCTET STRING salt is supported)', at.start);
  const s = content(node);
  if (s.length > MAX_SALT_BYTES)
    throw new Asn1Error(
      `the salt is ${count(s.length)} bytes long; at most ${count(MAX_SALT_BYTES)} are accepted`,
      node.start,
    );
  return s;
}

/** Reads an encryption AlgorithmIdentifier (EncryptedPrivateKeyInfo, PKCS#12 bags and EncryptedData). */
export function readPbe(alg: Asn1Node): PbeParams {
  const [oidNode, params] = children(alg);
  const oid = readOid(oidNode);
  if (oid === OID.pbes2 && params?.tag === Tag.SEQUENCE) {
    const [kdf, scheme] = children(params);
    if (kdf?.tag !== Tag.SEQUENCE || scheme?.tag !== Tag.SEQUENCE)
      throw new Asn1Error('PBES2 parameters need a key derivation and an encryption scheme', params.start);
    const [kdfOidNode, kdfParams] = children(kdf);
    const kdfOid = readOid(kdfOidNode);
    const [cOid, ivNode] = children(scheme);
    const cipherOid = readOid(cOid);
    const cipher = ciphers[cipherOid];
    if (kdfParams?.tag !== Tag.SEQUENCE) return { kind: 'other', oid, kdfOid, cipherOid };
    const kp = children(kdfParams);
    if (kdfOid === OID.pbkdf2) {
      const prfNode = kp.slice(2).find((x) => x.tag === Tag.SEQUENCE);
      const prf = prfNode ? hashes[readOid(children(prfNode)[0])] : 'sha1';
      const iv = ivNode?.tag === Tag.OCTET_STRING ? content(ivNode) : undefined;
      return {
        kind: 'pbkdf2',
        salt: salt(kp[0], kdfParams),
        iterations: positive(kp[1], 'the PBKDF2 iteration count', kdfParams),
        ...(prf && { prf }),
        cipherOid,
        ...(cipher && { cipher }),
        ...(iv && { iv }),
      };
    }
    if (kdfOid === SCRYPT_OID) {
      salt(kp[0], kdfParams);
      return {
        kind: 'scrypt',
        n: positive(kp[1], 'scrypt N', kdfParams),
        r: positive(kp[2], 'scrypt r', kdfParams),
        p: positive(kp[3], 'scrypt p', kdfParams),
        cipherOid,
        ...(cipher && { cipher }),
      };
    }
    return { kind: 'other', oid, kdfOid, cipherOid };
  }
  const lengths = PKCS12_KEY_BYTES[oid];
  if (lengths && params?.tag === Tag.SEQUENCE) {
    const [s, it] = children(params);
    return {
      kind: 'pkcs12',
      oid,
      salt: salt(s, params),
      iterations: positive(it, 'the iteration count', params),
      keyBytes: lengths[0],
      ivBytes: lengths[1],
    };
  }
  return { kind: 'other', oid };
}

/** Human description, e.g. `PBES2, PBKDF2 (hmacWithSHA256, 2048 iterations), AES-256-CBC`. */
export function describePbe(p: PbeParams): string {
  switch (p.kind) {
    case 'pbkdf2':
      return `PBES2, PBKDF2 (hmacWith${(p.prf ?? 'unknown').toUpperCase()}, ${p.iterations} iterations), ${p.cipher?.name ?? p.cipherOid}`;
    case 'scrypt':
      return `PBES2, scrypt (N=${p.n}, r=${p.r}, p=${p.p}), ${p.cipher?.name ?? p.cipherOid}`;
    case 'pkcs12':
      return pkcs12PbeNames[p.oid] ?? p.oid;
    case 'other':
      return p.kdfOid !== undefined
        ? `PBES2, ${p.kdfOid}, ${p.cipherOid !== undefined ? (ciphers[p.cipherOid]?.name ?? p.cipherOid) : 'unknown cipher'}`
        : (pkcs12PbeNames[p.oid] ?? p.oid);
  }
}

/**
 * The key derivations opening `p` costs, for the budget. `native`: Node/OpenSSL runs the PKCS#12 KDF (an
 * encrypted PKCS#8 key) rather than our JavaScript (PKCS#12 bags). Unsupported schemes cost nothing: they are refused.
 */
export function pbeWork(p: PbeParams, what: string, native = false): KdfWork[] {
  switch (p.kind) {
    case 'pbkdf2':
      return [pbkdf2Work(what, p.prf ?? 'sha1', p.iterations, p.cipher?.keyLength ?? 32)];
    case 'scrypt':
      return [scryptWork(what, p.n, p.r, p.p)];
    case 'pkcs12':
      return [
        pkcs12KdfWork(what, 'sha1', p.iterations, p.keyBytes, 1, native),
        ...(p.ivBytes > 0 ? [pkcs12KdfWork(`${what} (IV)`, 'sha1', p.iterations, p.ivBytes, 1, native)] : []),
      ];
    case 'other':
      return [];
  }
}
