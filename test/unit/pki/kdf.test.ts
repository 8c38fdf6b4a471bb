import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, symlinkSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { main } from '../../../src/cli/main';
import {
  buildPkcs12,
  generateChain,
  generateKeyPair,
  privateKeyFilePem,
  DEFAULT_KDF_ITERATIONS,
} from '../../../src/core/pki/index';
import { InputError } from '../../../src/core/errors';
import { longestStall } from '../../hostile/longestStall';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'pki-kdf-'));
const env = { ...process.env, PASS: 'correct horse battery' };

async function mtls(
  cwd: string,
  args: string[],
  e: NodeJS.ProcessEnv = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), env: e, cwd });
  return { code, out, err };
}

/** The PBKDF2 iteration count of an encrypted PKCS#8 PEM, as `openssl asn1parse` reads it. */
function asn1Iterations(pemFile: string): number {
  const r = spawnSync('openssl', ['asn1parse', '-in', pemFile], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // PBKDF2-params: SEQUENCE { salt OCTET STRING, iterationCount INTEGER, prf }
  const m = /:PBKDF2\n.*\n.*OCTET STRING\s+\[HEX DUMP\]:[0-9A-F]+\n.*INTEGER\s+:([0-9A-F]+)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  return parseInt(m[1], 16);
}

test(`encrypted private keys use ${DEFAULT_KDF_ITERATIONS} PBKDF2 iterations by default, read back by openssl asn1parse, and still load in openssl and Node`, async () => {
  const { privateKey } = await generateKeyPair('ec256');
  const f = path.join(tmp(), 'k-key.pem');
  writeFileSync(f, await privateKeyFilePem(privateKey, env.PASS));
  assert.equal(asn1Iterations(f), 100_000);
  const r = spawnSync('openssl', ['pkey', '-in', f, '-passin', 'env:PASS', '-noout'], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const loaded = createPrivateKey({ key: readFileSync(f, 'utf8'), passphrase: env.PASS });
  assert.deepEqual(
    loaded.export({ type: 'pkcs8', format: 'der' }),
    privateKey.export({ type: 'pkcs8', format: 'der' }),
  );
  assert.throws(() => createPrivateKey({ key: readFileSync(f, 'utf8'), passphrase: 'wrong' }));
});

test('the iteration count is configurable and checked', async () => {
  const { privateKey } = await generateKeyPair('ec256');
  const f = path.join(tmp(), 'k-key.pem');
  writeFileSync(f, await privateKeyFilePem(privateKey, env.PASS, 250_000));
  assert.equal(asn1Iterations(f), 250_000);
  await assert.rejects(() => privateKeyFilePem(privateKey, env.PASS, 1000), InputError);
  await assert.rejects(() => privateKeyFilePem(privateKey, env.PASS, 2.5), InputError);
  await assert.rejects(() => privateKeyFilePem(privateKey, env.PASS, 2_000_001), InputError);
  const set = await generateChain({ keyType: 'ec256' });
  const get = (n: string) => String(set.files.find((x) => x.name === n)!.contents);
  await assert.rejects(
    () =>
      buildPkcs12({
        certPem: get('client-crt.pem'),
        keyPem: get('client-key.pem'),
        passphrase: 'p',
        iterations: 300_000,
      }),
    /at most 200,000 iterations/,
  );
});

test("PKCS#12: MAC, certificates and shrouded key all at 100000 iterations (openssl pkcs12 -info), and Node's pfx loads it", async () => {
  const set = await generateChain({ keyType: 'ec256' });
  const get = (n: string) => String(set.files.find((x) => x.name === n)!.contents);
  const f = path.join(tmp(), 'c.p12');
  writeFileSync(
    f,
    await buildPkcs12({
      certPem: get('client-crt.pem'),
      keyPem: get('client-key.pem'),
      chainPem: get('ca-intermediate-crt.pem'),
      passphrase: env.PASS,
    }),
  );
  const info = spawnSync('openssl', ['pkcs12', '-info', '-noout', '-in', f, '-passin', 'env:PASS'], {
    env,
    encoding: 'utf8',
  });
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stderr, /MAC: sha256, Iteration 100000/);
  assert.match(info.stderr, /PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 100000, PRF hmacWithSHA256/);
  assert.match(info.stderr, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 100000, PRF hmacWithSHA256/);
  assert.doesNotThrow(() => tls.createSecureContext({ pfx: readFileSync(f), passphrase: env.PASS }));
});

test('mtls p12 --kdf-iterations and mtls chain --kdf-iterations set the count; a bad value is one usage line', async () => {
  const cwd = tmp();
  const e = { PASS: env.PASS };
  let r = await mtls(
    cwd,
    [
      'chain',
      '--out',
      'c',
      '--key',
      'ec256',
      '--encrypt-key',
      '--passphrase-env',
      'PASS',
      '--kdf-iterations',
      '300000',
    ],
    e,
  );
  assert.equal(r.code, 0, r.err);
  assert.equal(asn1Iterations(path.join(cwd, 'c', 'client-key.pem')), 300_000);
  r = await mtls(
    cwd,
    [
      'p12',
      '--cert',
      'c/client-crt.pem',
      '--key',
      'c/client-key.pem',
      '--key-passphrase-env',
      'PASS',
      '--out',
      'c.p12',
      '--passphrase-env',
      'PASS',
      '--kdf-iterations',
      '120000',
    ],
    e,
  );
  assert.equal(r.code, 0, r.err);
  const info = spawnSync(
    'openssl',
    ['pkcs12', '-info', '-noout', '-in', path.join(cwd, 'c.p12'), '-passin', 'env:PASS'],
    { env, encoding: 'utf8' },
  );
  assert.match(info.stderr, /MAC: sha256, Iteration 120000/);
  r = await mtls(cwd, ['chain', '--out', 'd', '--kdf-iterations', 'lots'], e);
  assert.equal(r.code, 2);
  assert.match(r.err, /--kdf-iterations lots: expected a whole number/);
});

test('mtls send --root-out refuses an existing file without --force and a symbolic link always, before sending anything', async () => {
  const cwd = tmp();
  const precious = path.join(tmp(), 'precious');
  writeFileSync(precious, 'precious');
  symlinkSync(precious, path.join(cwd, 'root.pem'));
  writeFileSync(path.join(cwd, 'existing.pem'), 'old');
  // Port 9 on 127.0.0.1: nothing listens there, so a request that got out would fail differently.
  for (const args of [
    ['--root-out', 'root.pem'],
    ['--root-out', 'root.pem', '--force'],
  ]) {
    const r = await mtls(cwd, ['send', 'https://127.0.0.1:9/', '--as-dialogflow', ...args]);
    assert.equal(r.code, 1);
    assert.match(r.err, /root\.pem is a symbolic link; nothing was written/);
  }
  assert.equal(readFileSync(precious, 'utf8'), 'precious');
  assert.ok(lstatSync(path.join(cwd, 'root.pem')).isSymbolicLink());
  let r = await mtls(cwd, ['send', 'https://127.0.0.1:9/', '--as-dialogflow', '--root-out', 'existing.pem']);
  assert.equal(r.code, 1);
  assert.match(r.err, /File already exists: .*existing\.pem\. Nothing was written/);
  assert.equal(readFileSync(path.join(cwd, 'existing.pem'), 'utf8'), 'old');
  r = await mtls(cwd, ['send', 'https://127.0.0.1:9/', '--as-dialogflow', '--root-out', 'existing.pem', '--force']);
  assert.match(readFileSync(path.join(cwd, 'existing.pem'), 'utf8'), /^-----BEGIN CERTIFICATE-----/);
});

/** Far below what these derivations cost on the caller's thread (about half a second), far above a loaded machine's jitter. */
const STALL_LIMIT_MS = 100;

test("an encrypted key at the 2,000,000-iteration maximum is written without stalling the caller's thread, and openssl reads it", async () => {
  const { privateKey } = await generateKeyPair('ec256');
  const { value: pem, stallMs } = await longestStall(() => privateKeyFilePem(privateKey, env.PASS, 2_000_000));
  const f = path.join(tmp(), 'slow-key.pem');
  writeFileSync(f, pem);
  assert.equal(asn1Iterations(f), 2_000_000);
  const r = spawnSync('openssl', ['pkey', '-in', f, '-passin', 'env:PASS', '-noout'], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(stallMs < STALL_LIMIT_MS, `the caller's thread stalled ${stallMs} ms`);
});

test("a .p12 at the 200,000-iteration maximum is built without stalling the caller's thread, and openssl verifies its MAC", async () => {
  const set = await generateChain({ keyType: 'ec256' });
  const get = (n: string) => String(set.files.find((x) => x.name === n)!.contents);
  const { value: p12, stallMs } = await longestStall(() =>
    buildPkcs12({
      certPem: get('client-crt.pem'),
      keyPem: get('client-key.pem'),
      passphrase: env.PASS,
      iterations: 200_000,
    }),
  );
  const f = path.join(tmp(), 'slow.p12');
  writeFileSync(f, p12);
  const info = spawnSync('openssl', ['pkcs12', '-info', '-noout', '-in', f, '-passin', 'env:PASS'], {
    env,
    encoding: 'utf8',
  });
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stderr, /MAC: sha256, Iteration 200000/);
  assert.match(info.stderr, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 200000/);
  assert.ok(stallMs < STALL_LIMIT_MS, `the caller's thread stalled ${stallMs} ms`);
});
