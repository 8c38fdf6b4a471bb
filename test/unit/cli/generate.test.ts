import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { generateKeyPairSync } from 'node:crypto';
import { main } from '../../../src/cli/main';
import { buildCertificate } from '../../../src/core/pki/certificate';
import { encodeName } from '../../../src/core/pki/names';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function mtls(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), env, cwd });
  return { code, out, err };
}

const tmp = () => mkdtempSync(path.join(tmpdir(), 'pki-cli-'));
const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

test('mtls chain writes the eleven files, keys 0600 and certificates 0644, and says where and until when', async () => {
  const cwd = tmp();
  const r = await mtls(cwd, [
    'chain',
    '--out',
    'certs',
    '--key',
    'ec256',
    '--san',
    'DNS:hook.test,IP:::1',
    '--client-cn',
    'bot-1',
  ]);
  assert.equal(r.code, 0, r.err);
  const dir = path.join(cwd, 'certs');
  assert.deepEqual(readdirSync(dir).sort(), [
    'ca-crt.pem',
    'ca-intermediate-crt.pem',
    'ca-intermediate-key.pem',
    'ca-root-crt.pem',
    'ca-root-key.pem',
    'client-crt.pem',
    'client-fullchain.pem',
    'client-key.pem',
    'server-crt.pem',
    'server-fullchain.pem',
    'server-key.pem',
  ]);
  for (const f of readdirSync(dir)) assert.equal(mode(path.join(dir, f)), f.endsWith('-key.pem') ? '600' : '644', f);
  assert.match(r.out, new RegExp(`Wrote 11 files to ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.match(r.out, /server-crt\.pem .*expires \d{4}-\d\d-\d\d/);
  assert.match(r.out, /\.gitignore/);
  const v = spawnSync(
    'openssl',
    [
      'verify',
      '-CAfile',
      path.join(dir, 'ca-crt.pem'),
      path.join(dir, 'server-crt.pem'),
      path.join(dir, 'client-crt.pem'),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(v.status, 0, v.stderr);
  const text = spawnSync(
    'openssl',
    ['x509', '-noout', '-subject', '-ext', 'subjectAltName', '-in', path.join(dir, 'client-crt.pem')],
    { encoding: 'utf8' },
  ).stdout;
  assert.match(text, /CN ?= ?bot-1/);
  const srv = spawnSync(
    'openssl',
    ['x509', '-noout', '-ext', 'subjectAltName', '-in', path.join(dir, 'server-crt.pem')],
    { encoding: 'utf8' },
  ).stdout;
  assert.match(srv, /DNS:hook.test, IP Address:0:0:0:0:0:0:0:1/);
});

test('refuses to overwrite existing files (exit 1, nothing changed) unless --force', async () => {
  const cwd = tmp();
  assert.equal((await mtls(cwd, ['selfsigned', '--out', '.', '--key', 'ed25519'])).code, 0);
  const before = readFileSync(path.join(cwd, 'server-crt.pem'), 'utf8');
  const again = await mtls(cwd, ['selfsigned', '--out', '.', '--key', 'ed25519']);
  assert.equal(again.code, 1);
  assert.match(again.err, /already exist.*Nothing was written.*--force/s);
  assert.equal(readFileSync(path.join(cwd, 'server-crt.pem'), 'utf8'), before);
  assert.equal((await mtls(cwd, ['selfsigned', '--out', '.', '--key', 'ed25519', '--force'])).code, 0);
  assert.notEqual(readFileSync(path.join(cwd, 'server-crt.pem'), 'utf8'), before);
});

test('--encrypt-key takes the passphrase from the environment only, and openssl decrypts with it', async () => {
  const cwd = tmp();
  const missing = await mtls(cwd, ['selfsigned', '--out', 'a', '--encrypt-key']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /--passphrase-env/);
  const unset = await mtls(cwd, ['selfsigned', '--out', 'a', '--encrypt-key', '--passphrase-env', 'NOPE']);
  assert.equal(unset.code, 2);
  assert.match(unset.err, /NOPE: that environment variable is not set/);
  const r = await mtls(
    cwd,
    ['selfsigned', '--out', 'a', '--key', 'ec384', '--encrypt-key', '--passphrase-env', 'KEY_PASS'],
    { KEY_PASS: 'hunter2' },
  );
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.out, /hunter2/);
  const key = path.join(cwd, 'a', 'server-key.pem');
  assert.equal(spawnSync('openssl', ['pkey', '-in', key, '-passin', 'pass:hunter2', '-noout']).status, 0);
  assert.notEqual(spawnSync('openssl', ['pkey', '-in', key, '-passin', 'pass:', '-noout']).status, 0);
});

test('mtls client signs with an encrypted CA key from --ca-passphrase-env; a wrong passphrase or a mismatched key writes nothing', async () => {
  const cwd = tmp();
  assert.equal(
    (
      await mtls(cwd, ['chain', '--out', 'ca', '--key', 'ec256', '--encrypt-key', '--passphrase-env', 'P'], {
        P: 'ca-secret',
      })
    ).code,
    0,
  );
  assert.equal((await mtls(cwd, ['chain', '--out', 'other', '--key', 'ec256'])).code, 0);
  const args = [
    'client',
    '--ca-cert',
    'ca/ca-intermediate-crt.pem',
    '--ca-key',
    'ca/ca-intermediate-key.pem',
    '--out',
    'bots',
    '--cn',
    'kore-bot',
    '--name',
    'kore',
  ];
  const wrong = await mtls(cwd, [...args, '--ca-passphrase-env', 'P'], { P: 'nope' });
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /Wrong passphrase for the CA key file/);
  const noPass = await mtls(cwd, args);
  assert.match(noPass.err, /is encrypted: supply its passphrase/);
  const mismatch = await mtls(cwd, [
    'client',
    '--ca-cert',
    'ca/ca-intermediate-crt.pem',
    '--ca-key',
    'other/ca-intermediate-key.pem',
    '--out',
    'bots',
    '--cn',
    'x',
  ]);
  assert.match(mismatch.err, /CA key does not match the CA certificate/);
  assert.equal(existsSync(path.join(cwd, 'bots')), false, 'nothing written after bad input');
  const ok = await mtls(cwd, [...args, '--ca-passphrase-env', 'P'], { P: 'ca-secret' });
  assert.equal(ok.code, 0, ok.err);
  assert.deepEqual(readdirSync(path.join(cwd, 'bots')).sort(), ['kore-crt.pem', 'kore-fullchain.pem', 'kore-key.pem']);
  const v = spawnSync(
    'openssl',
    [
      'verify',
      '-CAfile',
      path.join(cwd, 'ca/ca-root-crt.pem'),
      '-untrusted',
      path.join(cwd, 'bots/kore-fullchain.pem'),
      path.join(cwd, 'bots/kore-crt.pem'),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(v.status, 0, v.stderr);
});

test('bad input gets a specific message and writes nothing: unknown key type, invalid SAN, truncated CA PEM, bad --days, an empty common name', async () => {
  const cwd = tmp();
  const badKey = await mtls(cwd, ['chain', '--out', 'x', '--key', 'rsa1024']);
  assert.equal(badKey.code, 1);
  assert.match(badKey.err, /Unknown key type "rsa1024". Use one of: rsa2048, rsa3072, rsa4096, ec256, ec384, ed25519/);
  const badSan = await mtls(cwd, ['selfsigned', '--out', 'x', '--san', 'DNS:ok.test,IP:999.1.1.1']);
  assert.match(badSan.err, /Invalid IP address "999.1.1.1"/);
  const badDays = await mtls(cwd, ['selfsigned', '--out', 'x', '--days', 'ten']);
  assert.equal(badDays.code, 2);
  assert.equal((await mtls(cwd, ['chain', '--out', 'ca', '--key', 'ec256'])).code, 0);
  writeFileSync(
    path.join(cwd, 'cut.pem'),
    readFileSync(path.join(cwd, 'ca/ca-intermediate-crt.pem'), 'utf8').slice(0, 200),
  );
  const cut = await mtls(cwd, [
    'client',
    '--ca-cert',
    'cut.pem',
    '--ca-key',
    'ca/ca-intermediate-key.pem',
    '--out',
    'x',
    '--cn',
    'c',
  ]);
  assert.match(cut.err, /truncated/);
  const missingFile = await mtls(cwd, [
    'client',
    '--ca-cert',
    'nope.pem',
    '--ca-key',
    'ca/ca-intermediate-key.pem',
    '--out',
    'x',
    '--cn',
    'c',
  ]);
  assert.match(missingFile.err, /Cannot read the CA certificate nope\.pem: no such file/);
  // An empty common name would leave the subject empty (openssl verify -x509_strict: "Subject name empty").
  for (const args of [
    ['client', '--ca-cert', 'ca/ca-crt.pem', '--ca-key', 'ca/ca-intermediate-key.pem', '--out', 'x', '--cn', ''],
    ['chain', '--out', 'x', '--client-cn', '', '--org', ''],
  ]) {
    const empty = await mtls(cwd, args);
    assert.equal(empty.code, 1, args[0]);
    assert.match(empty.err, /The common name "" must be 1–64 characters long\./, args[0]);
  }
  assert.equal(existsSync(path.join(cwd, 'x')), false);
});

test('mtls p12 writes a 0600 file that openssl and Node open with the env passphrase; there is no plain passphrase option', async () => {
  const cwd = tmp();
  assert.equal((await mtls(cwd, ['chain', '--out', '.', '--key', 'rsa2048'])).code, 0);
  const plain = await mtls(cwd, [
    'p12',
    '--cert',
    'client-crt.pem',
    '--key',
    'client-key.pem',
    '--out',
    'c.p12',
    '--passphrase',
    'x',
  ]);
  assert.equal(plain.code, 2);
  const r = await mtls(
    cwd,
    [
      'p12',
      '--cert',
      'client-crt.pem',
      '--key',
      'client-key.pem',
      '--chain',
      'ca-intermediate-crt.pem',
      '--out',
      'out/client.p12',
      '--passphrase-env',
      'P12',
    ],
    { P12: 'pfx-pass' },
  );
  assert.equal(r.code, 0, r.err);
  const p = path.join(cwd, 'out/client.p12');
  assert.equal(mode(p), '600');
  const info = spawnSync('openssl', ['pkcs12', '-info', '-nokeys', '-in', p, '-passin', 'env:P12'], {
    env: { ...process.env, P12: 'pfx-pass' },
    encoding: 'utf8',
  });
  assert.equal(info.status, 0, info.stderr);
  assert.equal((info.stdout.match(/BEGIN CERTIFICATE/g) ?? []).length, 2);
  assert.doesNotThrow(() => tls.createSecureContext({ pfx: readFileSync(p), passphrase: 'pfx-pass' }));
});

test('mtls trust-bundle writes the Dialogflow bundle and explains it; kore needs --import and checks CA:true; --check flags expired certificates', async () => {
  const cwd = tmp();
  const r = await mtls(cwd, ['trust-bundle', '--platform', 'dialogflow', '--out', 'ca-dialogflow.pem']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /SSL\.com Root Certification Authority RSA/);
  assert.match(r.out, /2026-12-01/);
  assert.match(r.out, /GlobalSign Root R2/);
  assert.match(readFileSync(path.join(cwd, 'ca-dialogflow.pem'), 'utf8'), /^# /);
  const kore = await mtls(cwd, ['trust-bundle', '--platform', 'kore', '--out', 'ca-kore.pem']);
  assert.equal(kore.code, 1);
  assert.match(kore.err, /--import/);
  assert.equal((await mtls(cwd, ['chain', '--out', 'ca', '--key', 'ec256', '--ca-days', '1'])).code, 0);
  const leaf = await mtls(cwd, [
    'trust-bundle',
    '--platform',
    'kore',
    '--import',
    'ca/client-crt.pem',
    '--out',
    'ca-kore.pem',
  ]);
  assert.match(leaf.err, /not a CA certificate/);
  const ok = await mtls(cwd, [
    'trust-bundle',
    '--platform',
    'kore',
    '--import',
    'ca/ca-intermediate-crt.pem',
    '--import',
    'ca/ca-root-crt.pem',
    '--out',
    'ca-kore.pem',
  ]);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /2 CA certificate/);
  const fine = await mtls(cwd, ['trust-bundle', '--check', 'ca/ca-crt.pem']);
  assert.equal(fine.code, 0);
  assert.match(fine.out, /no expired certificates/);
  // an expired root next to a valid one
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const old = buildCertificate({
    role: 'root',
    subject: encodeName({ cn: 'Old Root' }),
    publicKey,
    signingKey: privateKey,
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2021-01-01T00:00:00Z'),
  });
  writeFileSync(path.join(cwd, 'mixed.pem'), old.pem + readFileSync(path.join(cwd, 'ca/ca-root-crt.pem'), 'utf8'));
  const mixed = await mtls(cwd, ['trust-bundle', '--check', 'mixed.pem']);
  assert.equal(mixed.code, 1);
  assert.match(mixed.err, /1 expired certificate\(s\)[\s\S]*CN=Old Root — expired 2021-01-01/);
  assert.doesNotMatch(mixed.err, /Root CA/);
});

test('mtls export-der writes the DER and exits 1 listing the problems CX will hit', async () => {
  const cwd = tmp();
  assert.equal((await mtls(cwd, ['chain', '--out', '.', '--key', 'ec256', '--san', 'DNS:hook.example.com'])).code, 0);
  const good = await mtls(cwd, [
    'export-der',
    '--cert',
    'ca-root-crt.pem',
    '--out',
    'ca.der',
    '--server-cert',
    'server-fullchain.pem',
    '--host',
    'hook.example.com',
  ]);
  assert.equal(good.code, 0, good.err);
  assert.equal(spawnSync('openssl', ['x509', '-inform', 'DER', '-in', path.join(cwd, 'ca.der'), '-noout']).status, 0);
  assert.doesNotMatch(good.out, /holds \d+ certificates/);
  // A bundle: the first certificate (the issuing intermediate) is exported, and the output says so.
  const bundle = await mtls(cwd, ['export-der', '--cert', 'ca-crt.pem', '--out', 'ca-bundle.der']);
  assert.equal(bundle.code, 0, bundle.err);
  assert.match(
    bundle.out,
    /The CA file holds 2 certificates: exported the first, CN=[^,]+ Intermediate CA, O=[^.]+\. To upload another, pass a file holding only that one\./,
  );
  const exported = spawnSync(
    'openssl',
    ['x509', '-inform', 'DER', '-in', path.join(cwd, 'ca-bundle.der'), '-noout', '-subject'],
    { encoding: 'utf8' },
  );
  assert.match(exported.stdout, /Intermediate CA/);
  const bad = await mtls(cwd, [
    'export-der',
    '--cert',
    'ca-root-crt.pem',
    '--out',
    'ca2.der',
    '--server-cert',
    'server-crt.pem',
    '--host',
    'other.example.com',
  ]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /does not cover other\.example\.com/);
  assert.match(bad.err, /does not chain to/);
  const hostOnly = await mtls(cwd, ['export-der', '--cert', 'ca-root-crt.pem', '--out', 'ca3.der', '--host', 'x']);
  assert.equal(hostOnly.code, 2);
});

test('every generate subcommand documents its options in --help', async () => {
  for (const c of ['selfsigned', 'chain', 'client', 'p12', 'trust-bundle', 'export-der']) {
    const r = await mtls(tmp(), [c, '--help']);
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.out, /VALUE/, `${c} help has real descriptions`);
  }
  const r = await mtls(tmp(), ['chain', '--help']);
  assert.match(r.out, /--key TYPE +rsa2048\|rsa3072\|rsa4096\|ec256\|ec384\|ed25519/);
});
