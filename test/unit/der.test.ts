import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { der, parseDer, children, readOid, readInteger, readIntegerHex, readTime, readString, Asn1Error } from '../../src/core/asn1/der';

test('encodes and reads back an OID, integers, strings and times', () => {
  const when = new Date(Date.UTC(2031, 4, 6, 7, 8, 9));
  const later = new Date(Date.UTC(2051, 0, 1, 0, 0, 0));
  const buf = der.sequence(der.oid('1.2.840.113549.1.1.11'), der.integer(0x80n), der.integer(Buffer.from([0, 0, 1])), der.utf8('Zürich'), der.bmp('Ωmega'), der.time(when), der.time(later));
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
