// Hostile files, generated (never checked in): key-derivation bombs, pathological DER and huge same-name bundles.
// Shared by the hostile-input unit suite and the decode benchmark's worst-case line.
import { createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { der } from '../../src/core/asn1/der';
import { bmpPassword, pkcs12Kdf, Pkcs12KeyId } from '../../src/core/crypto/pkcs12Kdf';

export const OIDS = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  scrypt: '1.3.6.1.4.1.11591.4.11',
  hmacSha1: '1.2.840.113549.2.7',
  hmacSha256: '1.2.840.113549.2.9',
  hmacSha512: '1.2.840.113549.2.11',
  aes256: '2.16.840.1.101.3.4.1.42',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  pbeSha1TripleDes: '1.2.840.113549.1.12.1.3',
} as const;

export interface HostileFile {
  readonly name: string;
  readonly bytes: Buffer;
  readonly passphrase?: string;
}

/** PBES2 AlgorithmIdentifier with PBKDF2 (`prf` an hmacWith… OID) and AES-256-CBC. */
export function pbes2Pbkdf2(iterations: number | bigint, prf: string = OIDS.hmacSha256, salt = Buffer.alloc(16, 1)): Buffer {
  return der.sequence(
    der.oid(OIDS.pbes2),
    der.sequence(
      der.sequence(der.oid(OIDS.pbkdf2), der.sequence(der.octetString(salt), der.integer(BigInt(iterations)), der.sequence(der.oid(prf), der.null()))),
      der.sequence(der.oid(OIDS.aes256), der.octetString(Buffer.alloc(16, 2))),
    ),
  );
}

/** PBES2 AlgorithmIdentifier with scrypt(N, r, p) and AES-256-CBC. */
export function pbes2Scrypt(n: number, r: number, p: number): Buffer {
  return der.sequence(
    der.oid(OIDS.pbes2),
    der.sequence(
      der.sequence(der.oid(OIDS.scrypt), der.sequence(der.octetString(Buffer.alloc(16, 1)), der.integer(n), der.integer(r), der.integer(p), der.integer(32))),
      der.sequence(der.oid(OIDS.aes256), der.octetString(Buffer.alloc(16, 2))),
    ),
  );
}

/** An EncryptedPrivateKeyInfo (random ciphertext) under `alg`, as PEM text. */
export function encryptedKeyPem(alg: Buffer): string {
  const body = der.sequence(alg, der.octetString(randomBytes(64))).toString('base64');
  return `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${body.replace(/.{1,64}/g, '$&\n')}-----END ENCRYPTED PRIVATE KEY-----\n`;
}

const dataInfo = (content: Buffer): Buffer => der.sequence(der.oid(OIDS.data), der.explicit(0, der.octetString(content)));

/**
 * A PFX. `mac`: its digest is computed for real with the empty passphrase (so the decoder's automatic empty
 * attempt succeeds and goes on to the bags) unless `digest` is given.
 */
export function pfx(contentInfos: Buffer[], mac?: { hash: 'sha1' | 'sha256'; iterations: number | bigint; salt?: Buffer; digest?: Buffer }): Buffer {
  const authSafe = der.sequence(...contentInfos);
  const parts = [der.integer(3), dataInfo(authSafe)];
  if (mac) {
    const salt = mac.salt ?? Buffer.alloc(8, 7);
    const size = mac.hash === 'sha1' ? 20 : 32;
    const digest = mac.digest ?? createHmac(mac.hash, pkcs12Kdf(mac.hash, bmpPassword(''), salt, Pkcs12KeyId.mac, Number(mac.iterations), size)).update(authSafe).digest();
    parts.push(der.sequence(der.sequence(der.sequence(der.oid(mac.hash === 'sha1' ? OIDS.sha1 : OIDS.sha256), der.null()), der.octetString(digest)), der.octetString(salt), der.integer(BigInt(mac.iterations))));
  }
  return der.sequence(...parts);
}

/** A plain data ContentInfo holding `count` shrouded key bags, each encrypted under `alg`. */
export function shroudedKeys(count: number, alg: Buffer): Buffer {
  const bag = der.sequence(der.oid(OIDS.shroudedKeyBag), der.explicit(0, der.sequence(alg, der.octetString(Buffer.alloc(32, 5)))));
  return dataInfo(der.sequence(...Array.from({ length: count }, () => bag)));
}

/** An EncryptedData ContentInfo (random ciphertext) under `alg`. */
export function encryptedContent(alg: Buffer): Buffer {
  const eci = der.sequence(der.oid(OIDS.data), alg, der.implicit(0, randomBytes(48)));
  return der.sequence(der.oid(OIDS.encryptedData), der.explicit(0, der.sequence(der.integer(0), eci)));
}

/** Every key-derivation bomb the decoder must refuse quickly (no file is over 1 MB). */
export function kdfBombs(): HostileFile[] {
  const files: HostileFile[] = [
    // A 2,000-byte MAC digest: 63 output blocks of the PKCS#12 KDF per attempt in a naive decoder.
    { name: 'mac-2000-byte-digest.p12', bytes: pfx([], { hash: 'sha256', iterations: 5_000_000, digest: Buffer.alloc(2000, 9) }) },
    { name: 'mac-5M-iterations.p12', bytes: pfx([], { hash: 'sha256', iterations: 5_000_000, digest: Buffer.alloc(32, 9) }) },
    { name: 'mac-2^63-iterations.p12', bytes: pfx([], { hash: 'sha1', iterations: 2n ** 63n - 1n, digest: Buffer.alloc(20, 9) }) },
    { name: 'mac-huge-salt.p12', bytes: pfx([], { hash: 'sha1', iterations: 2048, salt: Buffer.alloc(500_000, 3), digest: Buffer.alloc(20, 9) }) },
    // Cheap, valid MAC (empty passphrase), then work hidden in the bags.
    { name: '4000-encrypted-bags.p12', bytes: pfx([shroudedKeys(4000, pbes2Pbkdf2(2048))], { hash: 'sha256', iterations: 1 }) },
    { name: 'bags-without-mac.p12', bytes: pfx([shroudedKeys(3, pbes2Pbkdf2(5_000_000))]) },
    { name: 'pbkdf2-sha1-multi-block.p12', bytes: pfx([encryptedContent(pbes2Pbkdf2(3_000_000, OIDS.hmacSha1))], { hash: 'sha1', iterations: 1 }) },
    { name: 'pkcs12-pbe-3des-bag.p12', bytes: pfx([encryptedContent(der.sequence(der.oid(OIDS.pbeSha1TripleDes), der.sequence(der.octetString(Buffer.alloc(8)), der.integer(4_000_000))))], { hash: 'sha1', iterations: 1 }) },
  ];
  const keys: [string, Buffer][] = [
    ['pbkdf2-5M.key', pbes2Pbkdf2(5_000_000, OIDS.hmacSha512)],
    ['scrypt-1GiB.key', pbes2Scrypt(2 ** 20, 8, 1)],
    ['scrypt-p-1000.key', pbes2Scrypt(16384, 8, 1000)],
    ['scrypt-r-huge.key', pbes2Scrypt(2, 2 ** 24, 1)],
  ];
  for (const [name, alg] of keys) files.push({ name, bytes: Buffer.from(encryptedKeyPem(alg)), passphrase: 'x' });
  return files;
}

/** Many small keys that add up: 500 PEM blocks of 100,000 PBKDF2 iterations each (the first ones fit the budget). */
export function manyEncryptedKeys(): HostileFile {
  return { name: '500-encrypted-keys.pem', bytes: Buffer.from(Array.from({ length: 500 }, () => encryptedKeyPem(pbes2Pbkdf2(100_000))).join('')), passphrase: 'x' };
}

// ---------------------------------------------------------------- certificates made without openssl (thousands, fast)

const name = (cn: string): Buffer => der.sequence(der.set(der.sequence(der.oid('2.5.4.3'), der.utf8(cn))));

export interface CertSpec {
  readonly subject: string;
  readonly issuer: string;
  /** The certificate's own key pair. */
  readonly key: KeyPair;
  /** Signs the certificate (defaults to `key`: self-signed when subject === issuer). */
  readonly signer?: KeyPair;
  readonly ski?: Buffer;
  readonly aki?: Buffer;
  readonly ca?: boolean;
  /** Replace the signature with random bytes of the same length. */
  readonly garbageSignature?: boolean;
  readonly serial?: number;
  /** Complete Extension elements appended as they are (e.g. malformed ones). */
  readonly extraExtensions?: readonly Buffer[];
  readonly notAfter?: Date;
}
export interface KeyPair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

let serialCounter = 1;

/** A DER X.509 v3 certificate signed with ECDSA P-256 / SHA-256 (or a garbage signature). */
export function makeCertificate(s: CertSpec): Buffer {
  const ext: Buffer[] = [];
  if (s.ca !== undefined) ext.push(der.sequence(der.oid('2.5.29.19'), der.boolean(true), der.octetString(s.ca ? der.sequence(der.boolean(true)) : der.sequence())));
  if (s.ski) ext.push(der.sequence(der.oid('2.5.29.14'), der.octetString(der.octetString(s.ski))));
  if (s.aki) ext.push(der.sequence(der.oid('2.5.29.35'), der.octetString(der.sequence(der.implicit(0, s.aki)))));
  ext.push(...(s.extraExtensions ?? []));
  const alg = der.sequence(der.oid('1.2.840.10045.4.3.2'));
  const tbs = der.sequence(
    der.explicit(0, der.integer(2)),
    der.integer(s.serial ?? serialCounter++),
    alg,
    name(s.issuer),
    der.sequence(der.time(new Date(Date.UTC(2025, 0, 1))), der.time(s.notAfter ?? new Date(Date.UTC(2045, 0, 1)))),
    name(s.subject),
    s.key.publicKey.export({ type: 'spki', format: 'der' }),
    ...(ext.length > 0 ? [der.explicit(3, der.sequence(...ext))] : []),
  );
  let sig: Buffer = sign('sha256', tbs, (s.signer ?? s.key).privateKey);
  if (s.garbageSignature) sig = der.sequence(der.integer(randomBytes(32)), der.integer(randomBytes(32)));
  return der.sequence(tbs, alg, der.bitString(sig));
}

export const ecKey = (): KeyPair => generateKeyPairSync('ec', { namedCurve: 'P-256' });

export const pemOf = (certs: readonly Buffer[]): string =>
  certs.map((c) => `-----BEGIN CERTIFICATE-----\n${c.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`).join('');

/**
 * `n` CA certificates with one name and one key identifier, self-issued with garbage signatures, plus a leaf that
 * names them as issuer but was signed by another key: every same-name pair is a candidate link, none verifies.
 */
export function sameNameIssuers(n: number): HostileFile {
  const ski = Buffer.alloc(20, 0xab);
  const key = ecKey();
  const certs = Array.from({ length: n }, () => makeCertificate({ subject: 'Same CA', issuer: 'Same CA', key, ski, aki: ski, ca: true, garbageSignature: true }));
  const other = ecKey();
  certs.push(makeCertificate({ subject: 'victim leaf', issuer: 'Same CA', key: other, signer: other, aki: ski, ca: false }));
  return { name: `${n}-same-name-issuers.pem`, bytes: Buffer.from(pemOf(certs)) };
}
