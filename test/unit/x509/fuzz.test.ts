// Fuzz: random bytes and mutated valid inputs (bit flips, truncation, splicing, insertions) must always come back
// as a result or typed errors — never an exception, never a hang. Seeded, so a failure can be replayed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBytes, decodePemText, renderText, type DecodedFile } from '../../../src/core/x509/index';

const SEED = Number(process.env.X509_FUZZ_SEED ?? 0x5eed);
const CASES = Number(process.env.X509_FUZZ_CASES ?? 3000);
const PER_CALL_MS = 1000;

/** mulberry32: small, fast, good enough to drive mutations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let dir = '';
const seeds: { name: string; bytes: Buffer; passphrase?: string }[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'x509-fuzz-'));
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const file = (f: string) => readFileSync(join(dir, f));
  ossl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-subj',
    '/CN=fuzz ca',
    '-days',
    '5',
    '-addext',
    'nameConstraints=permitted;DNS:example.com',
    '-out',
    'ca.pem',
  );
  ossl(
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'leaf.key',
    '-subj',
    '/CN=leaf/O=Zürich',
    '-utf8',
    '-addext',
    'subjectAltName=DNS:a.example.com,IP:::1,email:x@example.com',
    '-out',
    'leaf.csr',
  );
  ossl(
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-days',
    '5',
    '-copy_extensions',
    'copy',
    '-out',
    'leaf.pem',
  );
  ossl(
    'pkcs12',
    '-export',
    '-in',
    'leaf.pem',
    '-inkey',
    'leaf.key',
    '-certfile',
    'ca.pem',
    '-passout',
    'pass:fz',
    '-out',
    'leaf.p12',
  );
  ossl(
    'pkcs12',
    '-export',
    '-in',
    'leaf.pem',
    '-inkey',
    'leaf.key',
    '-certpbe',
    'PBE-SHA1-3DES',
    '-keypbe',
    'PBE-SHA1-3DES',
    '-macalg',
    'sha1',
    '-passout',
    'pass:fz',
    '-out',
    '3des.p12',
  );
  ossl('crl2pkcs7', '-nocrl', '-certfile', 'leaf.pem', '-certfile', 'ca.pem', '-outform', 'DER', '-out', 'b.p7b');
  ossl('pkey', '-in', 'leaf.key', '-aes256', '-passout', 'pass:fz', '-out', 'leaf.enc.key');
  try {
    ossl(
      'pkcs12',
      '-export',
      '-legacy',
      '-in',
      'leaf.pem',
      '-inkey',
      'leaf.key',
      '-passout',
      'pass:fz',
      '-out',
      'rc2.p12',
    );
    seeds.push({ name: 'rc2.p12', bytes: file('rc2.p12'), passphrase: 'fz' });
  } catch {
    // openssl without its legacy provider: no RC2 seed
  }
  const chain = Buffer.concat([file('leaf.pem'), file('ca.pem'), file('leaf.key')]);
  seeds.push(
    { name: 'chain.pem', bytes: chain },
    { name: 'leaf.der', bytes: ossl('x509', '-in', 'leaf.pem', '-outform', 'DER') },
    { name: 'leaf.csr', bytes: file('leaf.csr') },
    { name: 'leaf.csr.der', bytes: ossl('req', '-in', 'leaf.csr', '-outform', 'DER') },
    { name: 'leaf.p12', bytes: file('leaf.p12'), passphrase: 'fz' },
    { name: '3des.p12', bytes: file('3des.p12'), passphrase: 'fz' },
    { name: 'b.p7b', bytes: file('b.p7b') },
    { name: 'leaf.enc.key', bytes: file('leaf.enc.key') },
    { name: 'leaf.key.der', bytes: ossl('pkey', '-in', 'leaf.key', '-outform', 'DER') },
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

function mutate(r: () => number, input: Buffer, other: Buffer): { how: string; bytes: Buffer } {
  const n = (max: number) => Math.floor(r() * max);
  const b = Buffer.from(input);
  switch (n(6)) {
    case 0: {
      const flips = 1 + n(8);
      for (let i = 0; i < flips; i++) b[n(b.length)] ^= 1 << n(8);
      return { how: `flip ${flips} bits`, bytes: b };
    }
    case 1: {
      const at = n(b.length);
      return { how: `truncate at ${at}`, bytes: b.subarray(0, at) };
    }
    case 2: {
      const at = n(b.length);
      const from = n(other.length);
      return { how: `splice at ${at} from ${from}`, bytes: Buffer.concat([b.subarray(0, at), other.subarray(from)]) };
    }
    case 3: {
      const at = n(b.length);
      const junk = Buffer.from(Array.from({ length: 1 + n(16) }, () => n(256)));
      return { how: `insert ${junk.length} at ${at}`, bytes: Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]) };
    }
    case 4: {
      // Length octets are where DER readers break: hit bytes right after a SEQUENCE tag.
      const positions = [...b.keys()].filter((i) => b[i] === 0x30 && i + 1 < b.length);
      const at = positions.length ? positions[n(positions.length)] + 1 : n(b.length);
      b[at] = n(256);
      return { how: `length byte ${at}`, bytes: b };
    }
    default:
      return { how: 'random', bytes: Buffer.from(Array.from({ length: n(2048) }, () => n(256))) };
  }
}

function checkResult(r: DecodedFile, label: string): void {
  assert.ok(Array.isArray(r.items) && Array.isArray(r.errors) && Array.isArray(r.problems), label);
  assert.ok(['pem', 'der', 'pkcs7', 'pkcs12', 'unknown'].includes(r.format), label);
  // Array.isArray above left r.errors typed any[]: its elements are the decoder's errors.
  for (const e of r.errors as DecodedFile['errors']) {
    assert.ok(typeof e.code === 'string' && typeof e.message === 'string' && e.message.length > 0, label);
    // A JavaScript TypeError leaking into a message means a code path trusted the input's shape.
    assert.ok(
      e.code !== 'internal' && !/undefined|null|is not a function|Cannot read/.test(e.message),
      `${label}: ${e.code}: ${e.message}`,
    );
  }
  assert.ok(r.items.length > 0 || r.errors.length > 0, `${label}: neither items nor errors`);
  JSON.stringify(r);
  renderText(r);
}

test(`${CASES} mutated and random inputs: always a result or typed errors, each within ${PER_CALL_MS} ms`, () => {
  const r = prng(SEED);
  const started = performance.now();
  let slowest = 0;
  const kinds = new Map<string, number>();
  for (let i = 0; i < CASES; i++) {
    const seed = seeds[Math.floor(r() * seeds.length)];
    const other = seeds[Math.floor(r() * seeds.length)];
    const { how, bytes } = mutate(r, seed.bytes, other.bytes);
    const label = `case ${i} (seed ${SEED}): ${seed.name} ${how}`;
    const t0 = performance.now();
    let result: DecodedFile;
    try {
      result = decodeBytes(bytes, { passphrase: seed.passphrase, now: new Date('2030-01-01T00:00:00Z') });
      if (i % 3 === 0) checkResult(decodePemText(bytes.toString('latin1')), `${label} as text`);
    } catch (e) {
      assert.fail(`${label}: threw ${e instanceof Error ? e.stack : String(e)}`);
    }
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    assert.ok(ms < PER_CALL_MS, `${label}: took ${ms.toFixed(0)} ms`);
    checkResult(result, label);
    const outcome = result.items.length ? 'decoded' : result.errors[0].code;
    kinds.set(outcome, (kinds.get(outcome) ?? 0) + 1);
  }
  // The fuzzer must reach both outcomes, or it is not exercising anything.
  assert.ok((kinds.get('decoded') ?? 0) > 0 && kinds.size > 2, JSON.stringify([...kinds]));
  assert.ok(performance.now() - started < 120_000);
  assert.ok(slowest < PER_CALL_MS);
});

test('the unmutated seeds decode cleanly (so the mutations start from valid input)', () => {
  for (const s of seeds) {
    const r = decodeBytes(s.bytes, { passphrase: s.passphrase });
    assert.deepEqual(r.errors, [], s.name);
    assert.ok(r.items.length > 0, s.name);
  }
});
