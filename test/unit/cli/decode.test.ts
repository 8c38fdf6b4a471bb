// `mtls decode` end to end through the CLI framework (in-process main(), real files made by openssl).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';

let dir = '';
const ossl = (...args: string[]) =>
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

async function mtls(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), env, cwd: dir });
  return { code, out, err };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'x509-cli-'));
  ossl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'k.pem',
    '-subj',
    '/CN=cli.example',
    '-addext',
    'subjectAltName=DNS:cli.example',
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-days',
    '20',
    '-out',
    'c.pem',
  );
  ossl('pkcs12', '-export', '-in', 'c.pem', '-inkey', 'k.pem', '-passout', 'pass:pw', '-out', 'c.p12');
  writeFileSync(join(dir, 'junk.bin'), Buffer.from([1, 2, 3, 4, 0, 0, 9]));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('prints a readable document with problems and exits 0 even when there are problems', async () => {
  const r = await mtls(['decode', 'c.pem']);
  assert.equal(r.code, 0);
  assert.match(r.out, /^c\.pem: PEM, 1 certificate/);
  assert.match(r.out, /Subject: +CN=cli\.example/);
  assert.ok(r.out.includes(ossl('x509', '-in', 'c.pem', '-noout', '-fingerprint', '-sha256').trim().split('=')[1]));
  assert.match(r.out, /Problems:\n[\s\S]*WARNING \[1\] CN=cli\.example: self-signed leaf/);
  assert.match(r.out, /expires on .* \(in 1\d days\)/, 'expiring within the default 30 days');
  const quiet = await mtls(['decode', 'c.pem', '--expiry-days', '5']);
  assert.doesNotMatch(quiet.out, /expires on/);
});

test('--json is parseable, uses --now, and holds no key material', async () => {
  const r = await mtls(['decode', 'c.p12', '--json', '--passphrase-env', 'P12PW', '--now', '2099-01-01T00:00:00Z'], {
    P12PW: 'pw',
  });
  assert.equal(r.code, 0);
  const j = JSON.parse(r.out) as {
    format: string;
    items: { kind: string; validity?: string }[];
    problems: { code: string }[];
  };
  assert.equal(j.format, 'pkcs12');
  assert.deepEqual(j.items.map((i: { kind: string }) => i.kind).sort(), ['certificate', 'privateKey']);
  const cert = j.items.find((i: { kind: string }) => i.kind === 'certificate');
  assert.equal(cert?.validity, 'expired');
  assert.ok(j.problems.some((p: { code: string }) => p.code === 'expired'));
  const keyDer = execFileSync('openssl', ['pkey', '-in', join(dir, 'k.pem'), '-outform', 'DER']);
  const privScalar = keyDer.subarray(keyDer.indexOf(Buffer.from([0x04, 0x20])) + 2).subarray(0, 32);
  assert.ok(
    !r.out.toLowerCase().includes(privScalar.toString('hex')) && !r.out.includes(privScalar.toString('base64')),
  );
});

test('PKCS#12 without a passphrase says to pass --passphrase-env; a wrong one says MAC verify failed', async () => {
  const none = await mtls(['decode', 'c.p12']);
  assert.equal(none.code, 1);
  assert.match(none.err, /pass --passphrase-env VAR/);
  const wrong = await mtls(['decode', 'c.p12', '--passphrase-env', 'P'], { P: 'nope' });
  assert.equal(wrong.code, 1);
  assert.match(wrong.out, /wrong passphrase \(MAC verify failed\)/);
});

test('exit 1 for nothing decodable or a missing file, exit 2 for usage errors', async () => {
  const junk = await mtls(['decode', 'junk.bin']);
  assert.equal(junk.code, 1);
  assert.match(junk.out, /not a certificate or key file/);
  assert.equal((await mtls(['decode', 'nope.pem'])).code, 1);
  assert.equal((await mtls(['decode'])).code, 2);
  assert.equal((await mtls(['decode', 'c.pem', '--now', 'yesterday'])).code, 2);
  assert.equal((await mtls(['decode', 'c.pem', '--passphrase-env', 'UNSET_VAR'])).code, 2);
});
