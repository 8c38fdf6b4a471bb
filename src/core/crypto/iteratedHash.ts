/**
 * H applied n times to a digest-sized value: the inner loop of the PKCS#12 key derivation (RFC 7292 B.2).
 * Node has no native iterated hash, and one `createHash` per round costs ~2 µs of binding overhead for
 * ~0.1 µs of hashing; SHA-1 and SHA-256 of one fixed-size block are computed here in plain JavaScript,
 * 5–8× faster, so a legitimate .p12 with 600,000 MAC iterations opens in a fraction of a second.
 */
import { createHash } from 'node:crypto';

const SHA256_K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const SHA256_H = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const SHA1_H = Int32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);

/** SHA-256 applied `rounds` times to a 32-byte value (one padded block per round). */
function sha256Rounds(h: Int32Array, rounds: number): void {
  const W = new Int32Array(64);
  for (let r = 0; r < rounds; r++) {
    W.set(h, 0);
    W[8] = 0x80000000 | 0;
    W.fill(0, 9, 15);
    W[15] = 256; // message length in bits
    for (let i = 16; i < 64; i++) {
      const a = W[i - 15];
      const b = W[i - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
    }
    let A = SHA256_H[0],
      B = SHA256_H[1],
      C = SHA256_H[2],
      D = SHA256_H[3],
      E = SHA256_H[4],
      F = SHA256_H[5],
      G = SHA256_H[6],
      H = SHA256_H[7];
    for (let i = 0; i < 64; i++) {
      const S1 = ((E >>> 6) | (E << 26)) ^ ((E >>> 11) | (E << 21)) ^ ((E >>> 25) | (E << 7));
      const t1 = (H + S1 + ((E & F) ^ (~E & G)) + SHA256_K[i] + W[i]) | 0;
      const S0 = ((A >>> 2) | (A << 30)) ^ ((A >>> 13) | (A << 19)) ^ ((A >>> 22) | (A << 10));
      const t2 = (S0 + ((A & B) ^ (A & C) ^ (B & C))) | 0;
      H = G;
      G = F;
      F = E;
      E = (D + t1) | 0;
      D = C;
      C = B;
      B = A;
      A = (t1 + t2) | 0;
    }
    h[0] = (SHA256_H[0] + A) | 0;
    h[1] = (SHA256_H[1] + B) | 0;
    h[2] = (SHA256_H[2] + C) | 0;
    h[3] = (SHA256_H[3] + D) | 0;
    h[4] = (SHA256_H[4] + E) | 0;
    h[5] = (SHA256_H[5] + F) | 0;
    h[6] = (SHA256_H[6] + G) | 0;
    h[7] = (SHA256_H[7] + H) | 0;
  }
}

/** SHA-1 applied `rounds` times to a 20-byte value. */
function sha1Rounds(h: Int32Array, rounds: number): void {
  const W = new Int32Array(80);
  for (let r = 0; r < rounds; r++) {
    W.set(h, 0);
    W[5] = 0x80000000 | 0;
    W.fill(0, 6, 15);
    W[15] = 160;
    for (let i = 16; i < 80; i++) {
      const x = W[i - 3] ^ W[i - 8] ^ W[i - 14] ^ W[i - 16];
      W[i] = (x << 1) | (x >>> 31);
    }
    let A = SHA1_H[0],
      B = SHA1_H[1],
      C = SHA1_H[2],
      D = SHA1_H[3],
      E = SHA1_H[4];
    for (let i = 0; i < 80; i++) {
      const f =
        i < 20
          ? ((B & C) | (~B & D)) + 0x5a827999
          : i < 40
            ? (B ^ C ^ D) + 0x6ed9eba1
            : i < 60
              ? ((B & C) | (B & D) | (C & D)) + 0x8f1bbcdc
              : (B ^ C ^ D) + 0xca62c1d6;
      const t = (((A << 5) | (A >>> 27)) + f + E + W[i]) | 0;
      E = D;
      D = C;
      C = (B << 30) | (B >>> 2);
      B = A;
      A = t;
    }
    h[0] = (SHA1_H[0] + A) | 0;
    h[1] = (SHA1_H[1] + B) | 0;
    h[2] = (SHA1_H[2] + C) | 0;
    h[3] = (SHA1_H[3] + D) | 0;
    h[4] = (SHA1_H[4] + E) | 0;
  }
}

/** `hash` applied `rounds` times to `digest` (which must already be a digest of that hash). */
export function iterateHash(hash: string, digest: Buffer, rounds: number): Buffer {
  const words = digest.length / 4;
  if ((hash === 'sha256' && digest.length === 32) || (hash === 'sha1' && digest.length === 20)) {
    const h = new Int32Array(words);
    for (let i = 0; i < words; i++) h[i] = digest.readInt32BE(i * 4);
    if (hash === 'sha256') sha256Rounds(h, rounds);
    else sha1Rounds(h, rounds);
    const out = Buffer.alloc(digest.length);
    for (let i = 0; i < words; i++) out.writeInt32BE(h[i], i * 4);
    return out;
  }
  let a = digest;
  for (let r = 0; r < rounds; r++) a = createHash(hash).update(a).digest();
  return a;
}
