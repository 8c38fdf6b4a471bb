import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: crypto.BinaryLike, outputEncoding: 'buffer') => Buffer;
const oneShot = (crypto as { hash?: OneShot }).hash;

/**
 * A digest of bytes in one call. `crypto.hash` (Node 20.12 and later) skips the Hash object and its stream
 * machinery, which cost several times the hashing itself for the many small inputs of a certificate bundle
 * (fingerprints and key hashes of every certificate); older Node falls back to createHash.
 */
export function digest(algorithm: 'sha1' | 'sha256', data: Buffer): Buffer {
  return oneShot ? oneShot(algorithm, data, 'buffer') : crypto.createHash(algorithm).update(data).digest();
}
