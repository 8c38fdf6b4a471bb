import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { buildPkcs12, generateChain, type GeneratedSet, type KeyType } from '../../../src/core/pki/index';
import { InputError } from '../../../src/core/errors';

function file(set: GeneratedSet, name: string): string {
  const f = set.files.find((x) => x.name === name);
  assert.ok(f, name);
  return f.contents.toString();
}

function writeTmp(name: string, data: Buffer | string): string {
  const p = path.join(mkdtempSync(path.join(tmpdir(), 'pki-p12-')), name);
  writeFileSync(p, data);
  return p;
}

const env = { ...process.env, P12_PASS: 'p12 pässword' };

for (const kt of ['rsa2048', 'ec256', 'ec384', 'ed25519'] as KeyType[]) {
  test(`openssl pkcs12 (OpenSSL 3 defaults) and Node's pfx option read our ${kt} .p12, with the key matching the leaf`, async () => {
    const set = await generateChain({ keyType: kt });
    const p12 = await buildPkcs12({
      certPem: file(set, 'client-crt.pem'),
      keyPem: file(set, 'client-key.pem'),
      chainPem: file(set, 'ca-intermediate-crt.pem'),
      passphrase: env.P12_PASS,
    });
    const f = writeTmp('client.p12', p12);
    const info = spawnSync('openssl', ['pkcs12', '-info', '-nokeys', '-in', f, '-passin', 'env:P12_PASS'], {
      env,
      encoding: 'utf8',
    });
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stderr, /MAC: sha256, Iteration 100000/);
    assert.match(info.stderr, /PBES2, PBKDF2, AES-256-CBC, Iteration 100000, PRF hmacWithSHA256/);
    const certs = info.stdout.match(/-----BEGIN CERTIFICATE-----/g) ?? [];
    assert.equal(certs.length, 2, 'leaf + intermediate');
    assert.match(info.stdout, /localKeyID: [0-9A-F ]+\n\s*friendlyName: mtls-client\nsubject=.*CN ?= ?mtls-client/);
    // the key inside is the leaf's key
    const keyOut = spawnSync('openssl', ['pkcs12', '-in', f, '-nocerts', '-nodes', '-passin', 'env:P12_PASS'], {
      env,
      encoding: 'utf8',
    });
    assert.equal(keyOut.status, 0, keyOut.stderr);
    const key = createPrivateKey(keyOut.stdout.slice(keyOut.stdout.indexOf('-----BEGIN')));
    assert.ok(new X509Certificate(file(set, 'client-crt.pem')).checkPrivateKey(key));
    // Node loads it as a secure context
    assert.doesNotThrow(() => tls.createSecureContext({ pfx: p12, passphrase: env.P12_PASS }));
  });
}

test('a wrong passphrase is refused by openssl and by Node', async () => {
  const set = await generateChain({ keyType: 'ec256' });
  const p12 = await buildPkcs12({
    certPem: file(set, 'server-crt.pem'),
    keyPem: file(set, 'server-key.pem'),
    passphrase: 'right',
  });
  const f = writeTmp('s.p12', p12);
  const r = spawnSync('openssl', ['pkcs12', '-info', '-nokeys', '-in', f, '-passin', 'pass:wrong'], {
    encoding: 'utf8',
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /mac verify (failure|error)/i);
  assert.throws(() => tls.createSecureContext({ pfx: p12, passphrase: 'wrong' }), /mac verify failure|bad decrypt/i);
});

test('a Node TLS server loaded from our .p12 (RSA) serves its chain and a p12 client completes mTLS', async () => {
  const set = await generateChain({ keyType: 'rsa2048' });
  const serverPfx = await buildPkcs12({
    certPem: file(set, 'server-fullchain.pem'),
    keyPem: file(set, 'server-key.pem'),
    passphrase: 'x1',
  });
  const clientPfx = await buildPkcs12({
    certPem: file(set, 'client-crt.pem'),
    chainPem: file(set, 'ca-intermediate-crt.pem'),
    keyPem: file(set, 'client-key.pem'),
    passphrase: 'x2',
  });
  const server = tls.createServer(
    { pfx: serverPfx, passphrase: 'x1', ca: file(set, 'ca-root-crt.pem'), requestCert: true, rejectUnauthorized: true },
    (s) => s.end(String(s.getPeerCertificate().subject.CN)),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const got = await new Promise<string>((resolve, reject) => {
      const sock = tls.connect({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        servername: 'localhost',
        pfx: clientPfx,
        passphrase: 'x2',
        ca: file(set, 'ca-root-crt.pem'),
      });
      let d = '';
      sock.on('data', (b: Buffer) => (d += b.toString()));
      sock.on('end', () => resolve(d));
      sock.on('error', reject);
    });
    assert.equal(got, 'mtls-client');
  } finally {
    server.close();
  }
});

test('an encrypted input key is read with its passphrase; a key of another certificate is refused', async () => {
  const set = await generateChain({ keyType: 'ec256', keyPassphrase: 'keypass' });
  const p12 = await buildPkcs12({
    certPem: file(set, 'client-crt.pem'),
    keyPem: file(set, 'client-key.pem'),
    keyPassphrase: 'keypass',
    passphrase: 'out',
    friendlyName: 'My Bot',
  });
  const f = writeTmp('c.p12', p12);
  const info = spawnSync('openssl', ['pkcs12', '-info', '-nokeys', '-in', f, '-passin', 'pass:out'], {
    encoding: 'utf8',
  });
  assert.match(info.stdout, /friendlyName: My Bot/);
  await assert.rejects(
    () => buildPkcs12({ certPem: file(set, 'client-crt.pem'), keyPem: file(set, 'client-key.pem'), passphrase: 'out' }),
    (e: unknown) => e instanceof InputError && /encrypted/.test(e.message),
  );
  await assert.rejects(
    () =>
      buildPkcs12({
        certPem: file(set, 'client-crt.pem'),
        keyPem: file(set, 'server-key.pem'),
        keyPassphrase: 'keypass',
        passphrase: 'out',
      }),
    (e: unknown) => e instanceof InputError && /does not belong to the certificate/.test(e.message),
  );
  await assert.rejects(
    () =>
      buildPkcs12({
        certPem: file(set, 'client-crt.pem'),
        keyPem: file(set, 'client-key.pem'),
        keyPassphrase: 'keypass',
        passphrase: '',
      }),
    InputError,
  );
  // the public key in the p12 leaf equals the input certificate's
  const der = spawnSync('openssl', ['pkcs12', '-in', f, '-nokeys', '-clcerts', '-passin', 'pass:out'], {
    encoding: 'utf8',
  }).stdout;
  assert.ok(
    createPublicKey(der.slice(der.indexOf('-----BEGIN'))).equals(
      new X509Certificate(file(set, 'client-crt.pem')).publicKey,
    ),
  );
});
