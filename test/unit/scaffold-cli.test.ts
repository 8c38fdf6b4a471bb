// `mtls scaffold` and `mtls serve` end to end, from the esbuild bundle (npm run build → dist/cli.js).
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { curl, cxRequest, ensureBuilt, makePki, repoRoot, runCommand, spawnServer, tempDir, type Pki } from './scaffold-support';

const cli = path.join(repoRoot, 'dist', 'cli.js');

describe('mtls scaffold / mtls serve (dist/cli.js)', () => {
  let dir: string;
  let pki: Pki;

  before(() => {
    ensureBuilt(true); // the real build script, so dist/ts-loader.mjs is proven to be one of its outputs
    dir = tempDir('cli');
    pki = makePki(path.join(dir, 'app', 'certs'));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the build emits dist/ts-loader.mjs with amaro bundled in (node_modules is not shipped)', () => {
    const loader = readFileSync(path.join(repoRoot, 'dist', 'ts-loader.mjs'), 'utf8');
    assert.match(loader, /export \{\s*load\s*\}/);
    assert.doesNotMatch(loader, /from ["']amaro["']|require\(["']amaro["']\)/);
  });

  it('scaffold writes server.ts, refuses to overwrite (exit 1) unless --force, and rejects bad flags (exit 2)', async () => {
    const out = path.join(dir, 'app');
    const r = await runCommand(process.execPath, [cli, 'scaffold', '--out', out, '--platform', 'cx', '--port', '8443']);
    assert.equal(r.code, 0, r.output);
    const file = path.join(out, 'server.ts');
    assert.match(r.stdout, new RegExp(`Wrote ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(Dialogflow CX handlers; port 8443`));
    assert.equal(statSync(file).mode & 0o777, 0o644);
    assert.match(readFileSync(file, 'utf8'), /port: 8443,/);
    const again = await runCommand(process.execPath, [cli, 'scaffold', '--out', out]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists.*--force/s);
    assert.equal((await runCommand(process.execPath, [cli, 'scaffold', '--out', out, '--force'])).code, 0);
    assert.match(readFileSync(file, 'utf8'), /const esHandlers/, '--force rewrote it with all platforms');
    assert.equal((await runCommand(process.execPath, [cli, 'scaffold', '--out', out, '--platform', 'alexa', '--force'])).code, 2);
    assert.equal((await runCommand(process.execPath, [cli, 'scaffold'])).code, 2);
  });

  it('serve runs server.ts in the foreground, answers a CX call, and returns exit 0 after SIGTERM', async () => {
    const file = path.join(dir, 'app', 'server.ts');
    if (!existsSync(file)) assert.equal((await runCommand(process.execPath, [cli, 'scaffold', '--out', path.join(dir, 'app')])).code, 0);
    const server = await spawnServer(process.execPath, [cli, 'serve', file, '--port', '0'], { PATH: process.env['PATH'] ?? '', MTLS_TS_CACHE: '0' });
    try {
      assert.match(server.output(), /mtls serve: Node 20\.\d+\.\d+ \(.*\), strategy amaro-loader: .*amaro/);
      const r = await curl(`${server.url}/webhook`, { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt }, { contentType: 'application/json', body: cxRequest('hello', 'from the CLI test') });
      assert.equal(r.status, 200);
      assert.match(r.body, /You said: from the CLI test/);
      server.proc.kill('SIGTERM'); // to mtls serve, which forwards it
      assert.equal(await server.exited(), 0);
      assert.match(server.output(), /SIGTERM: closing/);
    } finally {
      server.proc.kill('SIGKILL');
    }
  });

  it('a hang-up (the terminal closed) stops the server gracefully too: no server is left holding the port', async () => {
    const file = path.join(dir, 'app', 'server.ts');
    if (!existsSync(file)) assert.equal((await runCommand(process.execPath, [cli, 'scaffold', '--out', path.join(dir, 'app')])).code, 0);
    const server = await spawnServer(process.execPath, [cli, 'serve', file, '--port', '0'], { PATH: process.env['PATH'] ?? '' });
    try {
      server.proc.kill('SIGHUP');
      assert.equal(await server.exited(), 0);
      assert.match(server.output(), /SIGTERM: closing/);
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

  it('serve runs the preflight: a busy port or missing certificates print mtls-server error lines and exit 1', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (busy.address() as net.AddressInfo).port;
      const file = path.join(dir, 'app', 'server.ts');
      const r = await runCommand(process.execPath, [cli, 'serve', file, '--port', String(port)], { PATH: process.env['PATH'] ?? '' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`^mtls-server error \\[EADDRINUSE\\]: port ${port} on 127\\.0\\.0\\.1 is already in use`, 'm'));
      const missing = await runCommand(process.execPath, [cli, 'serve', file], { PATH: process.env['PATH'] ?? '', MTLS_PORT: '0', MTLS_CA: path.join(dir, 'none.pem') });
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^mtls-server error \[ENOENT_CA\]: CA bundle not found: .*none\.pem/m);
      const noServer = await runCommand(process.execPath, [cli, 'serve', path.join(dir, 'nothing.ts')]);
      assert.equal(noServer.code, 1);
      assert.match(noServer.stderr, /server file not found/);
      const folder = await runCommand(process.execPath, [cli, 'serve', path.join(dir, 'app')]);
      assert.equal(folder.code, 1);
      assert.ok(folder.stderr.includes(`${path.join(dir, 'app')} is a folder: give the server file in it (e.g. ${path.join(dir, 'app', 'server.ts')})`), folder.stderr);
    } finally {
      busy.close();
    }
  });
});
