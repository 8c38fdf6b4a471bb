import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    ctx: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: process.env, cwd: process.cwd() },
    out,
    err,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net
      .createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

test('mtls init builds a verified project in an empty folder, stops its server, and a rerun reuses everything', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtls-init-'));
  const port = await freePort();
  const c = capture();
  assert.equal(
    await main(['init', '--dir', dir, '--port', String(port), '--platform', 'es', '--key', 'ec256'], c.ctx),
    0,
    c.err.join('\n') + c.out.join('\n'),
  );
  const text = c.out.join('\n');
  assert.match(text, /Result: OK/);
  assert.match(text, /Probe: mTLS is enforced/);
  assert.match(text, /Sample request: HTTP 200/);
  for (const f of [
    'server.mts',
    'mtls-server/index.mts',
    'mtls-server/manifest.json',
    'tsconfig.json',
    'certs/ca-crt.pem',
    'certs/client-key.pem',
  ])
    assert.ok(fs.existsSync(path.join(dir, f)), f);
  assert.match(text, /Created:[\s\S]*\n {2}server\.mts\n[\s\S]*\n {2}mtls-server\/index\.mts\n/);
  assert.equal(await portIsFree(port), true, 'the server was stopped at the end');

  const key = fs.readFileSync(path.join(dir, 'certs/server-key.pem'));
  const again = capture();
  assert.equal(
    await main(['init', '--dir', dir, '--port', String(await freePort()), '--platform', 'es'], again.ctx),
    0,
  );
  assert.match(again.out.join('\n'), /Reused \(left untouched\):[\s\S]*\n {2}server\.mts\n/);
  assert.deepEqual(
    fs.readFileSync(path.join(dir, 'certs/server-key.pem')),
    key,
    'keys are never regenerated over existing ones',
  );
});

test('a folder with part of a chain is refused and nothing is overwritten', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtls-init-'));
  fs.mkdirSync(path.join(dir, 'certs'));
  fs.writeFileSync(path.join(dir, 'certs', 'server-key.pem'), 'precious');
  const c = capture();
  assert.equal(await main(['init', '--dir', dir, '--port', String(await freePort())], c.ctx), 1);
  assert.match(c.out.join('\n'), /FAILED at "Generating the CA chain".*only part of a CA chain/);
  assert.equal(fs.readFileSync(path.join(dir, 'certs', 'server-key.pem'), 'utf8'), 'precious');
  assert.equal(fs.existsSync(path.join(dir, 'server.mts')), false);
});

test('a port in use stops the flow at "Starting the server" and keeps what was created', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtls-init-'));
  const blocker = net.createServer();
  const port = await new Promise<number>((r) =>
    blocker.listen(0, '127.0.0.1', () => r((blocker.address() as net.AddressInfo).port)),
  );
  try {
    const c = capture();
    assert.equal(await main(['init', '--dir', dir, '--port', String(port)], c.ctx), 1);
    assert.match(c.out.join('\n'), /FAILED at "Starting the server"/);
    assert.match(c.out.join('\n'), /Created:[\s\S]*server\.mts/);
    assert.ok(fs.existsSync(path.join(dir, 'certs', 'ca-root-key.pem')));
  } finally {
    blocker.close();
  }
});

test('a folder with a single-file server.ts stops at the scaffold step with the upgrade command, the file untouched', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtls-init-'));
  const legacy = fs.readFileSync(
    path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'server-v4', 'es', 'server.ts'),
  );
  fs.writeFileSync(path.join(dir, 'server.ts'), legacy);
  const c = capture();
  assert.equal(await main(['init', '--dir', dir, '--port', String(await freePort()), '--platform', 'es'], c.ctx), 1);
  assert.match(
    c.out.join('\n'),
    /FAILED at "Scaffolding server\.mts": .*server\.ts is a single-file server written by an earlier mTLS Workbench \(template 4\).*mtls scaffold --upgrade /,
  );
  assert.deepEqual(fs.readFileSync(path.join(dir, 'server.ts')), legacy);
  assert.equal(fs.existsSync(path.join(dir, 'server.mts')), false);
});

test('bad flags exit 2 with the usage', async () => {
  const c = capture();
  assert.equal(await main(['init', '--platform', 'alexa'], c.ctx), 2);
  assert.match(c.err.join('\n'), /use cx, es or kore[\s\S]*Usage: mtls init/);
});
