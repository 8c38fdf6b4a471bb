// Files the user names: only regular files are read, up to MAX_INPUT_BYTES, and a UTF-8 byte order mark (as
// Windows Notepad writes) is accepted. The CLI runs as a real process so a read that hangs fails the test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'jsonc-parser';
import { main } from '../../src/cli/main';
import { MAX_INPUT_BYTES, readInputFile } from '../../src/core/inputFile';
import { mergeRestClientSettings } from '../../src/core/clientConfig/index';
import { decodeBytes, decodePemText } from '../../src/core/x509/index';

const cli = path.resolve(__dirname, '../../src/cli/cli.js');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
let dir = '';

/** `mtls ARGS` as its own process: a read that blocks ends in a timeout (status null), not a hung test run. */
function mtlsProcess(
  args: string[],
  timeoutMs = 15_000,
): { status: number | null; stdout: string; stderr: string; ms: number } {
  const start = Date.now();
  const r = spawnSync(process.execPath, ['--max-old-space-size=256', cli, ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - start };
}

async function mtls(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), env: {}, cwd: dir });
  return { code, out, err };
}

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mtls-input-files-'));
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ossl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca-crt.pem',
    '-days',
    '30',
    '-subj',
    '/CN=Input Test CA',
    '-addext',
    'basicConstraints=critical,CA:true',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  writeFileSync(path.join(dir, 'bom.pem'), Buffer.concat([BOM, readFileSync(path.join(dir, 'ca-crt.pem'))]));
  execFileSync('mkfifo', [path.join(dir, 'pipe')]);
  symlinkSync('pipe', path.join(dir, 'pipe-link'));
  symlinkSync('ca-crt.pem', path.join(dir, 'ca-link.pem'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('decode refuses a FIFO at once, named as one, instead of waiting for a writer', () => {
  const r = mtlsProcess(['decode', 'pipe']);
  assert.equal(r.status, 1, `exit ${r.status} after ${r.ms} ms: ${r.stderr}`);
  assert.match(
    r.stderr,
    /^mtls decode: pipe is a FIFO \(named pipe\), not a file: give the path of the certificate, key or bundle file itself$/m,
  );
  const viaLink = mtlsProcess(['decode', 'pipe-link']);
  assert.equal(viaLink.status, 1, viaLink.stderr);
  assert.match(viaLink.stderr, /pipe-link is a FIFO \(named pipe\), not a file/);
});

test("client refuses a FIFO given as --ca-cert, naming the option's file", () => {
  const r = mtlsProcess([
    'client',
    '--ca-cert',
    'pipe',
    '--ca-key',
    'ca-key.pem',
    '--cn',
    'bot',
    '--out',
    'out-client',
  ]);
  assert.equal(r.status, 1, `exit ${r.status} after ${r.ms} ms: ${r.stderr}`);
  assert.match(r.stderr, /The CA certificate pipe is a FIFO \(named pipe\), not a file/);
});

test('send refuses a FIFO given as --cert or --ca before connecting anywhere', () => {
  for (const args of [
    ['--cert', 'pipe', '--key', 'ca-key.pem'],
    ['--cert', 'ca-crt.pem', '--key', 'ca-key.pem', '--ca', 'pipe'],
  ]) {
    const r = mtlsProcess(['send', 'https://127.0.0.1:9/', ...args]);
    assert.equal(r.status, 1, `exit ${r.status} after ${r.ms} ms: ${r.stderr}`);
    assert.match(r.stderr, /^mtls send: The (client certificate|CA bundle) pipe is a FIFO \(named pipe\), not a file/m);
  }
});

test('decode refuses /dev/zero as a character device without reading it (no runaway memory)', () => {
  const r = mtlsProcess(['decode', '/dev/zero']);
  assert.equal(r.status, 1, `exit ${r.status} after ${r.ms} ms: ${r.stderr.slice(0, 500)}`);
  assert.match(r.stderr, /\/dev\/zero is a character device, not a file/);
  const folder = mtlsProcess(['decode', '.']);
  assert.match(folder.stderr, /\. is a folder, not a file/);
});

test('a file over the limit is refused before it is read, the message giving the limit; one under it decodes quickly', async () => {
  assert.equal(MAX_INPUT_BYTES, 64 * 1024 * 1024);
  const big = path.join(dir, 'big.pem');
  writeFileSync(big, '');
  truncateSync(big, MAX_INPUT_BYTES + 1);
  const r = mtlsProcess(['decode', 'big.pem']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^mtls decode: big\.pem is 64\.0 MiB, over the 64 MiB limit for the files this tool reads/m);
  await assert.rejects(
    readInputFile(big, { what: 'the CA bundle', shown: 'big.pem' }),
    /^InputError: The CA bundle big\.pem is 64\.0 MiB, over the 64 MiB limit/,
  );
  // 50 MB of text with no PEM block: read in full, and a clear answer well within seconds.
  writeFileSync(path.join(dir, 'text50.txt'), Buffer.alloc(50_000_000, 'A'));
  const text = mtlsProcess(['decode', 'text50.txt']);
  assert.equal(text.status, 1, text.stderr);
  assert.match(text.stdout, /no PEM block \(-----BEGIN …-----\) found/);
  assert.ok(text.ms < 10_000, `took ${text.ms} ms`);
});

test('readInputFile returns a regular file\'s bytes, through a link too, and says "no such file"', async () => {
  const want = readFileSync(path.join(dir, 'ca-crt.pem'));
  assert.deepEqual(await readInputFile(path.join(dir, 'ca-link.pem')), want);
  await assert.rejects(
    readInputFile(path.join(dir, 'nope.pem'), { what: 'the key', shown: 'nope.pem' }),
    /^InputError: Cannot read the key nope\.pem: no such file$/,
  );
});

test('a certificate saved with a UTF-8 byte order mark decodes like the same file without it', async () => {
  const plain = decodeBytes(readFileSync(path.join(dir, 'ca-crt.pem')));
  const bom = decodeBytes(readFileSync(path.join(dir, 'bom.pem')));
  assert.deepEqual(bom.errors, []);
  assert.equal(bom.format, 'pem');
  assert.equal(bom.items.length, 1);
  assert.deepEqual(bom.items, plain.items);
  const fromText = decodePemText(`\ufeff${readFileSync(path.join(dir, 'ca-crt.pem'), 'utf8')}`);
  assert.deepEqual(fromText.items, plain.items);
  const r = await mtls(['decode', 'bom.pem']);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /^bom\.pem: PEM, 1 certificate/);
  // openssl reads the same file and agrees on the fingerprint.
  const fp = execFileSync('openssl', ['x509', '-in', 'bom.pem', '-noout', '-fingerprint', '-sha256'], { cwd: dir })
    .toString()
    .trim()
    .split('=')[1];
  assert.ok(r.out.includes(fp), `${fp} not in:\n${r.out}`);
});

test('export-config updates a settings.json that starts with a byte order mark, and keeps the mark', async () => {
  const ws = path.join(dir, 'ws');
  mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  const settingsFile = path.join(ws, '.vscode', 'settings.json');
  writeFileSync(settingsFile, Buffer.concat([BOM, Buffer.from('{\n  // mine\n  "editor.tabSize": 2\n}\n')]));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'c-key.pem',
      '-out',
      'c-crt.pem',
      '-days',
      '30',
      '-subj',
      '/CN=client',
    ],
    { cwd: dir, stdio: 'pipe' },
  );
  const r = await mtls([
    'export-config',
    '--for',
    'rest-client',
    '--cert',
    'c-crt.pem',
    '--key',
    'c-key.pem',
    '--workspace',
    'ws',
  ]);
  assert.equal(r.code, 0, r.err);
  const bytes = readFileSync(settingsFile);
  assert.deepEqual(bytes.subarray(0, 3), BOM);
  assert.notDeepEqual(bytes.subarray(3, 6), BOM, 'one mark, not two');
  const text = bytes.subarray(3).toString('utf8');
  assert.match(text, /\/\/ mine/);
  const settings = parse(text) as Record<string, unknown>;
  assert.equal(settings['editor.tabSize'], 2);
  assert.ok((settings['rest-client.certificates'] as Record<string, unknown>)['localhost:4433']);
  // Without a mark, none is added.
  assert.equal(mergeRestClientSettings('{}\n', 'h:1', { cert: 'c', key: 'k' }).charCodeAt(0), '{'.charCodeAt(0));
});
