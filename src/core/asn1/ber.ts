/**
 * BER → DER for the layers of a PKCS#12 file. PKCS#12 (RFC 7292) allows BER, and NSS's pk12util and some Java
 * and Windows exports write indefinite lengths and OCTET STRINGs in pieces there. Rather than loosen the DER
 * reader that every certificate and key goes through, such a layer is re-encoded as DER first: indefinite lengths
 * become definite, long-form lengths minimal, a constructed OCTET STRING one primitive. Primitive contents are
 * copied as they are, so a certificate inside a bag (an OCTET STRING) reaches the strict reader byte for byte.
 *
 * Two passes over the input (sizes, then writing) keep the work linear whatever the nesting; nesting stops at
 * MAX_DEPTH, and an indefinite length without its end-of-contents marker is an Asn1Error, never a hang.
 */
import { Asn1Error, MAX_DEPTH, Tag } from './der';

/** An OCTET STRING in pieces: with SEQUENCE and SET, the constructed universal types PKCS#12 nests. */
const CONSTRUCTED_OCTET_STRING = Tag.OCTET_STRING | 0x20;

function lengthOctets(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x1000000 ? 4 : 5;
}

class Reencoder {
  /** Content length of each constructed element, in the order elements start (pass 1 fills, pass 2 reads). */
  private sizes = new Uint32Array(64);
  private count = 0;
  private next = 0;
  /** Set by pass 1 when the input is not already DER framing. */
  changed = false;
  private out: Buffer | undefined;
  private at = 0;

  constructor(private readonly buf: Buffer) {}

  /** Pass 1: where the element at `p` (within `limit`) ends, and the size of its DER. */
  measure(p: number, limit: number): { end: number; size: number } {
    return this.walk(p, limit, 0, false);
  }

  /** Pass 2: writes the element at `p` as DER, into a buffer of the size pass 1 found. */
  write(p: number, limit: number, size: number): Buffer {
    this.out = Buffer.allocUnsafe(size);
    this.at = 0;
    this.next = 0;
    this.walk(p, limit, 0, false);
    return this.out;
  }

  private reserve(): number {
    if (this.count === this.sizes.length) {
      const bigger = new Uint32Array(this.sizes.length * 2);
      bigger.set(this.sizes);
      this.sizes = bigger;
    }
    return this.count++;
  }

  private header(tag: number, len: number): number {
    const out = this.out;
    if (out === undefined) return 1 + lengthOctets(len);
    out[this.at++] = tag;
    if (len < 0x80) {
      out[this.at++] = len;
    } else {
      const n = lengthOctets(len) - 1;
      out[this.at++] = 0x80 | n;
      for (let i = n - 1; i >= 0; i--) out[this.at++] = Math.floor(len / 256 ** i) & 0xff;
    }
    return 1 + lengthOctets(len);
  }

  private copy(start: number, end: number): void {
    if (this.out !== undefined) this.at += this.buf.copy(this.out, this.at, start, end);
  }

  /**
   * One element. `pieces`: inside a constructed OCTET STRING, where only OCTET STRING pieces may appear and only
   * their contents are written. Returns the input offset after the element and the size of what it writes.
   */
  private walk(p: number, limit: number, depth: number, pieces: boolean): { end: number; size: number } {
    const buf = this.buf;
    if (p >= limit) throw new Asn1Error('expected a BER element but the data ends', p);
    const tag = buf[p];
    if ((tag & 0x1f) === 0x1f) throw new Asn1Error('multi-byte tags are not supported', p);
    if (p + 1 >= limit) throw new Asn1Error('BER length is missing', p + 1);
    const first = buf[p + 1];
    let q = p + 2;
    let len: number | undefined;
    if (first === 0x80) {
      if ((tag & 0x20) === 0)
        throw new Asn1Error('indefinite length on a primitive element (BER allows it only on constructed ones)', p + 1);
      this.changed = true;
    } else if (first > 0x80) {
      const n = first & 0x7f;
      if (n > 4) throw new Asn1Error(`length of ${n} bytes is too large`, p + 1);
      if (q + n > limit) throw new Asn1Error('BER length runs past the end of the data', p + 1);
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[q + i];
      if (len < 0x80 || buf[q] === 0) this.changed = true;
      q += n;
    } else {
      len = first;
    }
    if (len !== undefined && q + len > limit)
      throw new Asn1Error(`element claims ${len} bytes but only ${limit - q} remain`, p);
    if (pieces && tag !== Tag.OCTET_STRING && tag !== CONSTRUCTED_OCTET_STRING) {
      throw new Asn1Error(
        `a constructed OCTET STRING may hold only OCTET STRING pieces, not tag 0x${tag.toString(16)}`,
        p,
      );
    }
    if ((tag & 0x20) === 0) {
      // Primitive: its content is opaque here (a certificate, an encrypted blob, a nested encoding).
      const size = (pieces ? 0 : this.header(tag, len!)) + len!;
      this.copy(q, q + len!);
      return { end: q + len!, size };
    }
    if (depth + 1 > MAX_DEPTH) throw new Asn1Error(`BER nesting is deeper than ${MAX_DEPTH} levels`, p);
    if ((tag & 0xc0) === 0 && tag !== Tag.SEQUENCE && tag !== Tag.SET && tag !== CONSTRUCTED_OCTET_STRING) {
      throw new Asn1Error(`constructed encoding of universal type ${tag & 0x1f} is not supported`, p);
    }
    const flatten = tag === CONSTRUCTED_OCTET_STRING;
    if (flatten) this.changed = true;
    // The element writes a header unless it is itself a piece; a flattened one writes a primitive OCTET STRING's.
    const writesHeader = !pieces;
    let slot = -1;
    let contentSize = 0;
    if (writesHeader) {
      if (this.out === undefined) slot = this.reserve();
      else this.header(flatten ? Tag.OCTET_STRING : tag, this.sizes[this.next++]);
    }
    const end = len === undefined ? limit : q + len;
    let r = q;
    for (;;) {
      if (len !== undefined && r === end) break;
      if (r >= end) throw new Asn1Error('indefinite-length element has no end-of-contents marker', p);
      if (buf[r] === 0) {
        // Tag 0 is reserved for the end-of-contents marker: two zero octets closing an indefinite length.
        if (r + 1 >= end || buf[r + 1] !== 0) throw new Asn1Error('malformed end-of-contents marker', r);
        if (len !== undefined) throw new Asn1Error('end-of-contents marker inside a definite-length element', r);
        r += 2;
        break;
      }
      const child = this.walk(r, end, depth + 1, pieces || flatten);
      contentSize += child.size;
      r = child.end;
    }
    if (!writesHeader) return { end: r, size: contentSize };
    if (slot >= 0) {
      if (contentSize > 0xffffffff) throw new Asn1Error('BER element too large', p);
      this.sizes[slot] = contentSize;
    }
    return { end: r, size: 1 + lengthOctets(contentSize) + contentSize };
  }
}

/**
 * Reads one BER element at `offset` (within `limit`) and returns it as DER and where it ended in `buf`. When the
 * element is already DER framing, `der` is that part of `buf` itself (no copy, offsets unchanged).
 */
export function readBer(buf: Buffer, offset = 0, limit = buf.length): { der: Buffer; end: number } {
  const re = new Reencoder(buf);
  const { end, size } = re.measure(offset, limit);
  if (!re.changed) return { der: buf.subarray(offset, end), end };
  return { der: re.write(offset, limit, size), end };
}

/** A whole buffer that must hold exactly one BER element, as DER. */
export function berToDer(buf: Buffer): Buffer {
  const { der, end } = readBer(buf);
  if (end !== buf.length) throw new Asn1Error(`${buf.length - end} trailing bytes after the BER element`, end);
  return der;
}
