import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import {
  checkBundleExpiry,
  dialogflowTrustBundle,
  exportDer,
  generateChain,
  generateSelfSigned,
  importedTrustBundle,
  type GeneratedSet,
} from '../../../src/core/pki/index';
import { InputError } from '../../../src/core/errors';

// Fingerprints as published by Dialogflow / Google Trust Services (shared/DOMAIN.md), not taken from our code.
const SSL_COM_RSA = '85:66:6A:56:2E:E0:BE:5C:E9:25:C1:D8:89:0A:6F:76:A8:7E:C1:6D:4D:7D:5F:29:EA:74:19:CF:20:12:3B:69';
const GTS_R1 = 'D9:47:43:2A:BD:E7:B7:FA:90:FC:2E:6B:59:10:1B:12:80:E0:E1:C7:E4:E4:0F:A3:C6:88:7F:FF:57:A7:F4:CF';

function file(set: GeneratedSet, name: string): string {
  const f = set.files.find((x) => x.name === name);
  assert.ok(f, name);
  return f.contents.toString();
}

function tmp(name: string, data: string | Buffer): string {
  const p = path.join(mkdtempSync(path.join(tmpdir(), 'pki-trust-')), name);
  writeFileSync(p, data);
  return p;
}

/** SHA-256 fingerprints of every certificate in a PEM text, as openssl computes them. */
function opensslFingerprints(pem: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];
  return blocks.map((b) =>
    execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: b, encoding: 'utf8' })
      .trim()
      .replace(/^.*=/, ''),
  );
}

test('before 2026-12-01 the Dialogflow bundle holds exactly the SSL.com RSA root and GTS Root R1, with comments', () => {
  const b = dialogflowTrustBundle(new Date('2026-11-20T00:00:00Z'));
  assert.deepEqual(opensslFingerprints(b.pem), [SSL_COM_RSA, GTS_R1]);
  assert.deepEqual(
    b.roots.map((r) => r.sha256),
    [SSL_COM_RSA, GTS_R1],
  );
  assert.match(b.pem, /^# .*SSL\.com Root Certification Authority RSA\n# SHA-256 85:66/m);
  assert.match(b.pem, /# .*2026-12-01/);
  assert.ok(b.notes.some((n) => /GlobalSign Root R2/.test(n) && /obsolete|no longer/i.test(n)));
  assert.ok(b.notes.some((n) => /R2–R4/.test(n)));
});

test('from 2026-12-01 the bundle drops the legacy GTS root', () => {
  const b = dialogflowTrustBundle(new Date('2026-12-01T00:00:01Z'));
  assert.deepEqual(opensslFingerprints(b.pem), [SSL_COM_RSA]);
  assert.doesNotMatch(b.pem, /GTS Root R1/);
});

async function handshake(ca: string, clientSet: GeneratedSet, serverSet: GeneratedSet): Promise<string> {
  const server = tls.createServer(
    {
      key: file(serverSet, 'server-key.pem'),
      cert: file(serverSet, 'server-crt.pem'),
      ca,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (s) => s.end(`ok:${String(s.getPeerCertificate().subject.CN)}`),
  );
  let serverError = '';
  server.on('tlsClientError', (e) => (serverError = (e as NodeJS.ErrnoException).code ?? e.message));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await new Promise<string>((resolve) => {
      const sock = tls.connect({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        rejectUnauthorized: false,
        key: file(clientSet, 'client-key.pem'),
        cert: file(clientSet, 'client-fullchain.pem'),
      });
      let d = '';
      sock.on('data', (b: Buffer) => (d += b.toString()));
      sock.on('error', () => undefined);
      sock.on('close', () => setTimeout(() => resolve(d || `refused:${serverError}`), 50));
    });
  } finally {
    server.close();
  }
}

test('a Node server using the bundle (plus a test root) accepts a Dialogflow-shaped chain: root → intermediate → CN=Google LLC, leaf + intermediate sent', async () => {
  // We cannot hold SSL.com's key, so the depth-2 shape is proven with our own test root passed alongside.
  const shaped = await generateChain({
    keyType: 'rsa2048',
    org: 'Test CA',
    client: { cn: 'Google LLC', org: 'Google LLC' },
  });
  const server = await generateSelfSigned({ keyType: 'ec256' });
  const bundle = dialogflowTrustBundle(new Date('2026-11-20T00:00:00Z')).pem;
  assert.equal(await handshake(bundle + file(shaped, 'ca-root-crt.pem'), shaped, server), 'ok:Google LLC');
  // without the test root, the public roots alone do not vouch for it
  assert.match(await handshake(bundle, shaped, server), /^refused:/);
});

test('checkBundleExpiry lists only the expired certificates', async () => {
  const b = dialogflowTrustBundle(new Date('2026-11-20T00:00:00Z')).pem;
  assert.deepEqual(checkBundleExpiry(b, new Date('2026-11-20T00:00:00Z')), []);
  const in2040 = checkBundleExpiry(b, new Date('2040-01-01T00:00:00Z')); // GTS R1 ends 2036, SSL.com RSA in 2041
  assert.equal(in2040.length, 1);
  assert.match(in2040[0].subject, /GTS Root R1/);
  assert.equal(in2040[0].notAfter.toISOString(), '2036-06-22T00:00:00.000Z');
  const set = await generateChain({ keyType: 'ec256', caDays: 10 });
  const later = checkBundleExpiry(file(set, 'ca-crt.pem'), new Date(Date.now() + 11 * 86400000));
  assert.equal(later.length, 2);
  assert.throws(() => checkBundleExpiry('no pem here'), InputError);
});

test('a Kore.ai bundle imports CA certificates and refuses a leaf certificate', async () => {
  const set = await generateChain({ keyType: 'ec256', org: 'Kore Test' });
  const b = importedTrustBundle([{ name: 'kore-ca.pem', pem: file(set, 'ca-crt.pem') }]);
  assert.equal(opensslFingerprints(b.pem).length, 2);
  assert.match(b.pem, /# .*Intermediate CA.*\(intermediate, from kore-ca\.pem\)/);
  assert.match(b.pem, /# .*Root CA.*\(root, from kore-ca\.pem\)/);
  assert.throws(
    () => importedTrustBundle([{ name: 'leaf.pem', pem: file(set, 'client-crt.pem') }]),
    (e: unknown) => e instanceof InputError && /leaf\.pem: .*is not a CA certificate/.test(e.message),
  );
  assert.throws(
    () => importedTrustBundle([{ name: 'cut.pem', pem: file(set, 'ca-crt.pem').slice(0, 400) }]),
    (e: unknown) => e instanceof InputError && /truncated/.test(e.message),
  );
});

test('export-der writes the CA as DER identical to openssl x509 -outform DER and finds no problem with a good server certificate', async () => {
  const set = await generateChain({ keyType: 'ec256', server: { sans: ['DNS:hook.example.com'] } });
  const r = exportDer({
    caCertPem: file(set, 'ca-root-crt.pem'),
    serverCertPem: file(set, 'server-fullchain.pem'),
    host: 'hook.example.com',
  });
  const expected = execFileSync('openssl', [
    'x509',
    '-outform',
    'DER',
    '-in',
    tmp('root.pem', file(set, 'ca-root-crt.pem')),
  ]);
  assert.ok(r.der.equals(expected));
  assert.deepEqual(r.problems, []);
});

test('export-der reports a host not covered, a missing intermediate and a certificate from another CA', async () => {
  const [set, other] = await Promise.all([generateChain({ keyType: 'ec256' }), generateChain({ keyType: 'ec256' })]);
  const wrongHost = exportDer({
    caCertPem: file(set, 'ca-root-crt.pem'),
    serverCertPem: file(set, 'server-fullchain.pem'),
    host: 'hook.example.com',
  });
  assert.equal(wrongHost.problems.length, 1);
  assert.match(wrongHost.problems[0], /does not cover hook\.example\.com/);
  const noInter = exportDer({ caCertPem: file(set, 'ca-root-crt.pem'), serverCertPem: file(set, 'server-crt.pem') });
  assert.match(noInter.problems.join('\n'), /does not chain to/);
  const foreign = exportDer({
    caCertPem: file(other, 'ca-root-crt.pem'),
    serverCertPem: file(set, 'server-fullchain.pem'),
    host: 'localhost',
  });
  assert.match(foreign.problems.join('\n'), /does not chain to/);
  const selfSigned = await generateSelfSigned({ keyType: 'ec256' });
  assert.deepEqual(
    exportDer({
      caCertPem: file(selfSigned, 'server-crt.pem'),
      serverCertPem: file(selfSigned, 'server-crt.pem'),
      host: '::1',
    }).problems,
    [],
  );
});

test('export-der flags an openssl-made server certificate whose keyUsage lacks digitalSignature, and one without SAN', async () => {
  const set = await generateChain({ keyType: 'rsa2048' });
  const dir = mkdtempSync(path.join(tmpdir(), 'pki-ku-'));
  const p = (n: string) => path.join(dir, n);
  for (const f of set.files) writeFileSync(p(f.name), f.contents);
  writeFileSync(
    p('ext.cnf'),
    '[ku]\nkeyUsage=critical,keyEncipherment\nsubjectAltName=DNS:hook.example.com\n[nosan]\nkeyUsage=critical,digitalSignature\n',
  );
  const make = (section: string) => {
    const r = spawnSync(
      'bash',
      [
        '-c',
        `openssl req -new -key server-key.pem -subj /CN=hook.example.com | openssl x509 -req -CA ca-intermediate-crt.pem -CAkey ca-intermediate-key.pem -set_serial 7 -days 30 -extfile ext.cnf -extensions ${section}`,
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    return r.stdout + file(set, 'ca-intermediate-crt.pem');
  };
  const ku = exportDer({
    caCertPem: file(set, 'ca-root-crt.pem'),
    serverCertPem: make('ku'),
    host: 'hook.example.com',
  });
  assert.equal(ku.problems.length, 1);
  assert.match(ku.problems[0], /lacks digitalSignature/);
  const nosan = exportDer({
    caCertPem: file(set, 'ca-root-crt.pem'),
    serverCertPem: make('nosan'),
    host: 'hook.example.com',
  });
  assert.equal(nosan.problems.length, 1);
  assert.match(nosan.problems[0], /no subjectAltName/);
});
