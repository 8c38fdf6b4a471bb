/**
 * Password-based encryption for private keys and PKCS#12 (RFC 8018 PBES2: PBKDF2-HMAC-SHA256 +
 * AES-256-CBC), with an iteration count we choose. Node's own `KeyObject.export({ cipher })` always uses
 * OpenSSL's old default of 2,048 iterations, which makes a stolen key file cheap to brute-force.
 */
import { createCipheriv, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { der } from '../asn1/der';
import { InputError } from '../errors';
import { OID } from '../asn1/oids';

/**
 * 100,000 PBKDF2 iterations: 50× OpenSSL's 2,048, ~30 ms to derive natively. Not more, because the
 * PKCS#12 MAC must use the same count (else the MAC becomes the cheap way to guess the passphrase) and its
 * KDF runs in JavaScript in our decoder, which must open any file well within a second.
 */
export const DEFAULT_KDF_ITERATIONS = 100_000;
/**
 * 2,048 (OpenSSL's old default) stays allowed for tools that cannot do better; 2 million (~0.6 s of PBKDF2)
 * stays well inside the decoder's one-second key-derivation budget per file (crypto/kdfBudget.ts).
 */
const MIN_KDF_ITERATIONS = 2048;
const MAX_KDF_ITERATIONS = 2_000_000;
/** PKCS#12 derives three times (MAC with the slow RFC 7292 KDF, certificates, key) and readers try two password encodings: 200,000 keeps that inside the budget. */
export const MAX_PKCS12_ITERATIONS = 200_000;

/** PBKDF2 on libuv's thread pool: up to 2 million iterations (~0.6 s) never hold up the caller's thread (VS Code's extension host). */
const pbkdf2Async = promisify(pbkdf2);

/** The given iteration count, checked, or the default. */
export function kdfIterations(n: number | undefined): number {
  if (n === undefined) return DEFAULT_KDF_ITERATIONS;
  if (!Number.isInteger(n) || n < MIN_KDF_ITERATIONS || n > MAX_KDF_ITERATIONS) {
    throw new InputError(
      `The key-derivation iteration count must be a whole number from ${MIN_KDF_ITERATIONS} to ${MAX_KDF_ITERATIONS} (got ${String(n)}).`,
    );
  }
  return n;
}

/** PBES2 encryption of `plain`: the AlgorithmIdentifier DER and the ciphertext. The password is used as UTF-8, as OpenSSL does. */
export async function pbes2Encrypt(
  plain: Buffer,
  password: string,
  iterations: number,
): Promise<{ algorithm: Buffer; encrypted: Buffer }> {
  const iter = kdfIterations(iterations);
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, iter, 32, 'sha256');
  const c = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([c.update(plain), c.final()]);
  const algorithm = der.sequence(
    der.oid(OID.pbes2),
    der.sequence(
      der.sequence(
        der.oid(OID.pbkdf2),
        der.sequence(der.octetString(salt), der.integer(iter), der.sequence(der.oid(OID.hmacWithSha256), der.null())),
      ),
      der.sequence(der.oid(OID.aes256Cbc), der.octetString(iv)),
    ),
  );
  return { algorithm, encrypted };
}

/** EncryptedPrivateKeyInfo (RFC 5958) DER for an unencrypted PKCS#8 DER key. */
export async function encryptPkcs8(pkcs8Der: Buffer, password: string, iterations: number): Promise<Buffer> {
  const { algorithm, encrypted } = await pbes2Encrypt(pkcs8Der, password, iterations);
  return der.sequence(algorithm, der.octetString(encrypted));
}
