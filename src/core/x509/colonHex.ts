/** Colon-separated hex, the notation of OpenSSL's key identifiers, fingerprints and SCT fields. */
const HEX_DIGITS = '0123456789ABCDEF';

/**
 * Bytes as colon-separated uppercase hex, the way openssl prints key identifiers and fingerprints. Written
 * byte by byte into one buffer: a regex replace made a string per byte pair, and every certificate has several.
 */
export function colonHex(b: Buffer): string {
  if (b.length === 0) return '';
  const out = Buffer.allocUnsafe(b.length * 3 - 1);
  for (let i = 0, o = 0; i < b.length; i++, o += 3) {
    out[o] = HEX_DIGITS.charCodeAt(b[i] >> 4);
    out[o + 1] = HEX_DIGITS.charCodeAt(b[i] & 15);
    if (o + 2 < out.length) out[o + 2] = 0x3a;
  }
  return out.toString('latin1');
}
