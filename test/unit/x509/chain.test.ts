// Chains, roles, key matching and problems, on certificates made with the openssl CLI (openssl verify is the referee).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import {
  decodeBytes,
  decodeBytesAsync,
  decodePemText,
  decodePemTextAsync,
  matchKeyToCertificates,
  renderText,
  summarize,
  type DecodedCertificate,
  type DecodedFile,
} from '../../../src/core/x509/index';

let dir = '';
const p = (f: string) => join(dir, f);
const ossl = (...args: string[]) =>
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const read = (...files: string[]) => files.map((f) => readFileSync(p(f), 'utf8')).join('');
const certs = (f: DecodedFile) =>
  f.items.filter((i): i is Extract<typeof i, { kind: 'certificate' }> => i.kind === 'certificate');
const codes = (f: DecodedFile, item: number) =>
  f.problems
    .filter((x) => x.item === item)
    .map((x) => x.code)
    .sort();

const EXT = `
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[client]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
[both]
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:both.example
[serverNoSan]
extendedKeyUsage = serverAuth
[codeSigning]
extendedKeyUsage = codeSigning
[hostNoServerAuth]
extendedKeyUsage = clientAuth
subjectAltName = DNS:host.example
[leafSelf]
basicConstraints = CA:FALSE
subjectAltName = DNS:self.example
`;

function issue(
  name: string,
  ca: string,
  section: string,
  extra: string[] = [],
  keyAlg = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
): void {
  ossl('genpkey', ...keyAlg, '-out', `${name}.key`);
  ossl('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
  ossl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-days',
    '100',
    '-extfile',
    'ext.cnf',
    '-extensions',
    section,
    '-out',
    `${name}.pem`,
    ...extra,
  );
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'x509-chain-'));
  writeFileSync(p('ext.cnf'), EXT);
  const ca = (name: string, subj: string) => {
    ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
    ossl(
      'req',
      '-x509',
      '-key',
      `${name}.key`,
      '-subj',
      subj,
      '-days',
      '3650',
      '-config',
      'ext.cnf',
      '-extensions',
      'ca',
      '-out',
      `${name}.pem`,
    );
  };
  ca('root', '/CN=Chain Test Root');
  ca('impostor', '/CN=Chain Test Root'); // same name, different key
  ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'inter.key');
  ossl('req', '-new', '-key', 'inter.key', '-subj', '/CN=Chain Test Intermediate', '-out', 'inter.csr');
  ossl(
    'x509',
    '-req',
    '-in',
    'inter.csr',
    '-CA',
    'root.pem',
    '-CAkey',
    'root.key',
    '-days',
    '1000',
    '-extfile',
    'ext.cnf',
    '-extensions',
    'ca',
    '-out',
    'inter.pem',
  );
  issue('server', 'inter', 'server');
  issue('client', 'inter', 'client');
  issue('both', 'inter', 'both');
  issue('nosan', 'inter', 'serverNoSan');
  issue('codesign', 'inter', 'codeSigning');
  issue('hostclient', 'inter', 'hostNoServerAuth');
  issue('sha1', 'inter', 'server', ['-sha1']);
  issue('weak', 'inter', 'server', [], ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024']);
  ossl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'self.key',
    '-subj',
    '/CN=self.example',
    '-days',
    '100',
    '-config',
    'ext.cnf',
    '-extensions',
    'leafSelf',
    '-out',
    'self.pem',
  );
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('orders leaf → intermediate → root by signature, and openssl verify agrees the chain is good', () => {
  // Deliberately shuffled in the file.
  const file = decodePemText(read('root.pem', 'server.pem', 'inter.pem'));
  const [root, server, inter] = certs(file);
  assert.deepEqual([root.role, server.role, inter.role], ['root', 'leaf', 'intermediate']);
  assert.deepEqual(file.chain.path, [1, 2, 0]);
  assert.equal(file.chain.complete, true);
  assert.deepEqual(
    file.chain.links.map((l) => [l.item, l.issuer, l.verified]),
    [
      [0, 0, true],
      [1, 2, true],
      [2, 0, true],
    ],
  );
  assert.equal(root.selfSigned, true);
  assert.match(
    spawnSync('openssl', [
      'verify',
      '-CAfile',
      p('root.pem'),
      '-untrusted',
      p('inter.pem'),
      p('server.pem'),
    ]).stdout.toString(),
    /OK/,
  );
  assert.deepEqual(file.problems, []);
});

test('a same-named issuer with a different key is a broken chain, as openssl verify says', () => {
  const file = decodePemText(read('inter.pem', 'impostor.pem'));
  assert.deepEqual(file.chain.links[0], { item: 0, issuer: 1, verified: false });
  assert.equal(file.chain.complete, false);
  assert.deepEqual(codes(file, 0), ['broken-chain']);
  const v = spawnSync('openssl', ['verify', '-CAfile', p('impostor.pem'), p('inter.pem')]);
  assert.notEqual(v.status, 0);
  assert.match(v.stdout.toString() + v.stderr.toString(), /signature failure|unable to get local issuer/);
});

test('a missing issuer is reported only when other certificates came with it', () => {
  const pair = decodePemText(read('server.pem', 'root.pem'));
  assert.deepEqual(codes(pair, 0), ['missing-issuer']);
  assert.deepEqual(decodePemText(read('server.pem')).problems, []);
});

test('a fullchain (leaf + intermediate, root left out as servers should) only notes the absent root', () => {
  const file = decodePemText(read('server.pem', 'inter.pem'));
  assert.deepEqual(
    file.problems.map((p) => [p.item, p.code, p.severity]),
    [[1, 'missing-issuer', 'info']],
  );
});

test('roles and usages from basicConstraints and extendedKeyUsage', () => {
  const file = decodePemText(read('server.pem', 'client.pem', 'both.pem', 'codesign.pem', 'inter.pem', 'root.pem'));
  assert.deepEqual(
    certs(file).map((c) => `${c.role}:${c.usage}`),
    ['leaf:server', 'leaf:client', 'leaf:server+client', 'leaf:other', 'intermediate:ca', 'root:ca'],
  );
});

test('problems: expired, not yet valid, expiring soon (threshold is a parameter), judged at `now`', () => {
  const pem = read('server.pem');
  const c = certs(decodePemText(pem))[0];
  const after = new Date(Date.parse(c.notAfter) + 86_400_000 * 3);
  const expired = decodePemText(pem, { now: after });
  assert.deepEqual(codes(expired, 0), ['expired']);
  assert.equal(certs(expired)[0].daysLeft, -3);
  assert.equal(certs(expired)[0].validity, 'expired');
  assert.deepEqual(codes(decodePemText(pem, { now: new Date(Date.parse(c.notBefore) - 60_000) }), 0), [
    'not-yet-valid',
  ]);
  const soon = new Date(Date.parse(c.notAfter) - 86_400_000 * 10 - 1000);
  assert.deepEqual(codes(decodePemText(pem, { now: soon }), 0), ['expiring']);
  assert.equal(certs(decodePemText(pem, { now: soon }))[0].daysLeft, 10);
  assert.deepEqual(codes(decodePemText(pem, { now: soon, expiryWarningDays: 5 }), 0), []);
  // The dates judged are openssl's own.
  assert.equal(
    new Date(ossl('x509', '-in', 'server.pem', '-noout', '-enddate').trim().split('=')[1]).toISOString(),
    c.notAfter,
  );
});

test('problems: self-signed leaf, SHA-1, RSA < 2048, server without SAN, wrong EKU for its use', () => {
  assert.deepEqual(codes(decodePemText(read('self.pem')), 0), ['self-signed-leaf']);
  assert.match(ossl('x509', '-in', 'sha1.pem', '-noout', '-text'), /Signature Algorithm: ecdsa-with-SHA1/);
  assert.deepEqual(codes(decodePemText(read('sha1.pem')), 0), ['sha1-signature']);
  assert.match(ossl('x509', '-in', 'weak.pem', '-noout', '-text'), /Public-Key: \(1024 bit\)/);
  assert.deepEqual(codes(decodePemText(read('weak.pem')), 0), ['weak-rsa']);
  assert.deepEqual(codes(decodePemText(read('nosan.pem')), 0), ['server-without-san']);
  assert.deepEqual(codes(decodePemText(read('codesign.pem')), 0), ['client-without-clientauth']);
  assert.deepEqual(codes(decodePemText(read('hostclient.pem')), 0), ['server-without-serverauth']);
  for (const f of ['server.pem', 'client.pem', 'both.pem']) assert.deepEqual(decodePemText(read(f)).problems, [], f);
});

test('pairs keys with certificates by public key, in one file and across files', () => {
  const bundle = decodePemText(read('server.pem', 'client.key', 'server.key', 'client.pem'));
  assert.deepEqual(bundle.chain.keyMatches, [
    { key: 1, certificate: 3 },
    { key: 2, certificate: 0 },
  ]);
  // openssl agrees the pairs share a public key
  const pub = (args: string[]) => ossl(...args);
  assert.equal(pub(['pkey', '-in', 'server.key', '-pubout']), pub(['x509', '-in', 'server.pem', '-noout', '-pubkey']));
  const keys = decodeBytes(readFileSync(p('client.key'))).items.filter((i) => i.kind === 'privateKey');
  const cs = ['server.pem', 'client.pem', 'root.pem'].map(
    (f) => certs(decodeBytes(readFileSync(p(f))))[0] as DecodedCertificate,
  );
  assert.deepEqual(matchKeyToCertificates(keys as never, cs), [{ key: 0, certificate: 1 }]);
  assert.deepEqual(matchKeyToCertificates(keys as never, [cs[0], cs[2]]), []);
});

test('renderText and summarize show what a person looks for', () => {
  const file = decodePemText(read('server.pem', 'inter.pem', 'root.pem', 'server.key'), { fileName: 'bundle.pem' });
  const text = renderText(file);
  const server = certs(file)[0];
  assert.match(text, /^bundle\.pem: PEM, 3 certificates, 1 private key/);
  assert.match(
    text,
    /Chain: \[1\] server → \[2\] Chain Test Intermediate → \[3\] Chain Test Root {2}\(complete, signatures verified\)/,
  );
  assert.match(text, /Key \[4\] matches certificate \[1\]/);
  assert.ok(text.includes(server.fingerprints.sha256));
  assert.match(text, /Subject alt names: +DNS:localhost, IP:127\.0\.0\.1/);
  const hover = summarize(server);
  assert.match(hover, /^CN=server — leaf \(server\)\nIssuer: CN=Chain Test Intermediate\nValid: /);
  assert.match(hover, /SAN: DNS:localhost, IP:127\.0\.0\.1/);
  assert.ok(
    hover.includes(
      `SHA-256: ${ossl('x509', '-in', 'server.pem', '-noout', '-fingerprint', '-sha256').trim().split('=')[1]}`,
    ),
  );
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(file)));
});

test("a trust-store bundle (Node's roots plus a chain): roots recognised, the chain still verified by signature", () => {
  const bundle = rootCertificates.join('\n') + '\n' + read('server.pem', 'inter.pem', 'root.pem');
  const file = decodePemText(bundle);
  assert.deepEqual(file.errors, []);
  const all = certs(file);
  assert.equal(all.length, rootCertificates.length + 3);
  const n = rootCertificates.length;
  // Each root, decoded on its own, has its self-signature verified; the bundle agrees, whatever its size.
  for (let i = 0; i < n; i++) {
    const alone = certs(decodePemText(rootCertificates[i]))[0];
    assert.equal(alone.selfSigned, true, alone.subject.text);
    assert.equal(all[i].role, 'root', all[i].subject.text);
    assert.equal(all[i].selfSigned, true, all[i].subject.text);
  }
  assert.deepEqual(file.chain.path, [n, n + 1, n + 2]);
  assert.equal(file.chain.complete, true);
  assert.deepEqual(
    file.chain.links.slice(n).map((l) => l.verified),
    [true, true, true],
    "leaf, intermediate and the root's self-signature all verified",
  );
  assert.ok(
    file.chain.links.every((l) => !l.unchecked),
    'every signature in the bundle was checked',
  );
  assert.deepEqual(
    file.problems.filter((x) => !['expiring', 'expired'].includes(x.code)),
    [],
  );
});

test('a forged issuer (same subject and key identifiers, another key) is never shown as the issuer', () => {
  const ski = ossl('x509', '-in', 'inter.pem', '-noout', '-ext', 'subjectKeyIdentifier').split('\n')[1].trim();
  const aki = ossl('x509', '-in', 'inter.pem', '-noout', '-ext', 'authorityKeyIdentifier')
    .split('\n')[1]
    .trim()
    .replace(/^keyid:/, '');
  writeFileSync(
    p('forged.cnf'),
    `[forged]\nbasicConstraints = critical, CA:TRUE\nsubjectKeyIdentifier = ${ski.replace(/:/g, '')}\nauthorityKeyIdentifier = keyid:always\n`,
  );
  ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'forged.key');
  ossl('req', '-new', '-key', 'forged.key', '-subj', '/CN=Chain Test Intermediate', '-out', 'forged.csr');
  // Signed by the real root, so even its own link is valid: only its key differs from the real intermediate's.
  ossl(
    'x509',
    '-req',
    '-in',
    'forged.csr',
    '-CA',
    'root.pem',
    '-CAkey',
    'root.key',
    '-days',
    '100',
    '-extfile',
    'forged.cnf',
    '-extensions',
    'forged',
    '-out',
    'forged.pem',
  );
  const forged = certs(decodePemText(read('forged.pem')))[0];
  const real = certs(decodePemText(read('inter.pem')))[0];
  assert.equal(forged.subject.text, real.subject.text);
  assert.equal(forged.subjectKeyIdentifier, real.subjectKeyIdentifier);
  assert.equal(forged.authorityKeyIdentifier?.keyId, aki);
  assert.notEqual(forged.publicKey.spkiSha256, real.publicKey.spkiSha256);
  // The forged one first in the file: the real intermediate is still the one found, by signature.
  const both = decodePemText(read('server.pem', 'forged.pem', 'inter.pem', 'root.pem'));
  assert.deepEqual(both.chain.links[0], { item: 0, issuer: 2, verified: true });
  assert.deepEqual(both.chain.path, [0, 2, 3]);
  assert.equal(both.chain.complete, true);
  // Only the forged one: named, never verified — a broken chain that stops at the leaf, as openssl verify says.
  const alone = decodePemText(read('server.pem', 'forged.pem', 'root.pem'));
  assert.deepEqual(alone.chain.links[0], { item: 0, issuer: 1, verified: false });
  assert.equal(alone.chain.complete, false);
  assert.ok(!alone.chain.path.includes(1), 'the forged issuer is not on the path');
  assert.deepEqual(codes(alone, 0), ['broken-chain']);
  assert.notEqual(
    spawnSync('openssl', ['verify', '-CAfile', p('root.pem'), '-untrusted', p('forged.pem'), p('server.pem')]).status,
    0,
  );
});

test('every self-signature is checked, however many certificates the file holds: a garbage one is never a valid root', () => {
  // 20 good roots from Node's store, plus a copy of our root whose signature bytes are damaged.
  const der = Buffer.from(
    read('root.pem')
      .replace(/-----[^-]+-----/g, '')
      .replace(/\s+/g, ''),
    'base64',
  );
  der[der.length - 5] ^= 0xff; // inside the ECDSA signature value
  const damaged = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
  const file = decodePemText(rootCertificates.slice(0, 20).join('\n') + '\n' + damaged);
  const all = certs(file);
  assert.equal(all.length, 21);
  assert.ok(all.slice(0, 20).every((c) => c.selfSigned && c.role === 'root'));
  const bad = all[20];
  assert.equal(bad.selfIssued, true);
  assert.equal(bad.selfSigned, false);
  assert.notEqual(bad.role, 'root');
  assert.deepEqual(file.chain.links[20], { item: 20, issuer: null, verified: false });
  assert.ok(codes(file, 20).includes('bad-self-signature'));
  assert.notEqual(
    spawnSync('openssl', ['verify', '-CAfile', '/dev/stdin', '/dev/stdin'], { input: damaged }).status,
    0,
  );
});

test("verifying self-signatures on the thread pool gives the synchronous decoder's answers, budget included", async () => {
  const der = Buffer.from(
    read('root.pem')
      .replace(/-----[^-]+-----/g, '')
      .replace(/\s+/g, ''),
    'base64',
  );
  der[der.length - 5] ^= 0xff;
  const damaged = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
  // P-384 roots are the costliest to verify: repeated, they run past the file's signature budget.
  const p384 = rootCertificates.filter((pem) => certs(decodePemText(pem))[0].publicKey.curve === 'P-384');
  const overBudget = Array.from({ length: 12 }, () => p384.join('\n')).join('\n');
  const now = new Date('2026-06-01T00:00:00Z');
  const cases: [string, string][] = [
    ['trust store + chain', rootCertificates.join('\n') + '\n' + read('server.pem', 'inter.pem', 'root.pem')],
    ['damaged root among good ones', rootCertificates.slice(0, 20).join('\n') + '\n' + damaged],
    ['forged issuer first', read('server.pem', 'forged.pem', 'inter.pem', 'root.pem')],
    ['over the signature budget', overBudget],
  ];
  for (const [name, text] of cases) {
    const sync = decodePemText(text, { now });
    assert.deepEqual(await decodePemTextAsync(text, { now }), sync, name);
    assert.deepEqual(
      await decodeBytesAsync(Buffer.from(text, 'latin1'), { now }),
      decodeBytes(Buffer.from(text, 'latin1'), { now }),
      name,
    );
  }
  const damagedAsync = await decodePemTextAsync(cases[1][1], { now });
  assert.equal(certs(damagedAsync)[20].selfSigned, false);
  assert.ok(
    certs(damagedAsync)
      .slice(0, 20)
      .every((c) => c.selfSigned),
  );
  const budget = await decodePemTextAsync(overBudget, { now });
  assert.ok(
    budget.chain.links.some((l) => l.unchecked) && budget.chain.links.some((l) => l.verified),
    'some checked, the rest reported unchecked',
  );
});
