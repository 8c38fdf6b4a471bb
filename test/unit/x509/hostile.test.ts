// Hostile inputs, generated here: each is refused with a typed error that names what the file asks for, within
// a generous time limit, while legitimate files with high (OpenSSL 3-made, 600,000-iteration) costs still decode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { pbkdf2Sync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBytes, type DecodedFile } from '../../../src/core/x509/index';
import { kdfBombs, encryptedKeyPem, manyEncryptedKeys, pbes2Pbkdf2, sameNameIssuers } from '../../hostile/inputs';

/**
 * How much slower than an idle machine this one is right now (parallel builds share 2 cores): the time of a fixed
 * PBKDF2 run against its idle time. Time limits below are in idle-machine milliseconds, scaled by this.
 */
function loadFactor(): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    pbkdf2Sync('load', 'factor', 50_000, 32, 'sha256');
    best = Math.min(best, performance.now() - t0);
  }
  return Math.max(1, best / 15); // 50,000 iterations take ~15 ms on an idle 2-core VM
}
let LOAD = 1;

/** Refusal must be quick: the budget targets 1 s; 2 s allows for the parsing around it. */
const REFUSE_MS = () => 2000 * LOAD;
/**
 * A file that spends its whole budget before the rest is refused: about 1 s of derivation, plus parsing. The bound
 * that matters is the count of keys opened, asserted below.
 */
const SPEND_MS = () => 3000 * LOAD;

let dir = '';
const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const file = (f: string) => readFileSync(join(dir, f));

before(() => {
  LOAD = loadFactor();
  dir = mkdtempSync(join(tmpdir(), 'x509-hostile-'));
  ossl(
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
    '/CN=hostile test',
    '-days',
    '5',
    '-out',
    'a.pem',
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

function timed(bytes: Buffer, passphrase?: string): { r: DecodedFile; ms: number } {
  const t0 = performance.now();
  const r = decodeBytes(bytes, passphrase === undefined ? {} : { passphrase });
  return { r, ms: performance.now() - t0 };
}

test('every key-derivation bomb is refused within 2 s (idle-machine time), with and without a passphrase, naming what it asks for', () => {
  for (const bomb of kdfBombs()) {
    for (const passphrase of [bomb.passphrase, 'x', undefined]) {
      const { r, ms } = timed(bomb.bytes, passphrase);
      const label = `${bomb.name} (passphrase ${passphrase === undefined ? 'none' : 'given'})`;
      assert.ok(ms < REFUSE_MS(), `${label}: ${Math.round(ms)} ms (load ×${LOAD.toFixed(1)})`);
      assert.ok(bomb.bytes.length <= 1024 * 1024, `${label} is at most 1 MB`);
      if (passphrase === undefined && bomb.name.endsWith('.key')) {
        // Without a passphrase an encrypted key is only described: no derivation is attempted.
        assert.deepEqual(r.errors, [], label);
        continue;
      }
      assert.ok(r.errors.length > 0, `${label}: refused`);
      for (const e of r.errors)
        assert.ok(
          e.code === 'too-costly' ||
            e.code === 'unsupported' ||
            e.code === 'wrong-passphrase' ||
            e.code === 'needs-passphrase',
          `${label}: ${e.code} ${e.message}`,
        );
      // A wrong passphrase stops at the MAC (one derivation, within budget); otherwise the refusal names the cost.
      if (r.errors.length === 1 && r.errors[0].code === 'wrong-passphrase') continue;
      assert.ok(
        r.errors.some((e) => /asks for|bytes long|not a positive/.test(e.message)),
        `${label}: ${r.errors.map((e) => e.message).join(' | ')}`,
      );
    }
  }
});

test('the refusal messages say what the file asks for and that it was not decoded', () => {
  const msgs = (name: string, passphrase?: string) => {
    const bomb = kdfBombs().find((b) => b.name === name)!;
    return decodeBytes(bomb.bytes, passphrase === undefined ? {} : { passphrase }).errors.map(
      (e) => `${e.code}: ${e.message}`,
    );
  };
  assert.deepEqual(msgs('mac-2000-byte-digest.p12'), [
    'unsupported: PKCS#12: the MAC asks for 5,000,000 iterations of SHA-256 with a 2,000-byte digest, but SHA-256 gives 32 bytes — not decoded',
  ]);
  assert.match(
    msgs('mac-5M-iterations.p12')[0],
    /^too-costly: PKCS#12: the MAC asks for 5,000,000 iterations of SHA-256 \(tried 2 ways\): about [\d.]+ s of key derivation, over the 1 s work limit — not decoded$/,
  );
  assert.match(
    msgs('mac-5M-iterations.p12', 'pw')[0],
    /^too-costly: PKCS#12: the MAC asks for 5,000,000 iterations of SHA-256: about/,
  );
  assert.deepEqual(msgs('mac-huge-salt.p12'), [
    'unsupported: PKCS#12: the MAC salt is 500,000 bytes long; at most 1,024 are accepted — not decoded',
  ]);
  assert.match(
    msgs('4000-encrypted-bags.p12')[0],
    /^too-costly: PKCS#12: the private key asks for 2,048 iterations of PBKDF2-SHA-256: about [\d.]+ s of key derivation \(4,000 derivations in all\), over the rest of the 1 s work limit — not decoded$/,
  );
  assert.match(
    msgs('pbkdf2-sha1-multi-block.p12')[0],
    /the certificate bag asks for 3,000,000 iterations of PBKDF2-SHA-1 × 2 output blocks/,
  );
  assert.match(
    msgs('pkcs12-pbe-3des-bag.p12')[0],
    /the certificate bag asks for 4,000,000 iterations of SHA-1 × 2 output blocks/,
  );
  assert.deepEqual(msgs('scrypt-1GiB.key', 'x'), [
    'too-costly: PEM block 1: the encrypted private key asks for scrypt N=1,048,576, r=8, p=1: 1,024 MiB of memory, over the 64 MiB limit — not decoded',
  ]);
  assert.match(
    msgs('scrypt-p-1000.key', 'x')[0],
    /^too-costly: PEM block 1: the encrypted private key asks for scrypt N=16,384, r=8, p=1,000: about [\d.]+ s of key derivation, over the 1 s work limit — not decoded$/,
  );
});

test('a refused encrypted key is still listed and described; the others in the file share one budget', () => {
  const { r, ms } = timed(manyEncryptedKeys().bytes, 'x');
  assert.ok(ms < SPEND_MS(), `${Math.round(ms)} ms`);
  assert.equal(r.items.length, 500);
  assert.ok(
    r.items.every(
      (k) =>
        k.kind === 'privateKey' &&
        k.encrypted &&
        k.encryption === 'PBES2, PBKDF2 (hmacWithSHA256, 100000 iterations), AES-256-CBC',
    ),
  );
  // The first keys fit the budget (and fail to open: random ciphertext), the rest are refused.
  const refused = r.errors.filter((e) => e.code === 'too-costly').length;
  assert.ok(refused > 400 && refused < 500, `${refused} refused`);
  assert.equal(r.errors[0].block, 500 - refused + 1);
});

test('legitimate costly files still decode: OpenSSL 3 PKCS#12 and PKCS#8 at 600,000 iterations, scrypt at its defaults', () => {
  ossl(
    'pkcs12',
    '-export',
    '-in',
    'a.pem',
    '-inkey',
    'a.key',
    '-iter',
    '600000',
    '-passout',
    'pass:pw',
    '-out',
    'high.p12',
  );
  const info = spawnSync('openssl', ['pkcs12', '-in', join(dir, 'high.p12'), '-passin', 'pass:pw', '-info', '-noout']);
  assert.match(info.stderr.toString(), /MAC: sha256, Iteration 600000[\s\S]*Iteration 600000/);
  const p12 = timed(file('high.p12'), 'pw');
  assert.deepEqual(p12.r.errors, []);
  assert.deepEqual(
    p12.r.items.map((i) => i.kind),
    ['certificate', 'privateKey'],
  );
  assert.ok(p12.ms < SPEND_MS(), `${Math.round(p12.ms)} ms`);
  const locked = timed(file('high.p12'));
  assert.deepEqual(
    locked.r.errors.map((e) => e.code),
    ['needs-passphrase'],
  );
  assert.ok(locked.ms < SPEND_MS(), `${Math.round(locked.ms)} ms`);

  ossl(
    'pkcs8',
    '-topk8',
    '-in',
    'a.key',
    '-v2',
    'aes-256-cbc',
    '-iter',
    '600000',
    '-passout',
    'pass:pw',
    '-out',
    'high.key',
  );
  ossl('pkcs8', '-topk8', '-in', 'a.key', '-scrypt', '-passout', 'pass:pw', '-out', 'scrypt.key');
  for (const f of ['high.key', 'scrypt.key']) {
    const k = timed(file(f), 'pw');
    assert.deepEqual(k.r.errors, [], f);
    const item = k.r.items[0];
    assert.ok(item.kind === 'privateKey' && item.algorithm === 'EC' && item.curve === 'P-256' && item.spkiSha256, f);
  }
  const sc = decodeBytes(file('scrypt.key')).items[0];
  assert.ok(sc.kind === 'privateKey' && sc.encryption === 'PBES2, scrypt (N=16384, r=8, p=1), AES-256-CBC');
});

test('the budget is per file: a refused key in one file does not affect the next', () => {
  const big = Buffer.from(encryptedKeyPem(pbes2Pbkdf2(50_000_000)));
  assert.equal(decodeBytes(big, { passphrase: 'x' }).errors[0]?.code, 'too-costly');
  ossl('pkcs8', '-topk8', '-in', 'a.key', '-v2', 'aes-256-cbc', '-passout', 'pass:pw', '-out', 'ok.key');
  assert.deepEqual(decodeBytes(file('ok.key'), { passphrase: 'pw' }).errors, []);
});

test('1,800 same-name issuers (1 MB): linear work, bounded signature checks, no garbage self-signature shown as a root', () => {
  const bomb = sameNameIssuers(1800);
  assert.ok(bomb.bytes.length <= 1024 * 1024, `${bomb.bytes.length} bytes`);
  const { r, ms } = timed(bomb.bytes);
  // Decoding 1,800 certificates is itself ~0.5 s idle; the signature checks add at most their 0.4 s budget.
  assert.ok(ms < SPEND_MS(), `${Math.round(ms)} ms`);
  assert.deepEqual(r.errors, []);
  const certs = r.items.filter((i) => i.kind === 'certificate');
  assert.equal(certs.length, 1801);
  assert.ok(
    certs.every((c) => c.kind === 'certificate' && !c.selfSigned && c.role !== 'root'),
    'no garbage self-signature verifies',
  );
  assert.ok(r.chain.links.every((l) => !l.verified));
  const byCode = (code: string) => r.problems.filter((p) => p.code === code).length;
  // Checked until the budget ran out, then said so — never assumed.
  assert.ok(byCode('bad-self-signature') > 100, `${byCode('bad-self-signature')} self-signatures checked`);
  assert.ok(byCode('signature-not-checked') > 0);
  // Each certificate is either reported unchecked or has its failed check reported.
  for (const l of r.chain.links) {
    const codes = r.problems.filter((p) => p.item === l.item).map((p) => p.code);
    if (l.unchecked) assert.ok(codes.includes('signature-not-checked'), `${l.item}: ${codes.join(',')}`);
    else
      assert.ok(
        codes.includes('bad-self-signature') || codes.includes('broken-chain'),
        `${l.item}: ${codes.join(',')}`,
      );
  }
});

test('hostile BER PKCS#12: a nesting bomb, a missing end-of-contents marker and a million empty elements are refused quickly', () => {
  const pfxStart = Buffer.from('308002010330800609' + '2a864886f70d010701' + 'a080', 'hex'); // SEQUENCE, INTEGER 3, data ContentInfo, [0]
  const cases: [string, Buffer, RegExp][] = [
    [
      '100,000 nested indefinite lengths',
      Buffer.concat([pfxStart, Buffer.alloc(200_000).fill(Buffer.from('3080', 'hex'))]),
      /^PKCS#12: BER nesting is deeper than \d+ levels/,
    ],
    [
      '100,000 nested OCTET STRING pieces',
      Buffer.concat([pfxStart, Buffer.alloc(200_000).fill(Buffer.from('2480', 'hex'))]),
      /^PKCS#12: BER nesting is deeper than \d+ levels/,
    ],
    [
      'no end-of-contents marker',
      Buffer.concat([pfxStart, Buffer.from('248004023000', 'hex')]),
      /^PKCS#12: indefinite-length element has no end-of-contents marker/,
    ],
    [
      'a million empty elements, not a PFX',
      Buffer.concat([
        Buffer.from('3080020103', 'hex'),
        Buffer.alloc(4_000_000).fill(Buffer.from('30800000', 'hex')),
        Buffer.from('0000', 'hex'),
      ]),
      /^PKCS#12: BER-encoded data that is not a PKCS#12 file/,
    ],
  ];
  for (const [what, bytes, message] of cases) {
    const { r, ms } = timed(bytes, 'pw');
    assert.equal(r.errors.length, 1, `${what}: ${JSON.stringify(r.errors)}`);
    assert.equal(r.errors[0].code, 'der', what);
    assert.match(r.errors[0].message, message, what);
    assert.ok(ms < REFUSE_MS(), `${what}: ${Math.round(ms)} ms (load ×${LOAD.toFixed(1)})`);
  }
});
