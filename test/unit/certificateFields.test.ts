// The fields the tree shows for a certificate: problem codes mark the right fields, failed extensions are shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { der } from '../../src/core/asn1/der';
import { certificateFields, itemLabel, type Field } from '../../src/core/certificateFields';
import { decodeBytes, decodePemText, type DecodedCertificate } from '../../src/core/x509/index';
import { PROBLEM_CODES } from '../../src/core/x509/types';
import { ecKey, makeCertificate, pemOf } from '../hostile/inputs';

const only = (pem: string, now?: Date): DecodedCertificate => {
  const item = decodePemText(pem, now ? { now } : {}).items[0];
  assert.equal(item.kind, 'certificate');
  return item;
};
const field = (fields: Field[], label: string): Field => {
  const f = fields.find((x) => x.label === label);
  assert.ok(f, `field ${label} in ${fields.map((x) => x.label).join(', ')}`);
  return f;
};

test('a weak RSA key marks the Public key field as an error (the code the decoder emits: weak-rsa)', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const c = only(pemOf([makeCertificate({ subject: 'weak', issuer: 'weak', key: rsa, ca: false })]));
  assert.ok(c.problems.some((p) => p.code === 'weak-rsa' && p.severity === 'error'));
  const f = certificateFields(c);
  assert.equal(field(f, 'Public key').value, 'RSA 1024 bit');
  assert.equal(field(f, 'Public key').severity, 'error');
  assert.equal(field(f, 'Signature').severity, undefined);
});

test('validity problems mark the Validity field; a healthy certificate marks nothing', () => {
  const key = ecKey();
  const pem = pemOf([
    makeCertificate({ subject: 'soon', issuer: 'soon', key, ca: false, notAfter: new Date(Date.UTC(2030, 0, 10)) }),
  ]);
  assert.equal(field(certificateFields(only(pem, new Date(Date.UTC(2031, 0, 1)))), 'Validity').severity, 'error');
  assert.equal(field(certificateFields(only(pem, new Date(Date.UTC(2030, 0, 1)))), 'Validity').severity, 'warning');
  const healthy = certificateFields(only(pem, new Date(Date.UTC(2027, 0, 1))));
  assert.deepEqual(
    healthy.filter((x) => x.severity !== undefined).map((x) => x.label),
    [],
  );
});

test('a known extension that failed to decode is shown with why, flagged, and its BOOLEAN is not read as CA:TRUE', () => {
  // basicConstraints whose cA BOOLEAN is empty: a lax reader takes it as true.
  const emptyBool = der.sequence(
    der.oid('2.5.29.19'),
    der.boolean(true),
    der.octetString(Buffer.from([0x30, 0x02, 0x01, 0x00])),
  );
  const c = only(
    pemOf([makeCertificate({ subject: 'odd', issuer: 'odd', key: ecKey(), extraExtensions: [emptyBool] })]),
  );
  assert.equal(c.isCa, false);
  assert.equal(c.basicConstraints, undefined);
  const problem = c.problems.find((p) => p.code === 'extension-not-decoded');
  assert.ok(problem && problem.severity === 'error', JSON.stringify(c.problems));
  assert.match(
    problem.message,
    /^CN=odd: its critical Basic Constraints extension could not be decoded \(BOOLEAN of 0 octets/,
  );
  const f = field(certificateFields(c), 'Basic Constraints (critical)');
  assert.match(f.value, /^not decoded: BOOLEAN of 0 octets \(DER needs exactly one\)/);
  assert.equal(f.severity, 'error');
  assert.deepEqual(f.children, [{ label: 'Value (hex)', value: '30020100' }]);
  // openssl agrees the extension is malformed.
  const out = execFileSync('openssl', ['x509', '-noout', '-text'], {
    input: pemOf([makeCertificate({ subject: 'odd', issuer: 'odd', key: ecKey(), extraExtensions: [emptyBool] })]),
    stdio: ['pipe', 'pipe', 'pipe'],
  }).toString();
  assert.doesNotMatch(out, /CA:TRUE/);
});

test('fields list SANs, usages and identifiers; unknown extensions as hex; itemLabel summarises', () => {
  const ski = Buffer.alloc(20, 0x11);
  const unknown = der.sequence(der.oid('1.2.3.4.5'), der.octetString(Buffer.from([0x05, 0x00])));
  const c = only(
    pemOf([
      makeCertificate({
        subject: 'Example CA',
        issuer: 'Example CA',
        key: ecKey(),
        ski,
        ca: true,
        extraExtensions: [unknown],
      }),
    ]),
  );
  const f = certificateFields(c);
  assert.equal(field(f, 'Basic constraints').value, 'CA:TRUE');
  assert.equal(
    field(f, 'Subject key identifier').value,
    ski
      .toString('hex')
      .toUpperCase()
      .replace(/(..)(?!$)/g, '$1:'),
  );
  assert.equal(field(f, '1.2.3.4.5').value, '0500');
  assert.ok(!f.some((x) => x.label.startsWith('Basic Constraints')), 'a decoded known extension is not listed twice');
  assert.deepEqual(
    itemLabel(
      decodeBytes(
        Buffer.from(pemOf([makeCertificate({ subject: 'Example CA', issuer: 'Example CA', key: ecKey(), ca: true })])),
      ).items[0],
    ).label,
    'Example CA',
  );
});

test('every problem code is a member of the shared union (a renamed code would not compile in its consumers)', () => {
  assert.ok(PROBLEM_CODES.includes('weak-rsa'));
  assert.equal(new Set(PROBLEM_CODES).size, PROBLEM_CODES.length);
});
