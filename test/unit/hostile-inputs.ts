// Hostile files, generated (never checked in): key-derivation bombs, pathological DER and huge same-name bundles.
// Shared by the hostile-input unit suite and the decode benchmark's worst-case line.
import { createHmac, randomBytes } from 'node:crypto';
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
