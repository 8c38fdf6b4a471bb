import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  generateChain,
  generateClientFromCa,
  generateSelfSigned,
  keyTypes,
  parseSans,
  type GeneratedSet,
  type KeyType,
} from '../../../src/core/pki/index';
import { readCertFields } from '../../../src/core/pki/certInfo';
import { buildCertificate } from '../../../src/core/pki/certificate';
import { encodeName } from '../../../src/core/pki/names';
import { loadPrivateKey } from '../../../src/core/pki/keys';
import { InputError } from '../../../src/core/errors';
import { garbageDecryptingPassphrase } from '../../hostile/inputs';

function writeSet(set: GeneratedSet): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pki-cert-'));
  for (const f of set.files) writeFileSync(path.join(dir, f.name), f.contents);
  return dir;
}

function file(set: GeneratedSet, name: string): string {
  const f = set.files.find((x) => x.name === name);
  assert.ok(f, `${name} is in the set`);
  return f.contents.toString();
}

function x509Text(pemFile: string): string {
  return execFileSync('openssl', ['x509', '-text', '-noout', '-in', pemFile], { encoding: 'utf8' });
}

// Key types that take a while are generated once per type and shared by the tests below.
const chains = new Map<KeyType, Promise<GeneratedSet>>();
const chainOf = (kt: KeyType) => {
  if (!chains.has(kt)) chains.set(kt, generateChain({ keyType: kt }));
  return chains.get(kt)!;
};

for (const { id } of keyTypes) {
  test(`openssl verify accepts the server and client leaves of a ${id} chain through the intermediate`, async () => {
    const set = await chainOf(id);
    const dir = writeSet(set);
    const r = spawnSync(
      'openssl',
      [
        'verify',
        '-CAfile',
        path.join(dir, 'ca-root-crt.pem'),
        '-untrusted',
        path.join(dir, 'ca-intermediate-crt.pem'),
        path.join(dir, 'server-crt.pem'),
        path.join(dir, 'client-crt.pem'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /server-crt\.pem: OK/);
    assert.match(r.stdout, /client-crt\.pem: OK/);
    // the purpose check: a client certificate is no server certificate and vice versa
    const asServer = spawnSync(
      'openssl',
      ['verify', '-purpose', 'sslserver', '-CAfile', path.join(dir, 'ca-crt.pem'), path.join(dir, 'client-crt.pem')],
      { encoding: 'utf8' },
    );
    assert.notEqual(asServer.status, 0, 'client certificate must not pass as a TLS server');
  });
}

test('the server leaf shows CA:FALSE, critical key usage, serverAuth, SKI/AKI and the SANs including IPv6', async () => {
  const set = await chainOf('rsa2048');
  const dir = writeSet(set);
  const text = x509Text(path.join(dir, 'server-crt.pem'));
  assert.match(text, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
  assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment\n/);
  assert.match(text, /X509v3 Extended Key Usage: \s*\n\s+TLS Web Server Authentication\n/);
  assert.match(text, /DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1/);
  assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
  // AKI of the leaf is the SKI of the intermediate
  const ski = /Subject Key Identifier: \s*\n\s+([0-9A-F:]+)/.exec(
    x509Text(path.join(dir, 'ca-intermediate-crt.pem')),
  )?.[1];
  assert.ok(ski);
  assert.match(text, new RegExp(`Authority Key Identifier: \\s*\\n\\s+(keyid:)?${ski}`));
});

test('the client leaf has clientAuth only and ECDSA keys get digitalSignature without keyEncipherment', async () => {
  const set = await chainOf('ec256');
  const dir = writeSet(set);
  const text = x509Text(path.join(dir, 'client-crt.pem'));
  assert.match(text, /X509v3 Extended Key Usage: \s*\n\s+TLS Web Client Authentication\n/);
  assert.doesNotMatch(text, /TLS Web Server Authentication/);
  assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature\n/);
  assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
});

test('CA certificates carry CA:TRUE with pathlen 1 (root) and 0 (intermediate), keyCertSign and cRLSign', async () => {
  const set = await chainOf('ec384');
  const dir = writeSet(set);
  const root = x509Text(path.join(dir, 'ca-root-crt.pem'));
  const inter = x509Text(path.join(dir, 'ca-intermediate-crt.pem'));
  assert.match(root, /Basic Constraints: critical\s+CA:TRUE, pathlen:1/);
  assert.match(inter, /Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
  for (const t of [root, inter]) assert.match(t, /Key Usage: critical\s+Certificate Sign, CRL Sign\n/);
  assert.match(inter, /Signature Algorithm: ecdsa-with-SHA384/);
});

test('issuer names are byte-identical to the issuing CA subject, serials are random positive 128-bit', async () => {
  const set = await chainOf('ed25519');
  const der = (n: string) => new X509Certificate(file(set, n)).raw;
  const root = readCertFields(der('ca-root-crt.pem'));
  const inter = readCertFields(der('ca-intermediate-crt.pem'));
  const server = readCertFields(der('server-crt.pem'));
  assert.ok(inter.issuer.equals(root.subject));
  assert.ok(server.issuer.equals(inter.subject));
  const serials = ['ca-root-crt.pem', 'ca-intermediate-crt.pem', 'server-crt.pem', 'client-crt.pem'].map(
    (n) => new X509Certificate(file(set, n)).serialNumber,
  );
  assert.equal(new Set(serials).size, 4);
  for (const s of serials) assert.ok(s.replace(/^0+/, '').length >= 30 && s.length <= 34, `serial ${s} has ~128 bits`);
  // CN and O are UTF8String (tag 0x0c): look for "0c" + length + "localhost" in the subject bytes
  assert.ok(server.subject.includes(Buffer.concat([Buffer.from([0x0c, 9]), Buffer.from('localhost')])));
});

test('leaves default to 397 days and CAs to 3650; --days changes the leaf', async () => {
  const set = await generateChain({ keyType: 'ec256', server: { days: 30 } });
  const days = (n: string) => {
    const x = new X509Certificate(file(set, n));
    return Math.round((Date.parse(x.validTo) - Date.parse(x.validFrom)) / 86400000);
  };
  assert.equal(days('ca-root-crt.pem'), 3650);
  assert.equal(days('server-crt.pem'), 30);
  assert.equal(days('client-crt.pem'), 397);
});

test('a self-signed server certificate is a CA:false leaf with serverAuth that verifies with its own key', async () => {
  for (const kt of ['ec256', 'ed25519', 'rsa2048'] as const) {
    const set = await generateSelfSigned({
      keyType: kt,
      cn: 'api.example.test',
      sans: ['DNS:api.example.test', 'IP:::1'],
    });
    assert.deepEqual(
      set.files.map((f) => f.name),
      ['server-key.pem', 'server-crt.pem'],
    );
    const dir = writeSet(set);
    const text = x509Text(path.join(dir, 'server-crt.pem'));
    assert.match(text, /CA:FALSE/);
    assert.match(text, /TLS Web Server Authentication/);
    assert.match(text, /DNS:api.example.test, IP Address:0:0:0:0:0:0:0:1/);
    const x = new X509Certificate(file(set, 'server-crt.pem'));
    assert.ok(x.verify(x.publicKey));
    assert.ok(x.checkPrivateKey(createPrivateKey(file(set, 'server-key.pem'))));
  }
});

test('an encrypted key decrypts with its passphrase (openssl pkey -passin) and not without', async () => {
  const set = await generateSelfSigned({ keyType: 'ec256', keyPassphrase: 's3cret pass' });
  const dir = writeSet(set);
  assert.match(file(set, 'server-key.pem'), /BEGIN ENCRYPTED PRIVATE KEY/);
  const ok = spawnSync(
    'openssl',
    ['pkey', '-in', path.join(dir, 'server-key.pem'), '-passin', 'env:PKI_TEST_PASS', '-noout'],
    { env: { ...process.env, PKI_TEST_PASS: 's3cret pass' } },
  );
  assert.equal(ok.status, 0, ok.stderr.toString());
  const wrong = spawnSync('openssl', [
    'pkey',
    '-in',
    path.join(dir, 'server-key.pem'),
    '-passin',
    'pass:wrong',
    '-noout',
  ]);
  assert.notEqual(wrong.status, 0);
  const none = spawnSync('openssl', ['pkey', '-in', path.join(dir, 'server-key.pem'), '-passin', 'pass:', '-noout']);
  assert.notEqual(none.status, 0);
});

test('a client certificate from an existing (encrypted) CA key verifies against that CA', async () => {
  const ca = await chainOf('rsa2048');
  const encCa = await generateChain({ keyType: 'ec256', keyPassphrase: 'ca-pass' });
  const set = await generateClientFromCa({
    caCertPem: file(encCa, 'ca-intermediate-crt.pem'),
    caKeyPem: file(encCa, 'ca-intermediate-key.pem'),
    caKeyPassphrase: 'ca-pass',
    cn: 'kore-bot',
    namePrefix: 'kore',
    keyType: 'ed25519',
  });
  assert.deepEqual(
    set.files.map((f) => f.name),
    ['kore-key.pem', 'kore-crt.pem', 'kore-fullchain.pem'],
  );
  const dir = writeSet({ files: [...set.files, ...encCa.files], certificates: [] });
  const r = spawnSync(
    'openssl',
    [
      'verify',
      '-CAfile',
      path.join(dir, 'ca-root-crt.pem'),
      '-untrusted',
      path.join(dir, 'ca-intermediate-crt.pem'),
      path.join(dir, 'kore-crt.pem'),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(x509Text(path.join(dir, 'kore-crt.pem')), /Subject: CN = kore-bot[\s\S]*TLS Web Client Authentication/);
  // and it does not verify against an unrelated CA
  const other = writeSet(ca);
  const r2 = spawnSync(
    'openssl',
    ['verify', '-CAfile', path.join(other, 'ca-crt.pem'), path.join(dir, 'kore-crt.pem')],
    { encoding: 'utf8' },
  );
  assert.notEqual(r2.status, 0);
});

test('refuses bad CA input with a specific message', async () => {
  const a = await chainOf('ec256');
  const b = await chainOf('ed25519');
  const enc = await generateChain({ keyType: 'ec256', keyPassphrase: 'right' });
  const cert = file(a, 'ca-intermediate-crt.pem');
  await assert.rejects(
    generateClientFromCa({ caCertPem: cert, caKeyPem: file(b, 'ca-intermediate-key.pem') }),
    (e: unknown) => e instanceof InputError && /does not match the CA certificate/.test(e.message),
  );
  await assert.rejects(
    generateClientFromCa({
      caCertPem: file(enc, 'ca-intermediate-crt.pem'),
      caKeyPem: file(enc, 'ca-intermediate-key.pem'),
      caKeyPassphrase: 'wrong',
    }),
    (e: unknown) => e instanceof InputError && /Wrong passphrase/.test(e.message),
  );
  await assert.rejects(
    generateClientFromCa({
      caCertPem: file(enc, 'ca-intermediate-crt.pem'),
      caKeyPem: file(enc, 'ca-intermediate-key.pem'),
    }),
    (e: unknown) => e instanceof InputError && /is encrypted: supply its passphrase/.test(e.message),
  );
  await assert.rejects(
    generateClientFromCa({ caCertPem: cert.slice(0, 300), caKeyPem: file(a, 'ca-intermediate-key.pem') }),
    (e: unknown) => e instanceof InputError && /truncated/.test(e.message),
  );
  const cut = cert.replace(/\n[A-Za-z0-9+/=]+\n-----END/, '\n-----END');
  await assert.rejects(
    generateClientFromCa({ caCertPem: cut, caKeyPem: file(a, 'ca-intermediate-key.pem') }),
    (e: unknown) => e instanceof InputError && /damaged|truncated/.test(e.message),
  );
  await assert.rejects(
    generateClientFromCa({ caCertPem: file(a, 'server-crt.pem'), caKeyPem: file(a, 'server-key.pem') }),
    (e: unknown) => e instanceof InputError && /is not a CA certificate/.test(e.message),
  );
  await assert.rejects(
    generateClientFromCa({
      caCertPem: cert,
      caKeyPem: file(a, 'ca-intermediate-key.pem'),
      keyType: 'dsa1024' as KeyType,
    }),
    (e: unknown) => e instanceof InputError && /Unknown key type "dsa1024"/.test(e.message),
  );
});

test('a CA whose basicConstraints cannot be read is refused as unreadable, not taken for "not a CA"', async () => {
  const a = await chainOf('ec256');
  const caDer = new X509Certificate(file(a, 'ca-intermediate-crt.pem')).raw;
  // basicConstraints { cA TRUE, pathLen 0 }: make the BOOLEAN 0x01, which BER allows and DER does not.
  const bc = Buffer.from('3006' + '0101ff' + '020100', 'hex');
  const at = caDer.indexOf(bc);
  assert.ok(at > 0, 'the intermediate carries CA:TRUE, pathlen:0');
  const bad = Buffer.from(caDer);
  bad[at + 4] = 0x01;
  assert.deepEqual(readCertFields(caDer).basicConstraints, { ca: true, pathLength: 0 });
  assert.throws(() => readCertFields(bad), /Basic Constraints extension cannot be read/);
  const pem = `-----BEGIN CERTIFICATE-----\n${bad.toString('base64')}\n-----END CERTIFICATE-----\n`;
  await assert.rejects(
    generateClientFromCa({ caCertPem: pem, caKeyPem: file(a, 'ca-intermediate-key.pem') }),
    (e: unknown) =>
      e instanceof InputError &&
      /^The CA certificate file does not hold a readable certificate: its Basic Constraints extension cannot be read/.test(
        e.message,
      ),
  );
});

test('parseSans normalises DNS/IP/email/URI and rejects invalid entries', () => {
  assert.deepEqual(parseSans('DNS:Example.COM, IP:::1,email:a@b.test,URI:spiffe://x/y,127.0.0.1,host.local'), [
    'DNS:example.com',
    'IP:::1',
    'email:a@b.test',
    'URI:spiffe://x/y',
    'IP:127.0.0.1',
    'DNS:host.local',
  ]);
  for (const bad of [
    'IP:300.1.1.1',
    'DNS:bad_host!',
    'DNS:a.*.com',
    'email:nope',
    'URI:no-scheme',
    'FOO:bar',
    '',
    'DNS:exämple.com',
  ]) {
    assert.throws(() => parseSans(bad), InputError, bad);
  }
});

test('unknown key types and bad day counts are refused before any key is made', async () => {
  await assert.rejects(
    generateSelfSigned({ keyType: 'rsa1024' as KeyType }),
    /Unknown key type "rsa1024". Use one of: rsa2048/,
  );
  await assert.rejects(generateSelfSigned({ days: 0 }), InputError);
  await assert.rejects(generateChain({ caDays: 1.5 }), InputError);
  await assert.rejects(generateSelfSigned({ sans: ['IP:1.2.3'] }), /Invalid IP address/);
});

test('IPv6 SANs in all spellings are encoded as the right 16 bytes (as openssl reads them)', async () => {
  const set = await generateSelfSigned({
    keyType: 'ec256',
    sans: parseSans(
      'IP:2001:db8::1,IP:::ffff:10.0.0.1,IP:fe80::1:2,IP:1:2:3:4:5:6:7:8,IP:10.1.2.3,email:ops@example.test,URI:spiffe://example.test/hook',
    ),
  });
  const dir = writeSet(set);
  const text = execFileSync(
    'openssl',
    ['x509', '-noout', '-ext', 'subjectAltName', '-in', path.join(dir, 'server-crt.pem')],
    { encoding: 'utf8' },
  );
  assert.match(
    text,
    /IP Address:2001:DB8:0:0:0:0:0:1, IP Address:0:0:0:0:0:FFFF:A00:1, IP Address:FE80:0:0:0:0:0:1:2, IP Address:1:2:3:4:5:6:7:8, IP Address:10.1.2.3, email:ops@example.test, URI:spiffe:\/\/example.test\/hook/,
  );
});

test('refuses to sign with an expired CA, and a leaf never outlives its CA', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const make = (notAfter: Date) =>
    buildCertificate({
      role: 'root',
      subject: encodeName({ cn: 'Short CA' }),
      publicKey,
      signingKey: privateKey,
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter,
    }).pem;
  await assert.rejects(
    generateClientFromCa({ caCertPem: make(new Date('2021-01-01T00:00:00Z')), caKeyPem: keyPem }),
    (e: unknown) => e instanceof InputError && /expired on 2021-01-01/.test(e.message),
  );
  const caEnd = new Date(Math.floor((Date.now() + 10 * 86400000) / 1000) * 1000);
  const set = await generateClientFromCa({ caCertPem: make(caEnd), caKeyPem: keyPem, keyType: 'ec256' });
  assert.equal(new Date(new X509Certificate(file(set, 'client-crt.pem')).validTo).getTime(), caEnd.getTime());
});

test('a wrong passphrase is reported as one even when the decrypted garbage passes the padding check', () => {
  // About one wrong passphrase in 256 decrypts to bytes whose padding looks right; OpenSSL then fails in its key
  // decoder ("unsupported") instead of with "bad decrypt".
  const found = garbageDecryptingPassphrase();
  assert.ok(found, 'a passphrase whose failure is not "bad decrypt" exists among 5,000 tries');
  assert.throws(
    () => loadPrivateKey(found.keyPem, found.passphrase, 'The CA key file'),
    (e: unknown) => e instanceof InputError && /^Wrong passphrase for the CA key file/.test(e.message),
  );
  assert.equal(loadPrivateKey(found.keyPem, 'right', 'The CA key file').asymmetricKeyType, 'ec');
});
