import { createHash } from 'node:crypto';
import { iterateHash } from './iteratedHash';

export type Pkcs12KdfHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';


/** Purpose byte of the PKCS#12 key derivation (RFC 7292 B.3). */
export const Pkcs12KeyId = { key: 1, iv: 2, mac: 3 } as const;

/** A password as PKCS#12 wants it: BMPString (UTF-16BE) plus a two-byte NUL terminator. */
export function bmpPassword(password: string): Buffer {
  const b = Buffer.from(password + '\0', 'utf16le');
  b.swap16();
  return b;
}

function repeatTo(src: Buffer, blockSize: number): Buffer {
  if (src.length === 0) return Buffer.alloc(0);
  const len = blockSize * Math.ceil(src.length / blockSize);
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i++) out[i] = src[i % src.length];
  return out;
}

/**
 * The PKCS#12 key derivation function (RFC 7292 appendix B.2). OpenSSL 3 still uses it for the MAC key of
 * every .p12 (and for the legacy 3DES/RC2 encryption), so both the builder and the decoder need it.
 */
export function pkcs12Kdf(hash: Pkcs12KdfHash, password: Buffer, salt: Buffer, id: number, iterations: number, length: number): Buffer {
  const u = createHash(hash).digest().length;
  const v = hash === 'sha384' || hash === 'sha512' ? 128 : 64;
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([repeatTo(salt, v), repeatTo(password, v)]);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    const A = iterateHash(hash, createHash(hash).update(D).update(I).digest(), iterations - 1);
    blocks.push(A);
    const B = repeatTo(A, v);
    // I_j = (I_j + B + 1) mod 2^(8v), for every v-byte block of I
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k] + B[k] + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}
