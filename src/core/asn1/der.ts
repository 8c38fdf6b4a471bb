/**
 * A small, strict DER reader and writer. Certificates, keys, PKCS#12 and CSRs are all DER underneath;
 * one lean codec serves both generation (pki/) and decoding (x509/), and being strict (definite, minimal
 * lengths; one-octet BOOLEANs; bounds checked; nesting at most MAX_DEPTH deep; every failure an Asn1Error)
 * is what lets the decoder promise "typed error, never a crash".
 */
import { MtlsError } from '../errors';

export class Asn1Error extends MtlsError {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super('E_ASN1', `${message} (at byte ${offset})`);
    this.name = 'Asn1Error';
  }
}

export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  NUMERIC_STRING: 0x12,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
} as const;

/** One decoded TLV. Offsets index into `buf`, so nothing is copied until asked for. */
export interface Asn1Node {
  readonly buf: Buffer;
  /** The identifier octet (class, constructed bit and tag number < 31). */
  readonly tag: number;
  readonly cls: number;
  readonly constructed: boolean;
  readonly tagNumber: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first content octet. */
  readonly contentStart: number;
  /** Offset one past the last content octet. */
  readonly end: number;
  /** How many constructed elements enclose this one (0 for a top-level element). */
  readonly depth?: number;
}

/** Deeper nesting than any certificate, key or PKCS#12 needs (about 12): refused before it costs stack or time. */
export const MAX_DEPTH = 64;

/**
 * Reads one TLV at `offset`, checking that it fits inside `limit`. Every node is built with the same shape
 * (depth included) so V8 keeps one hidden class for all of them: a spread copy per node cost more than the parse.
 */
export function readTlv(buf: Buffer, offset = 0, limit = buf.length, depth = 0): Asn1Node {
  if (offset >= limit) throw new Asn1Error('expected a DER element but the data ends', offset);
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new Asn1Error('multi-byte tags are not supported', offset);
  if (offset + 1 >= limit) throw new Asn1Error('DER length is missing', offset + 1);
  let len = buf[offset + 1];
  let contentStart = offset + 2;
  if (len === 0x80) throw new Asn1Error('indefinite length is not allowed in DER', offset + 1);
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4) throw new Asn1Error(`length of ${n} bytes is too large`, offset + 1);
    if (contentStart + n > limit) throw new Asn1Error('DER length runs past the end of the data', offset + 1);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[contentStart + i];
    // DER: the shortest form only (no long form under 128, no leading zero length octet).
    if (len < 0x80 || buf[contentStart] === 0)
      throw new Asn1Error(`non-minimal length encoding of ${len} (not DER)`, offset + 1);
    contentStart += n;
  }
  const end = contentStart + len;
  if (end > limit) {
    throw new Asn1Error(`element claims ${len} bytes but only ${limit - contentStart} remain`, offset);
  }
  return {
    buf,
    tag,
    cls: tag >> 6,
    constructed: (tag & 0x20) !== 0,
    tagNumber: tag & 0x1f,
    start: offset,
    contentStart,
    end,
    depth,
  };
}

/** Parses a whole buffer that must hold exactly one DER element. */
export function parseDer(buf: Buffer): Asn1Node {
  const node = readTlv(buf, 0, buf.length);
  if (node.end !== buf.length)
    throw new Asn1Error(`${buf.length - node.end} trailing bytes after the DER element`, node.end);
  return node;
}

/** The elements inside a constructed node (or inside a primitive one that wraps DER, e.g. OCTET STRING). */
export function children(node: Asn1Node): Asn1Node[] {
  const depth = (node.depth ?? 0) + 1;
  if (depth > MAX_DEPTH) throw new Asn1Error(`DER nesting is deeper than ${MAX_DEPTH} levels`, node.start);
  const out: Asn1Node[] = [];
  let p = node.contentStart;
  while (p < node.end) {
    const child = readTlv(node.buf, p, node.end, depth);
    out.push(child);
    p = child.end;
  }
  return out;
}

/** The elements of a BIT STRING or OCTET STRING that encapsulates DER (skips the unused-bits octet). */
export function encapsulated(node: Asn1Node): Asn1Node {
  const start = node.tag === Tag.BIT_STRING ? node.contentStart + 1 : node.contentStart;
  const depth = (node.depth ?? 0) + 1;
  if (depth > MAX_DEPTH) throw new Asn1Error(`DER nesting is deeper than ${MAX_DEPTH} levels`, node.start);
  const inner = readTlv(node.buf, start, node.end, depth);
  if (inner.end !== node.end) throw new Asn1Error('trailing bytes inside an encapsulated element', inner.end);
  return inner;
}

export function content(node: Asn1Node): Buffer {
  return node.buf.subarray(node.contentStart, node.end);
}

/** The whole TLV (identifier + length + content). */
export function raw(node: Asn1Node): Buffer {
  return node.buf.subarray(node.start, node.end);
}

function expectTag(node: Asn1Node, tag: number, what: string): Asn1Node {
  if (node.tag !== tag) {
    throw new Asn1Error(`${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`, node.start);
  }
  return node;
}

/** Children of a SEQUENCE, with a friendly error when the element is something else. */
export function sequence(node: Asn1Node, what: string): Asn1Node[] {
  return children(expectTag(node, Tag.SEQUENCE, what));
}

/**
 * Dotted OIDs already read, by their content octets (as latin1). A certificate repeats the same few dozen OIDs
 * (name attributes, extensions, algorithms), so a bundle of roots reads each once. The cache is bounded, in
 * entries and in the length of what it keeps, so a hostile file of many or long OIDs cannot grow it.
 */
const oidCache = new Map<string, string>();
const OID_CACHE_LIMIT = 2048;
const OID_CACHE_MAX_OCTETS = 32;

export function readOid(node: Asn1Node): string {
  expectTag(node, Tag.OID, 'object identifier');
  const { buf, contentStart: start, end } = node;
  if (end === start) throw new Asn1Error('empty object identifier', node.start);
  const key = end - start <= OID_CACHE_MAX_OCTETS ? buf.toString('latin1', start, end) : undefined;
  const known = key === undefined ? undefined : oidCache.get(key);
  if (known !== undefined) return known;
  let text = '';
  let value = 0;
  for (let i = start; i < end; i++) {
    value = value * 128 + (buf[i] & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) throw new Asn1Error('object identifier arc too large', node.start);
    if ((buf[i] & 0x80) === 0) {
      if (text === '') {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        text = `${first}.${value - first * 40}`;
      } else {
        text += `.${value}`;
      }
      value = 0;
    } else if (i === end - 1) {
      throw new Asn1Error('object identifier ends inside an arc', node.start);
    }
  }
  if (key !== undefined && oidCache.size < OID_CACHE_LIMIT) oidCache.set(key, text);
  return text;
}

/** INTEGER as a bigint (two's complement). */
export function readInteger(node: Asn1Node): bigint {
  expectTag(node, Tag.INTEGER, 'integer');
  const b = content(node);
  if (b.length === 0) throw new Asn1Error('empty integer', node.start);
  let v = BigInt('0x' + b.toString('hex'));
  if (b[0] & 0x80) v -= 1n << BigInt(b.length * 8);
  return v;
}

/**
 * INTEGER as hex the way `openssl x509 -serial` prints serials: uppercase, whole octets, no leading zero octets,
 * and a negative value as "-" and its magnitude (-5 is "-05", not its two's complement "FB"). RFC 5280 wants
 * positive serials, yet some CAs issued negative ones, and a user comparing with OpenSSL must see the same text.
 */
export function readIntegerHex(node: Asn1Node): string {
  expectTag(node, Tag.INTEGER, 'integer');
  let b = content(node);
  if (b.length > 0 && b[0] & 0x80) {
    const hex = (-readInteger(node)).toString(16).toUpperCase();
    return `-${hex.length % 2 ? '0' : ''}${hex}`;
  }
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return b.toString('hex').toUpperCase();
}

/** DER BOOLEAN: exactly one octet, 0x00 or 0xFF (an empty one must not read as true, e.g. as CA:TRUE). */
export function readBoolean(node: Asn1Node): boolean {
  expectTag(node, Tag.BOOLEAN, 'boolean');
  const c = content(node);
  if (c.length !== 1) throw new Asn1Error(`BOOLEAN of ${c.length} octets (DER needs exactly one)`, node.start);
  if (c[0] !== 0 && c[0] !== 0xff)
    throw new Asn1Error(`BOOLEAN value 0x${c[0].toString(16).padStart(2, '0')} (DER needs 0x00 or 0xFF)`, node.start);
  return c[0] === 0xff;
}

/** BIT STRING payload and its count of unused trailing bits. */
export function readBitString(node: Asn1Node): { bytes: Buffer; unusedBits: number } {
  expectTag(node, Tag.BIT_STRING, 'bit string');
  const c = content(node);
  if (c.length === 0) throw new Asn1Error('empty bit string', node.start);
  return { bytes: c.subarray(1), unusedBits: c[0] };
}

/** Any of the string types X.509 names use, decoded to a JS string. */
export function readString(node: Asn1Node): string {
  const c = content(node);
  switch (node.tag) {
    case Tag.UTF8_STRING:
      return c.toString('utf8');
    case Tag.BMP_STRING: {
      if (c.length % 2 !== 0)
        throw new Asn1Error(`BMPString of ${c.length} octets (not whole UTF-16 characters)`, node.start);
      const swapped = Buffer.from(c);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    case Tag.UNIVERSAL_STRING: {
      if (c.length % 4 !== 0)
        throw new Asn1Error(`UniversalString of ${c.length} octets (not whole UTF-32 characters)`, node.start);
      let s = '';
      for (let i = 0; i < c.length; i += 4) {
        const cp = c.readUInt32BE(i);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
          throw new Asn1Error(`UniversalString holds 0x${cp.toString(16)}, not a Unicode character`, node.start);
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    case Tag.T61_STRING:
      return c.toString('latin1');
    default:
      return c.toString('latin1');
  }
}

export function readTime(node: Asn1Node): Date {
  const s = content(node).toString('latin1');
  let m: RegExpMatchArray | null;
  if (node.tag === Tag.UTC_TIME && (m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?Z$/.exec(s))) {
    const yy = Number(m[1]);
    return new Date(
      Date.UTC(
        yy < 50 ? 2000 + yy : 1900 + yy,
        Number(m[2]) - 1,
        Number(m[3]),
        Number(m[4]),
        Number(m[5]),
        Number(m[6] ?? 0),
      ),
    );
  }
  if (node.tag === Tag.GENERALIZED_TIME && (m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.\d+)?Z$/.exec(s))) {
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  throw new Asn1Error(`unreadable time "${s}"`, node.start);
}

// ---------------------------------------------------------------- writer

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Encodes one TLV from an identifier octet and its content. */
function tlv(tag: number, body: Buffer | readonly Buffer[]): Buffer {
  const c = Buffer.isBuffer(body) ? body : Buffer.concat(body);
  return Buffer.concat([Buffer.from([tag]), encodeLength(c.length), c]);
}

function encodeOid(oid: string): Buffer {
  const arcs = oid.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new Error(`bad OID "${oid}"`);
    return Number(a);
  });
  if (arcs.length < 2) throw new Error(`bad OID "${oid}"`);
  const out: number[] = [];
  const push = (v: number) => {
    const tmp = [v & 0x7f];
    for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) tmp.unshift((v & 0x7f) | 0x80);
    out.push(...tmp);
  };
  push(arcs[0] * 40 + arcs[1]);
  for (const a of arcs.slice(2)) push(a);
  return Buffer.from(out);
}

function encodeUnsigned(v: Buffer): Buffer {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0 && (v[i + 1] & 0x80) === 0) i++;
  const trimmed = v.subarray(i);
  return trimmed.length === 0
    ? Buffer.from([0])
    : trimmed[0] & 0x80
      ? Buffer.concat([Buffer.from([0]), trimmed])
      : trimmed;
}

function formatTime(d: Date, generalized: boolean): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const y = d.getUTCFullYear();
  const rest =
    p(d.getUTCMonth() + 1) + p(d.getUTCDate()) + p(d.getUTCHours()) + p(d.getUTCMinutes()) + p(d.getUTCSeconds()) + 'Z';
  return generalized ? p(y, 4) + rest : p(y % 100) + rest;
}

/** DER builders. Each returns the complete encoded element. */
export const der = {
  sequence: (...items: Buffer[]) => tlv(Tag.SEQUENCE, items),
  /** SET OF, sorted as DER requires. */
  set: (...items: Buffer[]) =>
    tlv(
      Tag.SET,
      [...items].sort((a, b) => Buffer.compare(a, b)),
    ),
  /** A non-negative INTEGER from unsigned big-endian bytes or a number/bigint. */
  integer(v: Buffer | number | bigint): Buffer {
    if (Buffer.isBuffer(v)) return tlv(Tag.INTEGER, encodeUnsigned(v));
    const n = BigInt(v);
    if (n < 0n) throw new Error('negative integers are not needed here');
    const hex = n.toString(16);
    return tlv(Tag.INTEGER, encodeUnsigned(Buffer.from(hex.length % 2 ? '0' + hex : hex, 'hex')));
  },
  boolean: (v: boolean) => tlv(Tag.BOOLEAN, Buffer.from([v ? 0xff : 0])),
  null: () => Buffer.from([Tag.NULL, 0]),
  oid: (oid: string) => tlv(Tag.OID, encodeOid(oid)),
  octetString: (b: Buffer) => tlv(Tag.OCTET_STRING, b),
  bitString: (b: Buffer, unusedBits = 0) => tlv(Tag.BIT_STRING, [Buffer.from([unusedBits]), b]),
  utf8: (s: string) => tlv(Tag.UTF8_STRING, Buffer.from(s, 'utf8')),
  printable: (s: string) => tlv(Tag.PRINTABLE_STRING, Buffer.from(s, 'latin1')),
  ia5: (s: string) => tlv(Tag.IA5_STRING, Buffer.from(s, 'latin1')),
  bmp: (s: string) => {
    const b = Buffer.from(s, 'utf16le');
    b.swap16();
    return tlv(Tag.BMP_STRING, b);
  },
  /** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050. */
  time: (d: Date) =>
    d.getUTCFullYear() < 2050
      ? tlv(Tag.UTC_TIME, Buffer.from(formatTime(d, false), 'latin1'))
      : tlv(Tag.GENERALIZED_TIME, Buffer.from(formatTime(d, true), 'latin1')),
  generalizedTime: (d: Date) => tlv(Tag.GENERALIZED_TIME, Buffer.from(formatTime(d, true), 'latin1')),
  /** [n] EXPLICIT — wraps a complete element. */
  explicit: (n: number, inner: Buffer) => tlv(0xa0 | n, inner),
  /** [n] IMPLICIT primitive — replaces the tag of a primitive value's content. */
  implicit: (n: number, body: Buffer) => tlv(0x80 | n, body),
  /** [n] IMPLICIT constructed — the content of a SEQUENCE/SET under a context tag. */
  implicitConstructed: (n: number, ...items: Buffer[]) => tlv(0xa0 | n, items),
};
