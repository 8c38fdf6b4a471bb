/**
 * RC2-CBC decryption (RFC 2268), only to read legacy PKCS#12 files (mkcert, `openssl pkcs12 -legacy`,
 * old Windows exports): OpenSSL 3 moved RC2 to its legacy provider, so Node's crypto cannot do it. Decoding
 * these files lets us show what is inside while telling the user to convert them.
 */

// RFC 2268 section 2: PITABLE, a permutation of 0..255 derived from the digits of pi.
const PITABLE = Buffer.from(
  'd978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2179a59f587b34f1361456d8d09817d32' +
    'bd8f40eb86b77b0bf09521225c6b4e8254d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626' +
    '6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed708e8eade8052eef784aa72ac354d6a2a' +
    '961ad2715a1549744b9fd05e0418a4ecc2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731' +
    '2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a90d38341bab33ffb0bb480c5fb9b1cd2e' +
    'c5f3db47e5a59c770aa62068fe7fc1ad',
  'hex',
);

/** The 64 16-bit subkeys for a key with the given effective bit length (RFC 2268 section 2). */
function expandKey(key: Buffer, effectiveBits: number): Uint16Array {
  const L = new Uint8Array(128);
  L.set(key.subarray(0, 128));
  const T = Math.min(key.length, 128);
  for (let i = T; i < 128; i++) L[i] = PITABLE[(L[i - 1] + L[i - T]) & 0xff];
  const T8 = (effectiveBits + 7) >> 3;
  const TM = 0xff >> (8 * T8 - effectiveBits);
  L[128 - T8] = PITABLE[L[128 - T8] & TM];
  for (let i = 127 - T8; i >= 0; i--) L[i] = PITABLE[L[i + 1] ^ L[i + T8]];
  const K = new Uint16Array(64);
  for (let i = 0; i < 64; i++) K[i] = L[2 * i] | (L[2 * i + 1] << 8);
  return K;
}

/** Decrypts one 8-byte block in place (RFC 2268 section 4: r-mix and r-mash rounds in reverse). */
function decryptBlock(K: Uint16Array, b: Uint8Array, o: number): void {
  let x0 = b[o] | (b[o + 1] << 8);
  let x1 = b[o + 2] | (b[o + 3] << 8);
  let x2 = b[o + 4] | (b[o + 5] << 8);
  let x3 = b[o + 6] | (b[o + 7] << 8);
  let j = 63;
  const rounds = [5, 6, 5];
  for (let r = 0; r < 3; r++) {
    for (let i = 0; i < rounds[r]; i++) {
      x3 = ((((x3 << 11) | (x3 >> 5)) & 0xffff) - (x0 & ~x2) - (x1 & x2) - K[j--]) & 0xffff;
      x2 = ((((x2 << 13) | (x2 >> 3)) & 0xffff) - (x3 & ~x1) - (x0 & x1) - K[j--]) & 0xffff;
      x1 = ((((x1 << 14) | (x1 >> 2)) & 0xffff) - (x2 & ~x0) - (x3 & x0) - K[j--]) & 0xffff;
      x0 = ((((x0 << 15) | (x0 >> 1)) & 0xffff) - (x1 & ~x3) - (x2 & x3) - K[j--]) & 0xffff;
    }
    if (r < 2) {
      x3 = (x3 - K[x2 & 63]) & 0xffff;
      x2 = (x2 - K[x1 & 63]) & 0xffff;
      x1 = (x1 - K[x0 & 63]) & 0xffff;
      x0 = (x0 - K[x3 & 63]) & 0xffff;
    }
  }
  b[o] = x0 & 0xff;
  b[o + 1] = x0 >> 8;
  b[o + 2] = x1 & 0xff;
  b[o + 3] = x1 >> 8;
  b[o + 4] = x2 & 0xff;
  b[o + 5] = x2 >> 8;
  b[o + 6] = x3 & 0xff;
  b[o + 7] = x3 >> 8;
}

/** RC2-CBC decryption with PKCS#7 padding removed; throws on a bad length or padding (i.e. a wrong key). */
export function rc2CbcDecrypt(key: Buffer, effectiveBits: number, iv: Buffer, data: Buffer): Buffer {
  if (data.length === 0 || data.length % 8 !== 0 || iv.length !== 8)
    throw new Error('RC2: ciphertext is not a whole number of blocks');
  const K = expandKey(key, effectiveBits);
  const out = Buffer.from(data);
  for (let o = 0; o < out.length; o += 8) {
    decryptBlock(K, out, o);
    const prev = o === 0 ? iv : data.subarray(o - 8, o);
    for (let i = 0; i < 8; i++) out[o + i] ^= prev[i];
  }
  const pad = out[out.length - 1];
  if (pad < 1 || pad > 8) throw new Error('RC2: bad padding');
  for (let i = out.length - pad; i < out.length; i++) if (out[i] !== pad) throw new Error('RC2: bad padding');
  return out.subarray(0, out.length - pad);
}

/** Decrypts one 8-byte block (ECB): what RFC 2268's known-answer vectors test. */
export function rc2DecryptBlock(key: Buffer, effectiveBits: number, block: Buffer): Buffer {
  if (block.length !== 8) throw new Error('RC2: a block is 8 bytes');
  const out = Buffer.from(block);
  decryptBlock(expandKey(key, effectiveBits), out, 0);
  return out;
}
