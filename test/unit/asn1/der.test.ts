import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { berToDer, readBer } from '../../../src/core/asn1/ber';
import {
  der,
  parseDer,
  children,
  readBoolean,
  readOid,
  readInteger,
  readIntegerHex,
  readTime,
  readString,
  Asn1Error,
  MAX_DEPTH,
} from '../../../src/core/asn1/der';

test('encodes and reads back an OID, integers, strings and times', () => {
  const when = new Date(Date.UTC(2031, 4, 6, 7, 8, 9));
  const later = new Date(Date.UTC(2051, 0, 1, 0, 0, 0));
  const buf = der.sequence(
    der.oid('1.2.840.113549.1.1.11'),
    der.integer(0x80n),
    der.integer(Buffer.from([0, 0, 1])),
    der.utf8('Zürich'),
    der.bmp('Ωmega'),
    der.time(when),
    der.time(later),
  );
  const kids = children(parseDer(buf));
  assert.equal(readOid(kids[0]), '1.2.840.113549.1.1.11');
  assert.equal(readInteger(kids[1]), 128n);
  assert.equal(readIntegerHex(kids[2]), '01');
  assert.equal(readString(kids[3]), 'Zürich');
  assert.equal(readString(kids[4]), 'Ωmega');
  assert.equal(readTime(kids[5]).toISOString(), when.toISOString());
  assert.equal(kids[6].tag, 0x18, 'dates from 2050 use GeneralizedTime');
  assert.equal(readTime(kids[6]).toISOString(), later.toISOString());
});

test('openssl asn1parse reads what the writer produces', () => {
  const buf = der.sequence(der.oid('2.5.29.17'), der.boolean(true), der.octetString(Buffer.from('hi')), der.null());
  const out = execFileSync('openssl', ['asn1parse', '-inform', 'DER'], { input: buf }).toString();
  assert.match(out, /X509v3 Subject Alternative Name/);
  assert.match(out, /BOOLEAN\s+:255/);
  assert.match(out, /NULL/);
});

test('rejects truncated, indefinite-length and trailing data with a typed error', () => {
  const good = der.sequence(der.integer(5n));
  assert.throws(() => parseDer(good.subarray(0, good.length - 1)), Asn1Error);
  assert.throws(() => parseDer(Buffer.from([0x30, 0x80, 0, 0])), /indefinite length/);
  assert.throws(() => parseDer(Buffer.concat([good, Buffer.from([0])])), /trailing bytes/);
  assert.throws(() => parseDer(Buffer.alloc(0)), /data ends/);
});

test('DER strictness: empty or non-DER BOOLEANs, non-minimal lengths, bad string encodings and deep nesting are typed errors', () => {
  const bool = (body: number[]) =>
    children(parseDer(Buffer.from([0x30, body.length + 2, 0x01, body.length, ...body])))[0];
  assert.throws(
    () => readBoolean(bool([])),
    (e: unknown) => e instanceof Asn1Error && /BOOLEAN of 0 octets/.test(e.message),
  );
  assert.throws(() => readBoolean(bool([0x01])), /BOOLEAN value 0x01 \(DER needs 0x00 or 0xFF\)/);
  assert.equal(readBoolean(bool([0xff])), true);
  assert.equal(readBoolean(bool([0x00])), false);
  // 5 written as 0x81 0x05 (long form under 128) and as 0x82 0x00 0x05 (leading zero).
  assert.throws(
    () => parseDer(Buffer.from([0x04, 0x81, 0x05, 1, 2, 3, 4, 5])),
    (e: unknown) => e instanceof Asn1Error && /non-minimal length encoding of 5 \(not DER\)/.test(e.message),
  );
  assert.throws(() => parseDer(Buffer.from([0x04, 0x82, 0x00, 0x05, 1, 2, 3, 4, 5])), /non-minimal length/);
  assert.throws(
    () => readString(parseDer(Buffer.from([0x1c, 0x04, 0x7f, 0xff, 0xff, 0xff]))),
    (e: unknown) => e instanceof Asn1Error && /not a Unicode character/.test(e.message),
  );
  assert.throws(
    () => readString(parseDer(Buffer.from([0x1c, 0x03, 0, 0, 0x41]))),
    (e: unknown) => e instanceof Asn1Error,
  );
  assert.throws(
    () => readString(parseDer(Buffer.from([0x1e, 0x03, 0, 0x41, 0]))),
    (e: unknown) => e instanceof Asn1Error && /BMPString of 3 octets/.test(e.message),
  );
  assert.equal(readString(parseDer(Buffer.from([0x1c, 0x04, 0, 0x01, 0xf6, 0x00]))), '😀');
  // 200 nested SEQUENCEs: refused at MAX_DEPTH, not by a stack overflow.
  let deep: Buffer = der.null();
  for (let i = 0; i < 200; i++) deep = der.sequence(deep);
  let node = parseDer(deep);
  assert.throws(
    () => {
      for (;;) node = children(node)[0];
    },
    (e: unknown) => e instanceof Asn1Error && new RegExp(`deeper than ${MAX_DEPTH} levels`).test(e.message),
  );
});

test('OIDs: first arcs 0–2 (2 takes any second arc), large arcs, repeated reads, and bad encodings that fail every time', () => {
  const read = (bytes: number[]) => readOid(parseDer(Buffer.from([0x06, bytes.length, ...bytes])));
  const long = '1.3.6.1.4.1.' + Array.from({ length: 40 }, (_, i) => 1000 + i).join('.');
  for (const oid of [
    '0.9.2342.19200300.100.1.25',
    '1.2.840.10045.4.3.3',
    '2.5.29.17',
    '2.999.3',
    '1.3.6.1.4.1.55555.4294967296',
    long,
  ]) {
    const node = parseDer(der.oid(oid));
    assert.equal(readOid(node), oid, 'first read');
    assert.equal(readOid(node), oid, 'read again (the remembered answer)');
  }
  // 2.999.3 by hand: the first octets carry 2*40+999 = 1079 = 0x88 0x37.
  assert.equal(read([0x88, 0x37, 0x03]), '2.999.3');
  for (let i = 0; i < 2; i++) {
    assert.throws(
      () => read([0x69, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
      /arc too large/,
      `an arc beyond 2^53 is refused, not rounded (read ${i + 1})`,
    );
    assert.throws(() => read([0x2a, 0x86]), /ends inside an arc/, `a cut arc (read ${i + 1})`);
    assert.throws(() => read([]), /empty object identifier/);
  }
  assert.equal(read([0x2a, 0x86, 0x48]), '1.2.840', 'the bytes of a refused OID read fine once complete');
});

// ---------------------------------------------------------------- BER, as PKCS#12 layers may be written

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('BER → DER: indefinite lengths, long-form lengths and OCTET STRINGs in pieces become the DER openssl writes', () => {
  // SEQUENCE (indefinite) { INTEGER 3 (length 0x81 0x01), OCTET STRING in pieces "ab" + ("cd" + "e"), [0] (indefinite) { NULL } }
  const ber = hex('3080 028101 03  2480 0402 6162 2480 0402 6364 0401 65 0000 0000  a080 0500 0000  0000');
  const out = berToDer(ber);
  assert.deepEqual(
    out,
    der.sequence(der.integer(3), der.octetString(Buffer.from('abcde')), der.explicit(0, der.null())),
  );
  // openssl reads the BER as BER, and our DER as the same values.
  const parse = (input: Buffer) => execFileSync('openssl', ['asn1parse', '-inform', 'DER'], { input }).toString();
  assert.match(parse(ber), /l=inf\s+cons: OCTET STRING/);
  const values = parse(out)
    .split('\n')
    .filter((l) => / prim: /.test(l))
    .map((l) =>
      l
        .replace(/^.*prim: /, '')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  assert.deepEqual(values, ['INTEGER :03', 'OCTET STRING :abcde', 'NULL']);
  // An empty piece adds nothing.
  assert.deepEqual(berToDer(hex('2480 0400 0401 61 0000')), der.octetString(Buffer.from('a')));
  // Already DER: the same bytes back, not a copy.
  const derIn = der.sequence(der.octetString(Buffer.alloc(300, 7)), der.set(der.integer(1)));
  assert.equal(berToDer(derIn).buffer, derIn.buffer);
  assert.equal(readBer(Buffer.concat([derIn, Buffer.from('\n')])).end, derIn.length);
  // A certificate-sized primitive is copied as it is, whatever it holds (e.g. a non-DER encoding inside).
  const opaque = Buffer.concat([hex('3080'), Buffer.alloc(10, 0x30), hex('0000')]);
  assert.deepEqual(berToDer(der.sequence(der.octetString(opaque))), der.sequence(der.octetString(opaque)));
});

test('hostile BER is a typed error naming the fault: unterminated, misplaced end-of-contents, primitive indefinite, bad pieces', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['unterminated', hex('3080 0201 03'), /no end-of-contents marker/],
    ['unterminated inside', hex('3080 3080 0500 0000'), /no end-of-contents marker/],
    [
      'end-of-contents in a definite element',
      hex('3004 0500 0000'),
      /end-of-contents marker inside a definite-length element/,
    ],
    ['end-of-contents with a length', hex('3080 0001 00'), /malformed end-of-contents/],
    ['indefinite primitive', hex('0480 6162 0000'), /indefinite length on a primitive element/],
    ['a SEQUENCE among OCTET STRING pieces', hex('2480 3000 0000'), /only OCTET STRING pieces/],
    ['constructed BIT STRING', hex('2380 0302 0001 0000'), /universal type 3 is not supported/],
    ['length beyond the data', hex('3080 0405 6162 0000'), /claims 5 bytes/],
    ['five-byte length', hex('3085 0000000001 00'), /length of 5 bytes/],
    ['trailing bytes', hex('3080 0000 05'), /1 trailing bytes after the BER element/],
    ['empty', Buffer.alloc(0), /data ends/],
  ];
  for (const [what, bytes, message] of cases) {
    assert.throws(
      () => berToDer(bytes),
      (e: unknown) => e instanceof Asn1Error && message.test(e.message),
      what,
    );
  }
});

test('BER bombs end quickly: 100,000 nested indefinite lengths stop at MAX_DEPTH, a million siblings in linear time', () => {
  for (const open of ['3080', '2480', 'a080']) {
    const nest = Buffer.alloc(200_000, 0);
    for (let i = 0; i < nest.length; i += 2) hex(open).copy(nest, i);
    const t0 = performance.now();
    assert.throws(
      () => berToDer(nest),
      (e: unknown) => e instanceof Asn1Error && new RegExp(`deeper than ${MAX_DEPTH} levels`).test(e.message),
      open,
    );
    assert.ok(performance.now() - t0 < 1000, `${open}: ${performance.now() - t0} ms`);
  }
  // 4 MB: an indefinite SEQUENCE of a million empty indefinite SEQUENCEs, then the same without its last marker.
  const wide = Buffer.alloc(4 + 4 * 1_000_000, 0);
  for (let i = 2; i < wide.length - 2; i += 4) {
    wide[i] = 0x30;
    wide[i + 1] = 0x80;
  }
  wide[0] = 0x30;
  wide[1] = 0x80;
  let t0 = performance.now();
  const out = berToDer(wide);
  assert.equal(children(parseDer(out)).length, 1_000_000);
  assert.ok(performance.now() - t0 < 10_000, `a million siblings: ${Math.round(performance.now() - t0)} ms`);
  t0 = performance.now();
  assert.throws(() => berToDer(wide.subarray(0, wide.length - 2)), /no end-of-contents marker/);
  assert.ok(performance.now() - t0 < 10_000, `unterminated: ${Math.round(performance.now() - t0)} ms`);
});
