import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
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

/** One step of the derivation left to its driver: `rounds` more applications of the hash to `digest`. */
interface Rounds {
  readonly digest: Buffer;
  readonly rounds: number;
}

/** RFC 7292 B.2, with each block's iterated hash (nearly all of the work) yielded to the driver. */
function* derive(
  hash: Pkcs12KdfHash,
  password: Buffer,
  salt: Buffer,
  id: number,
  iterations: number,
  length: number,
): Generator<Rounds, Buffer, Buffer> {
  const u = createHash(hash).digest().length;
  const v = hash === 'sha384' || hash === 'sha512' ? 128 : 64;
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([repeatTo(salt, v), repeatTo(password, v)]);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    const A = yield { digest: createHash(hash).update(D).update(I).digest(), rounds: iterations - 1 };
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

/**
 * The PKCS#12 key derivation function (RFC 7292 appendix B.2). OpenSSL 3 still uses it for the MAC key of
 * every .p12 (and for the legacy 3DES/RC2 encryption), so both the builder and the decoder need it.
 */
export function pkcs12Kdf(
  hash: Pkcs12KdfHash,
  password: Buffer,
  salt: Buffer,
  id: number,
  iterations: number,
  length: number,
): Buffer {
  const steps = derive(hash, password, salt, id, iterations, length);
  for (let step = steps.next(); ;) {
    if (step.done) return step.value;
    step = steps.next(iterateHash(hash, step.value.digest, step.value.rounds));
  }
}

/** Hash rounds between two turns of the event loop: a few milliseconds of work (SHA-256 at ~0.45 µs a round). */
const ROUNDS_PER_TURN = 10_000;

/**
 * pkcs12Kdf without holding the caller's thread: Node has no native PKCS#12 KDF to run on the thread pool, so the
 * rounds run in slices of a few milliseconds with the event loop turning between them (VS Code's extension host
 * keeps answering while a .p12 with 200,000 iterations is written).
 */
export async function pkcs12KdfAsync(
  hash: Pkcs12KdfHash,
  password: Buffer,
  salt: Buffer,
  id: number,
  iterations: number,
  length: number,
): Promise<Buffer> {
  const steps = derive(hash, password, salt, id, iterations, length);
  for (let step = steps.next(); ;) {
    if (step.done) return step.value;
    let digest = step.value.digest;
    for (let left = step.value.rounds; left > 0; left -= ROUNDS_PER_TURN) {
      await nextTurn();
      digest = iterateHash(hash, digest, Math.min(left, ROUNDS_PER_TURN));
    }
    step = steps.next(digest);
  }
}
