/**
 * Keys: algorithm, size and curve — never key material. Private keys are described from their DER
 * structure; Node's crypto is only asked for the matching public key (so a key can be paired with its
 * certificate by SPKI hash) and for what encrypted keys hold once a passphrase is given.
 */
import { constants, createPrivateKey, createPublicKey, verify, type KeyObject } from 'node:crypto';
import {
  Asn1Error,
  Tag,
  children,
  content,
  raw,
  readBitString,
  readInteger,
  readOid,
  type Asn1Node,
} from '../asn1/der';
import { colonHex } from './colonHex';
import { digest } from '../crypto/digest';
import { KdfBudget } from '../crypto/kdfBudget';
import { curves, hashes, keyAlgorithms, OID, signatureAlgorithms } from '../asn1/oids';
import { describePbe, pbeWork, readPbe } from './pbeParams';
import type { DecodedPrivateKey, PublicKeyInfo, SignatureAlgorithm } from './types';

/** Bit length of an unsigned big-endian INTEGER (RSA modulus, DSA prime). */
function integerBits(node: Asn1Node): number {
  let b = content(node);
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  if (b.length === 0 || b[0] === 0) return 0;
  return (b.length - 1) * 8 + (32 - Math.clz32(b[0]));
}

function curveName(oid: string): { curve: string; bits?: number } {
  const c = curves[oid];
  return c ? { curve: c.name, bits: c.bits } : { curve: oid };
}

/** SHA-256 of a DER SubjectPublicKeyInfo as colon hex. */
export function spkiHash(spkiDer: Buffer): string {
  return colonHex(digest('sha256', spkiDer));
}

/** Algorithm, size and curve of a SubjectPublicKeyInfo, read from its DER. */
export function decodeSpki(node: Asn1Node): PublicKeyInfo {
  const parts = children(node);
  const alg = parts[0];
  const bits = parts[1];
  if (!alg || !bits || alg.tag !== Tag.SEQUENCE)
    throw new Asn1Error('public key: expected AlgorithmIdentifier and BIT STRING', node.start);
  const algParts = children(alg);
  const oidNode = algParts[0];
  const params = algParts[1];
  const oid = readOid(oidNode);
  const algorithm = keyAlgorithms[oid] ?? oid;
  const spkiSha256 = spkiHash(raw(node));
  const { bytes } = readBitString(bits);
  if (oid === OID.rsaEncryption || oid === OID.rsassaPss) {
    const rsa = children({ ...bits, contentStart: bits.contentStart + 1 })[0];
    return { algorithm, bits: integerBits(children(rsa)[0]), spkiSha256 };
  }
  if (oid === OID.ecPublicKey) {
    if (params?.tag === Tag.OID) return { algorithm, ...curveName(readOid(params)), spkiSha256 };
    // Explicit curve parameters: the field size is the point size.
    return { algorithm, curve: 'explicit parameters', bits: ((bytes.length - 1) / 2) * 8, spkiSha256 };
  }
  if (oid === OID.dsa && params?.tag === Tag.SEQUENCE)
    return { algorithm, bits: integerBits(children(params)[0]), spkiSha256 };
  return { algorithm, spkiSha256 };
}

/** Key facts from a Node KeyObject (used when the DER is not ours to read, e.g. after decryption). */
export function keyObjectInfo(k: KeyObject): { algorithm: string; bits?: number; curve?: string } {
  const t = k.asymmetricKeyType ?? 'unknown';
  const d = k.asymmetricKeyDetails ?? {};
  const algorithm =
    (
      {
        rsa: 'RSA',
        'rsa-pss': 'RSA-PSS',
        ec: 'EC',
        ed25519: 'Ed25519',
        ed448: 'Ed448',
        dsa: 'DSA',
        x25519: 'X25519',
        x448: 'X448',
        dh: 'DH',
      } as Record<string, string>
    )[t] ?? t;
  const nodeCurves: Record<string, string> = {
    prime256v1: 'P-256',
    secp384r1: 'P-384',
    secp521r1: 'P-521',
    secp224r1: 'P-224',
    prime192v1: 'P-192',
  };
  if (d.namedCurve) {
    const curve = nodeCurves[d.namedCurve] ?? d.namedCurve;
    const bits = Object.values(curves).find((c) => c.name === curve)?.bits;
    return bits ? { algorithm, curve, bits } : { algorithm, curve };
  }
  return d.modulusLength ? { algorithm, bits: d.modulusLength } : { algorithm };
}

/** SPKI hash of the public half of a private key; undefined when Node cannot load it. */
function publicHashOf(load: () => KeyObject): string | undefined {
  try {
    return spkiHash(createPublicKey(load()).export({ type: 'spki', format: 'der' }));
  } catch {
    return undefined;
  }
}

/** Describes how an EncryptedPrivateKeyInfo / PKCS#12 bag is encrypted, e.g. `PBES2, PBKDF2 (hmacWithSHA256, 2048 iterations), AES-256-CBC`. */
export function describeEncryption(alg: Asn1Node): string {
  return describePbe(readPbe(alg));
}

type KeyFacts = Omit<DecodedPrivateKey, 'source'>;

/** Describes a PKCS#8 PrivateKeyInfo (unencrypted). */
export function describePkcs8(node: Asn1Node): KeyFacts {
  const [, alg, keyOctets] = children(node);
  if (!alg || alg.tag !== Tag.SEQUENCE || !keyOctets || keyOctets.tag !== Tag.OCTET_STRING)
    throw new Asn1Error('private key: not a PKCS#8 PrivateKeyInfo', node.start);
  const [oidNode, params] = children(alg);
  const oid = readOid(oidNode);
  const algorithm = keyAlgorithms[oid] ?? oid;
  let size: { bits?: number; curve?: string } = {};
  if (oid === OID.rsaEncryption || oid === OID.rsassaPss) {
    const rsa = children({ ...keyOctets, tag: Tag.SEQUENCE, contentStart: keyOctets.contentStart })[0];
    size = { bits: integerBits(children(rsa)[1]) };
  } else if (oid === OID.ecPublicKey && params?.tag === Tag.OID) {
    size = curveName(readOid(params));
  }
  const der = raw(node);
  return {
    algorithm,
    ...size,
    format: 'PKCS#8',
    encrypted: false,
    spkiSha256: publicHashOf(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })),
  };
}

/** Describes a PKCS#1 RSAPrivateKey. */
export function describePkcs1Private(node: Asn1Node): KeyFacts {
  const n = children(node)[1];
  if (!n || n.tag !== Tag.INTEGER) throw new Asn1Error('RSA private key: modulus missing', node.start);
  const der = raw(node);
  return {
    algorithm: 'RSA',
    bits: integerBits(n),
    format: 'PKCS#1 (RSA PRIVATE KEY)',
    encrypted: false,
    spkiSha256: publicHashOf(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' })),
  };
}

/** Describes a SEC1 ECPrivateKey. */
export function describeSec1(node: Asn1Node): KeyFacts {
  const params = children(node).find((c) => c.tag === 0xa0);
  const inner = params ? children(params)[0] : undefined;
  const size = inner?.tag === Tag.OID ? curveName(readOid(inner)) : {};
  const der = raw(node);
  return {
    algorithm: 'EC',
    ...size,
    format: 'SEC1 (EC PRIVATE KEY)',
    encrypted: false,
    spkiSha256: publicHashOf(() => createPrivateKey({ key: der, format: 'der', type: 'sec1' })),
  };
}

/**
 * Describes an EncryptedPrivateKeyInfo without decrypting it; with a passphrase, also what it holds — once the
 * file's budget has room for the key derivation it asks for (KdfLimitError otherwise, before any work).
 */
export function describeEncryptedPkcs8(
  node: Asn1Node,
  passphrase?: string,
  budget: KdfBudget = new KdfBudget(),
): KeyFacts {
  const [alg, data] = children(node);
  if (!alg || alg.tag !== Tag.SEQUENCE || !data || data.tag !== Tag.OCTET_STRING)
    throw new Asn1Error('not an EncryptedPrivateKeyInfo', node.start);
  const pbe = readPbe(alg);
  const base: KeyFacts = { algorithm: 'unknown', format: 'PKCS#8', encrypted: true, encryption: describePbe(pbe) };
  if (passphrase === undefined) return base;
  budget.charge(...pbeWork(pbe, 'the encrypted private key', true));
  const der = raw(node);
  try {
    const k = createPrivateKey({ key: der, format: 'der', type: 'pkcs8', passphrase });
    return { ...base, ...keyObjectInfo(k), spkiSha256: publicHashOf(() => k) };
  } catch {
    return base;
  }
}

/** The public key of a PKCS#1 RSAPublicKey, described like an SPKI. */
export function describePkcs1Public(node: Asn1Node): PublicKeyInfo {
  const n = children(node)[0];
  if (!n || n.tag !== Tag.INTEGER) throw new Asn1Error('RSA public key: modulus missing', node.start);
  const der = raw(node);
  const spki = createPublicKey({ key: der, format: 'der', type: 'pkcs1' }).export({ type: 'spki', format: 'der' });
  return { algorithm: 'RSA', bits: integerBits(n), spkiSha256: spkiHash(spki) };
}

function hashOfAlgId(node: Asn1Node | undefined, fallback: string): string {
  if (!node) return fallback;
  const oid = readOid(children(node)[0]);
  return hashes[oid] ?? oid;
}

/** Names a signature AlgorithmIdentifier, reading RSA-PSS parameters (hash, MGF1 hash, salt length). */
export function decodeSignatureAlgorithm(node: Asn1Node): SignatureAlgorithm {
  const parts = children(node);
  const oidNode = parts[0];
  const params = parts[1];
  const oid = readOid(oidNode);
  const known = signatureAlgorithms[oid];
  if (oid === OID.rsassaPss) {
    let hash = 'sha1';
    let mgf1Hash = 'sha1';
    let saltLength = 20;
    if (params?.tag === Tag.SEQUENCE) {
      for (const p of children(params)) {
        const inner = children(p)[0];
        if (p.tag === 0xa0) hash = hashOfAlgId(inner, 'sha1');
        else if (p.tag === 0xa1) mgf1Hash = hashOfAlgId(children(inner)[1], 'sha1');
        else if (p.tag === 0xa2) saltLength = Number(readInteger(inner));
      }
    }
    return { oid, name: 'rsassaPss', hash, pss: { hash, mgf1Hash, saltLength } };
  }
  return known
    ? known.hash
      ? { oid, name: known.name, hash: known.hash }
      : { oid, name: known.name }
    : { oid, name: oid };
}

/** Verifies a signature over `tbs` with a key (or the SPKI DER of one): CSR self-signatures and certificate links. */
export function verifySignature(
  alg: SignatureAlgorithm,
  tbs: Buffer,
  keyOrSpki: Buffer | KeyObject,
  signature: Buffer,
): boolean {
  try {
    return verify(...verifyArguments(alg, tbs, keyOrSpki, signature));
  } catch {
    return false;
  }
}

/**
 * The same check on libuv's thread pool, so a file's signatures are verified on another core while the
 * decoder goes on parsing. `key` may be the SPKI DER itself: for a key used once (a root's self-signature)
 * that skips building a KeyObject. Resolves false on any failure (an unreadable key included), never rejects.
 */
export function verifySignatureInPool(
  alg: SignatureAlgorithm,
  tbs: Buffer,
  key: KeyObject | Buffer,
  signature: Buffer,
): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      verify(...verifyArguments(alg, tbs, key, signature), (e, ok) => resolve(e === null && ok));
    } catch {
      resolve(false);
    }
  });
}

/** A key for crypto.verify: a KeyObject, or SPKI DER that verify loads itself. */
type KeyInput = { key: KeyObject } | { key: Buffer; format: 'der'; type: 'spki' };

function verifyArguments(
  alg: SignatureAlgorithm,
  tbs: Buffer,
  key: KeyObject | Buffer,
  signature: Buffer,
): [string | null, Buffer, KeyInput & { padding?: number; saltLength?: number }, Buffer] {
  const input: KeyInput = Buffer.isBuffer(key) ? { key, format: 'der', type: 'spki' } : { key };
  if (alg.pss)
    return [
      alg.pss.hash,
      tbs,
      { ...input, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.pss.saltLength },
      signature,
    ];
  const edwards = alg.name === 'ED25519' || alg.name === 'ED448';
  return [edwards ? null : (alg.hash ?? null), tbs, input, signature];
}
