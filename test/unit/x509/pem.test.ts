// The one PEM scanner: what it accepts (RFC 7468 lax, as OpenSSL accepts it) and what it refuses, line by line.
// Every lax case is cross-checked with `openssl x509`: both read the same certificate bytes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../src/core/errors';
import { certificatesFromPem, findPemBlocks, scanPem } from '../../../src/core/x509/pem';

let dir = '';
let certA = '';
let certB = '';
let derA = Buffer.alloc(0);
let derB = Buffer.alloc(0);
const ossl = (args: string[], input?: string) =>
  execFileSync('openssl', args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] });
const lines = (s: string) => s.trimEnd().split('\n');

/** What `openssl x509` reads from `text` (DER), or undefined when it refuses it. */
function opensslReads(text: string): Buffer | undefined {
  writeFileSync(join(dir, 'in.pem'), text);
  try {
    return ossl(['x509', '-in', 'in.pem', '-outform', 'DER']);
  } catch {
    return undefined;
  }
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pem-'));
  ossl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'a.key',
    '-subj',
    '/CN=a',
    '-days',
    '5',
    '-out',
    'a.pem',
  ]);
  ossl([
    'req',
    '-x509',
    '-newkey',
    'ed25519',
    '-nodes',
    '-keyout',
    'b.key',
    '-subj',
    '/CN=b',
    '-days',
    '5',
    '-out',
    'b.pem',
  ]);
  certA = readFileSync(join(dir, 'a.pem'), 'utf8');
  certB = readFileSync(join(dir, 'b.pem'), 'utf8');
  derA = ossl(['x509', '-in', 'a.pem', '-outform', 'DER']);
  derB = ossl(['x509', '-in', 'b.pem', '-outform', 'DER']);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('lax like OpenSSL: prose around blocks, CRLF, spaces and tabs inside base64, one long base64 line', () => {
  const body = lines(certA).slice(1, -1);
  const variants: Record<string, string> = {
    'openssl -text output before the block': ossl(['x509', '-in', 'a.pem', '-text']).toString(),
    'pkcs12 "Bag Attributes" before the block': 'Bag Attributes\n    localKeyID: 51 8C 28 EC\nsubject=CN = a\n' + certA,
    CRLF: certA.replace(/\n/g, '\r\n'),
    'spaces and tabs inside a base64 line': certA.replace(body[1], `${body[1].slice(0, 10)}  \t ${body[1].slice(10)}`),
    'the whole base64 on one line': `-----BEGIN CERTIFICATE-----\n${body.join('')}\n-----END CERTIFICATE-----\n`,
  };
  for (const [what, text] of Object.entries(variants)) {
    assert.deepEqual(opensslReads(text), derA, `openssl reads: ${what}`);
    const blocks = scanPem(text);
    assert.equal(blocks.length, 1, what);
    assert.deepEqual([blocks[0].type, blocks[0].error, blocks[0].der], ['CERTIFICATE', undefined, derA], what);
    assert.deepEqual(certificatesFromPem(text, 'f.pem'), [derA], what);
  }
});

test('beyond OpenSSL: indented blocks (PEM pasted into YAML) are read too', () => {
  const yaml = 'tls:\n  cert: |\n' + certA.replace(/^/gm, '    ');
  assert.equal(opensslReads(yaml), undefined, 'openssl refuses indented markers');
  assert.deepEqual(certificatesFromPem(yaml, 'values.yaml'), [derA]);
  assert.equal(findPemBlocks(yaml)[0].startLine, 3);
});

test('several blocks in order, with line numbers and offsets; stray END lines and inline markers are text', () => {
  const text = 'intro\n-----END CERTIFICATE-----\n' + certA + 'see -----BEGIN CERTIFICATE----- below\n\n' + certB;
  const blocks = scanPem(text);
  assert.deepEqual(
    blocks.map((b) => [b.index, b.type, b.startLine, b.endLine, b.error]),
    [
      [1, 'CERTIFICATE', 3, 2 + lines(certA).length, undefined],
      [2, 'CERTIFICATE', 5 + lines(certA).length, 4 + lines(certA).length + lines(certB).length, undefined],
    ],
  );
  assert.deepEqual(
    blocks.map((b) => text.slice(b.startOffset, b.endOffset)),
    [certA.trimEnd(), certB.trimEnd()],
  );
  assert.deepEqual(certificatesFromPem(text, 'f.pem'), [derA, derB]);
});

test('RFC 7468 labels: spaces and single hyphens between label characters', () => {
  const params = ossl(['ecparam', '-name', 'prime256v1']).toString(); // "EC PARAMETERS"
  const blocks = scanPem(params + '-----BEGIN X9.42 DH-PARAMETERS-----\nMAMCAQU=\n-----END X9.42 DH-PARAMETERS-----\n');
  assert.deepEqual(
    blocks.map((b) => [b.type, b.error]),
    [
      ['EC PARAMETERS', undefined],
      ['X9.42 DH-PARAMETERS', undefined],
    ],
  );
  assert.deepEqual(blocks[1].der, Buffer.from('3003020105', 'hex'));
});

test('legacy encrypted keys: Proc-Type/DEK-Info headers are kept and the body is the ciphertext', () => {
  ossl(['pkey', '-in', 'a.key', '-traditional', '-aes128', '-passout', 'pass:pw', '-out', 'enc.key']);
  const text = readFileSync(join(dir, 'enc.key'), 'utf8');
  const [b] = scanPem(text);
  assert.equal(b.type, 'EC PRIVATE KEY');
  assert.equal(b.headers['Proc-Type'], '4,ENCRYPTED');
  assert.match(b.headers['DEK-Info'], /^AES-128-CBC,[0-9A-F]{32}$/);
  const body = lines(text).slice(4, -1).join('');
  assert.deepEqual(b.der, Buffer.from(body, 'base64'));
  // Ciphertext is not DER, and that is fine: a certificate file may carry its encrypted key along.
  assert.deepEqual(certificatesFromPem(certA + text, 'both.pem'), [derA]);
});

test('no END line: at the end of the text, and before the next BEGIN; the other blocks are still read', () => {
  const b = lines(certB);
  const cutAtEnd = scanPem(certA + b.slice(0, 4).join('\n') + '\n');
  const startLine = lines(certA).length + 1;
  assert.deepEqual(
    cutAtEnd.map((x) => [x.error?.code, x.error?.message, x.error?.line]),
    [
      [undefined, undefined, undefined],
      ['pem-truncated', `PEM block 2: no END line (BEGIN CERTIFICATE at line ${startLine})`, startLine],
    ],
  );
  const cutBeforeNext = scanPem(lines(certA).slice(0, 3).join('\n') + '\n' + certB);
  assert.deepEqual(
    cutBeforeNext.map((x) => [x.error?.message, x.der]),
    [
      ['PEM block 1: no END line (BEGIN CERTIFICATE at line 1)', undefined],
      [undefined, derB],
    ],
  );
  for (const text of [certA + b.slice(0, 4).join('\n') + '\n', lines(certA).slice(0, 3).join('\n') + '\n' + certB]) {
    assert.equal(
      opensslReads(text.startsWith(certA) ? text.slice(certA.length) : text.slice(0, text.indexOf(certB))),
      undefined,
      'openssl refuses the cut block',
    );
    assert.throws(
      () => certificatesFromPem(text, 'The CA file'),
      (e: unknown) =>
        e instanceof InputError &&
        /^The CA file is truncated: PEM block \d: no END line \(BEGIN CERTIFICATE at line \d+\)\.$/.test(e.message),
    );
  }
});

test('labels must match: an END with another label names both and its line', () => {
  const text = '-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----END PRIVATE KEY-----\n';
  assert.equal(opensslReads(text), undefined);
  assert.deepEqual(
    scanPem(text).map((b) => [b.error?.message, b.error?.line]),
    [['PEM block 1: END PRIVATE KEY at line 3 does not match BEGIN CERTIFICATE', 3]],
  );
  assert.throws(
    () => certificatesFromPem(text, 'ca.pem'),
    /^InputError: ca\.pem is truncated: PEM block 1: END PRIVATE KEY at line 3 does not match BEGIN CERTIFICATE\.$/,
  );
});

test('bad base64: a foreign character, data after the padding, misplaced padding, cut short, empty — each with its line', () => {
  const b = lines(certA);
  const bad = (i: number, line: string) => [...b.slice(0, i), line, ...b.slice(i + 1)].join('\n') + '\n';
  const cases: [string, string, string, number | undefined][] = [
    [
      'foreign character',
      bad(2, b[2].slice(0, 7) + '!' + b[2].slice(8)),
      'PEM block 1: invalid base64 character "!" at line 3',
      3,
    ],
    [
      'data after padding',
      [b[0], 'MAMCAQU=', 'MAMCAQU=', b[b.length - 1]].join('\n'),
      "PEM block 1: base64 continues after its '=' padding at line 2",
      3,
    ],
    [
      'padding inside a line',
      [b[0], 'MAM=CAQU', b[b.length - 1]].join('\n'),
      "PEM block 1: misplaced '=' padding at line 2",
      2,
    ],
    ['cut short', bad(2, b[2].slice(0, 10)), `PEM block 1: base64 ends early (`, undefined],
    ['empty', [b[0], '', b[b.length - 1]].join('\n'), 'PEM block 1: the block is empty', undefined],
  ];
  for (const [what, text, message, line] of cases) {
    const [block] = scanPem(text);
    assert.equal(block.error?.code, 'pem-base64', what);
    assert.ok(block.error?.message.startsWith(message), `${what}: ${block.error?.message}`);
    assert.equal(block.error?.line, line, what);
    assert.equal(opensslReads(text), undefined, `openssl refuses it too: ${what}`);
    assert.throws(
      () => certificatesFromPem(text, 'f.pem'),
      (e: unknown) => e instanceof InputError && e.message.startsWith(`f.pem is damaged: ${message}`),
      what,
    );
  }
});

test('the edges of clean base64: padding on its own line or split, CR, CRLF, and blank lines (which OpenSSL refuses and we skip)', () => {
  // certB (Ed25519, a 304-byte certificate) ends in '==' padding.
  const b = lines(certB);
  const body = b.slice(1, -1).join('');
  assert.ok(body.endsWith('==') && !body.endsWith('==='), 'the test certificate ends in two padding characters');
  const text = (mid: string) => `${b[0]}\n${mid}\n${b[b.length - 1]}\n`;
  const wrap = (s: string) => s.replace(/.{1,64}/g, '$&\n').trimEnd();
  // [what, text, we read it, openssl reads it]
  const cases: [string, string, boolean, boolean][] = [
    ['clean', text(wrap(body)), true, true],
    ['CRLF everywhere', text(wrap(body)).replace(/\n/g, '\r\n'), true, true],
    ['a lone CR inside a line', text(wrap(body.slice(0, 10) + '\r' + body.slice(10))), true, true],
    ['padding on a line of its own', text(wrap(body.slice(0, -2)) + '\n=='), true, true],
    ['padding split over two lines', text(wrap(body.slice(0, -1)) + '\n='), true, true],
    ['three padding characters', text(wrap(body) + '\n='), false, false],
    ['base64 after padding', text(wrap(body) + '\nAA=='), false, false],
    ['padding inside the last line', text(wrap(body.slice(0, -4) + '=' + body.slice(-4, -1))), false, false],
    ['blank and white-space lines after the last line', text(wrap(body) + '\n\n \t'), true, false],
    ['a blank line inside the body', text(wrap(body).replace('\n', '\n\n')), true, false],
  ];
  for (const [what, t, ours, openssl] of cases) {
    const [block] = scanPem(t);
    assert.equal(block.der !== undefined, ours, `${what}: ${block.error?.message}`);
    if (ours) assert.deepEqual(block.der, derB, what);
    assert.equal(opensslReads(t) !== undefined, openssl, `openssl: ${what}`);
  }
  const [after] = scanPem(text(wrap(body) + '\nAA=='));
  assert.equal(after.error?.message, `PEM block 1: base64 continues after its '=' padding at line ${b.length - 1}`);
});

test('certificatesFromPem: only certificate labels, every block must be DER, and at least one certificate', () => {
  const key = readFileSync(join(dir, 'a.key'), 'utf8');
  const trusted = ossl(['x509', '-in', 'a.pem', '-trustout']).toString();
  assert.match(trusted, /BEGIN TRUSTED CERTIFICATE/);
  assert.deepEqual(certificatesFromPem(key + certA + certB.replace(/CERTIFICATE/g, 'X509 CERTIFICATE'), 'f.pem'), [
    derA,
    derB,
  ]);
  assert.equal(certificatesFromPem(trusted, 'f.pem').length, 1);
  assert.throws(
    () => certificatesFromPem(key, 'key.pem'),
    /^InputError: key\.pem holds no PEM certificate \(expected "-----BEGIN CERTIFICATE-----"\)\.$/,
  );
  assert.throws(() => certificatesFromPem('hello\n', 'notes.txt'), /notes\.txt holds no PEM certificate/);
  // Valid base64, but "AAAA" is three zero bytes: not one DER element. Caught before anything is built from it.
  const notDer = certA + '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
  assert.throws(
    () => certificatesFromPem(notDer, 'f.pem'),
    (e: unknown) =>
      e instanceof InputError &&
      new RegExp(
        `^f\\.pem is damaged or truncated: PEM block 2 \\(CERTIFICATE, line ${lines(certA).length + 1}\\) is not valid DER \\(`,
      ).test(e.message),
  );
  // A certificate cut at a line boundary keeps valid base64 but not valid DER.
  const cut = [...lines(certA).slice(0, 5), lines(certA).at(-1)].join('\n');
  assert.throws(() => certificatesFromPem(cut, 'f.pem'), /is damaged or truncated: PEM block 1 .* is not valid DER/);
  // A damaged key block in a certificate file fails the file: it was cut or garbled somewhere.
  assert.throws(
    () => certificatesFromPem(certA + lines(key).slice(0, 2).join('\n'), 'f.pem'),
    /^InputError: f\.pem is truncated: PEM block 2: no END line \(BEGIN PRIVATE KEY/,
  );
});
