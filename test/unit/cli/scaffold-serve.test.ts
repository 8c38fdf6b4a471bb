// `mtls scaffold`, `mtls scaffold --upgrade` and `mtls serve` end to end, from the esbuild bundle (npm run
// build → dist/cli.js, whose machinery is dist/mtls-server).
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { machineryFiles } from '../../../src/core/scaffold/machineryFiles';
import { templateVersion } from '../../../src/core/scaffold/template/changelog';
import {
  curl,
  cxRequest,
  ensureBuilt,
  makePki,
  repoRoot,
  runCommand,
  snapshot,
  spawnServer,
  tempDir,
  type Pki,
} from '../support/scaffold';

const cli = path.join(repoRoot, 'dist', 'cli.js');
const v4cx = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'server-v4', 'cx', 'server.ts'), 'utf8');
const v1 = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'server-v1', 'server.ts'), 'utf8');
// The compiler's lib has no WebAssembly types (no DOM lib); Node has the global.
const wasmValidate = (bytes: Uint8Array): boolean =>
  (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(bytes);
const re = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('mtls scaffold / mtls serve (dist/cli.js)', () => {
  let dir: string;
  let pki: Pki;

  before(() => {
    // dist/ comes from the real build script (npm test runs it before the layers). Never rebuilt here: the build
    // removes dist/cli/ first, and the test files running beside this one start dist/cli.js.
    ensureBuilt();
    dir = tempDir('cli');
    pki = makePki(path.join(dir, 'app', 'certs'));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const mtls = (args: string[], cwd?: string): ReturnType<typeof runCommand> =>
    runCommand(process.execPath, [cli, ...args], undefined, undefined, cwd);

  it('the build emits dist/ts-loader.mjs with amaro bundled in (node_modules is not shipped) and its wasm beside it, brotli-compressed', () => {
    const loader = readFileSync(path.join(repoRoot, 'dist', 'ts-loader.mjs'), 'utf8');
    assert.match(loader, /export \{\s*load\s*\}/);
    assert.doesNotMatch(loader, /from ["']amaro["']|require\(["']amaro["']\)/);
    assert.doesNotMatch(loader, /[A-Za-z0-9+/]{100000}/, 'the wasm is not embedded as base64');
    const packed = readFileSync(path.join(repoRoot, 'dist', 'amaro.wasm.br'));
    const wasm = brotliDecompressSync(packed);
    assert.ok(wasmValidate(wasm), 'dist/amaro.wasm.br expands to a valid WebAssembly module');
    assert.ok(packed.length < wasm.length / 3, `${packed.length} bytes for ${wasm.length}`);
    assert.equal(existsSync(path.join(repoRoot, 'dist', 'amaro.wasm')), false, 'no uncompressed copy is left');
  });

  it('scaffold writes server.mts, mtls-server/ (the machinery verbatim) and tsconfig.json, refuses to overwrite (exit 1) unless --force, rejects bad flags (exit 2)', async () => {
    const out = path.join(dir, 'app');
    const r = await mtls(['scaffold', '--out', out, '--platform', 'cx', '--port', '8443']);
    assert.equal(r.code, 0, r.output);
    const file = path.join(out, 'server.mts');
    assert.match(r.stdout, new RegExp(`^Wrote ${re(file)} \\(yours: Dialogflow CX handlers; port 8443`, 'm'));
    assert.match(
      r.stdout,
      new RegExp(
        `^ {2}${re(path.join(out, 'mtls-server'))}/ \\(generated: ${machineryFiles().length + 1} files, replaced whole by mtls scaffold --upgrade\\)$`,
        'm',
      ),
    );
    assert.match(r.stdout, /and .*tsconfig\.json \(for the editor\)\.$/m);
    assert.match(r.stdout, /^Next: mtls chain --out .*certs {3}then: mtls serve .*server\.mts$/m);
    assert.equal(statSync(file).mode & 0o777, 0o644);
    assert.match(readFileSync(file, 'utf8'), /port: 8443,/);
    for (const f of machineryFiles())
      assert.equal(readFileSync(path.join(out, 'mtls-server', f.name), 'utf8'), f.contents, f.name);
    const again = await mtls(['scaffold', '--out', out]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exist.*--force/s);
    const forced = await mtls(['scaffold', '--out', out, '--force']);
    assert.equal(forced.code, 0, forced.output);
    assert.match(forced.stdout, /tsconfig\.json already exists and was left as it is/);
    assert.match(readFileSync(file, 'utf8'), /const esHandlers/, '--force rewrote it with all platforms');
    assert.equal((await mtls(['scaffold', '--out', out, '--platform', 'alexa', '--force'])).code, 2);
    assert.equal((await mtls(['scaffold'])).code, 2);
    assert.equal((await mtls(['scaffold', '--out', out, '--dry-run'])).code, 2);
  });

  it('serve runs server.mts in the foreground, answers a CX call and its /status route, and returns exit 0 after SIGTERM', async () => {
    const file = path.join(dir, 'app', 'server.mts');
    if (!existsSync(file)) assert.equal((await mtls(['scaffold', '--out', path.join(dir, 'app')])).code, 0);
    const server = await spawnServer(process.execPath, [cli, 'serve', file, '--port', '0'], {
      PATH: process.env['PATH'] ?? '',
      MTLS_TS_CACHE: '0',
    });
    try {
      assert.match(server.output(), /mtls serve: Node 20\.\d+\.\d+ \(.*\), strategy amaro-loader: .*amaro/);
      const client = { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt };
      const r = await curl(`${server.url}/webhook`, client, {
        contentType: 'application/json',
        body: cxRequest('hello', 'from the CLI test'),
      });
      assert.equal(r.status, 200, r.body + server.output());
      assert.match(r.body, /You said: from the CLI test/);
      const status = await curl(`${server.url}/status`, client);
      assert.deepEqual([status.status, status.body], [200, '{"status":"ok"}']);
      server.proc.kill('SIGTERM'); // to mtls serve, which forwards it
      assert.equal(await server.exited(), 0);
    } finally {
      server.proc.kill('SIGKILL');
    }
  });

  it('a hang-up (the terminal closed) stops the server too: no server is left holding the port', async () => {
    const file = path.join(dir, 'app', 'server.mts');
    if (!existsSync(file)) assert.equal((await mtls(['scaffold', '--out', path.join(dir, 'app')])).code, 0);
    const server = await spawnServer(process.execPath, [cli, 'serve', file, '--port', '0'], {
      PATH: process.env['PATH'] ?? '',
    });
    try {
      server.proc.kill('SIGHUP');
      assert.equal(await server.exited(), 0);
      const refused = await new Promise<string>((resolve) => {
        const s = net.connect(server.port, '127.0.0.1', () => {
          s.destroy();
          resolve('connected');
        });
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
      assert.equal(refused, 'ECONNREFUSED');
    } finally {
      server.proc.kill('SIGKILL');
    }
  });

  it('scaffold --upgrade --dry-run on a single-file server.ts prints the plan and a diff patch(1) applies, and writes nothing', async () => {
    const work = path.join(dir, 'dry');
    mkdirSync(work, { recursive: true });
    const file = path.join(work, 'server.ts');
    writeFileSync(file, v1);
    const r = await mtls(['scaffold', '--upgrade', '--dry-run'], work);
    assert.equal(r.code, 0, r.output);
    assert.match(
      r.stdout,
      new RegExp(
        `^Would convert ${re(file)} \\(template 1\\) to .*server\\.mts \\+ .*mtls-server/ \\(template ${templateVersion}\\); your config block and handlers are carried over byte for byte\\. Would keep the old file as server\\.ts\\.bak-v1\\. Changes:$`,
        'm',
      ),
    );
    assert.match(r.stdout, /^ {2}- your config block and handlers come first/m);
    assert.match(r.stdout, /^Would write \(in .*\):\n {2}server\.mts\n {2}mtls-server\/auth\.mts\n/m);
    assert.deepEqual(readdirSync(work), ['server.ts']);
    assert.equal(readFileSync(file, 'utf8'), v1);
    // The printed diff is a real unified diff: patch turns the old file into the new server.mts.
    const diff = r.stdout.slice(r.stdout.indexOf('--- server.ts (template 1)'));
    writeFileSync(path.join(dir, 'up.diff'), `${diff}\n`);
    const p = await runCommand('patch', ['-s', '-o', path.join(dir, 'patched.mts'), file, path.join(dir, 'up.diff')]);
    assert.equal(p.code, 0, p.output);
    await runCommand(process.execPath, [cli, 'scaffold', '--upgrade'], undefined, undefined, work);
    assert.equal(
      readFileSync(path.join(dir, 'patched.mts'), 'utf8'),
      readFileSync(path.join(work, 'server.mts'), 'utf8'),
    );
  });

  it('scaffold --upgrade converts ./server.ts, then finds ./server.mts already current; an edited machinery is refused (exit 1) with nothing changed', async () => {
    const work = path.join(dir, 'apply');
    mkdirSync(work, { recursive: true });
    writeFileSync(path.join(work, 'server.ts'), v4cx);
    const r = await mtls(['scaffold', '--upgrade'], work);
    assert.equal(r.code, 0, r.output);
    assert.match(r.stdout, /^Converting .*server\.ts \(template 4\) to /m);
    assert.match(r.stdout, /^Backup of the old file: .*server\.ts\.bak-v4$/m);
    assert.match(r.stdout, /^Run it: mtls serve .*server\.mts$/m);
    assert.deepEqual(readdirSync(work).sort(), ['mtls-server', 'server.mts', 'server.ts.bak-v4', 'tsconfig.json']);
    const again = await mtls(['scaffold', '--upgrade'], work);
    assert.equal(again.code, 0, again.output);
    assert.match(
      again.stdout,
      new RegExp(`mtls-server/ is already current \\(template ${templateVersion}\\); nothing to do\\.`),
    );
    // Edited machinery: refused, exit 1, every byte as it was.
    const start = path.join(work, 'mtls-server', 'start.mts');
    writeFileSync(start, readFileSync(start, 'utf8').replace('rejectUnauthorized: true', 'rejectUnauthorized: false'));
    const before = snapshot(work);
    const refused = await mtls(['scaffold', '--upgrade', path.join(work, 'server.mts')]);
    assert.equal(refused.code, 1, refused.output);
    assert.match(
      refused.stderr,
      /Cannot upgrade .*server\.mts: files of mtls-server\/ differ from what mtls scaffold wrote \(edited: start\.mts\).*Nothing was changed\./,
    );
    assert.deepEqual(snapshot(work), before);
  });

  it("scaffold --upgrade --dry-run on an older machinery folder prints the files' diff and writes nothing; without --dry-run it replaces only the folder", async () => {
    const work = path.join(dir, 'older');
    assert.equal((await mtls(['scaffold', '--out', work, '--platform', 'es'])).code, 0);
    const folder = path.join(work, 'mtls-server');
    const manifestFile = path.join(folder, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
      template: number;
      files: Record<string, string>;
    };
    const older = `${readFileSync(path.join(folder, 'log.mts'), 'utf8')}// an older printing\n`;
    writeFileSync(path.join(folder, 'log.mts'), older);
    manifest.files['log.mts'] = createHash('sha256').update(older).digest('hex');
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, template: templateVersion - 1 }));
    const before = snapshot(work);
    const dry = await mtls(['scaffold', '--upgrade', work, '--dry-run']);
    assert.equal(dry.code, 0, dry.output);
    assert.match(
      dry.stdout,
      new RegExp(
        `^Would replace .*mtls-server/ \\(template ${templateVersion - 1}\\) with template ${templateVersion}; server\\.mts is not touched\\. Would keep the old folder as mtls-server\\.bak-v${templateVersion - 1}\\.`,
        'm',
      ),
    );
    assert.match(
      dry.stdout,
      /^--- mtls-server\/log\.mts \(template \d+\)\n\+\+\+ mtls-server\/log\.mts \(template \d+\)$/m,
    );
    assert.match(dry.stdout, /^-\/\/ an older printing$/m);
    assert.deepEqual(snapshot(work), before);
    const applied = await mtls(['scaffold', '--upgrade', path.join(work, 'server.mts')]);
    assert.equal(applied.code, 0, applied.output);
    assert.match(
      applied.stdout,
      new RegExp(`^Backup of the old folder: .*mtls-server\\.bak-v${templateVersion - 1}$`, 'm'),
    );
    const after = snapshot(work);
    assert.equal(after['server.mts'], before['server.mts']);
    assert.equal(after['tsconfig.json'], before['tsconfig.json']);
    assert.equal(after[`mtls-server.bak-v${templateVersion - 1}/log.mts`], before['mtls-server/log.mts']);
    assert.equal(
      readFileSync(path.join(folder, 'log.mts'), 'utf8'),
      machineryFiles().find((f) => f.name === 'log.mts')!.contents,
    );
  });
});
