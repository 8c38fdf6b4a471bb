import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { generateChain, type GeneratedSet } from '../../../src/core/pki/index';

function file(set: GeneratedSet, name: string): string {
  const f = set.files.find((x) => x.name === name);
  assert.ok(f, name);
  return f.contents.toString();
}

function writeSet(set: GeneratedSet): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pki-hs-'));
  for (const f of set.files) writeFileSync(path.join(dir, f.name), f.contents);
  return dir;
}

/** Starts openssl s_server on 127.0.0.1 with an ephemeral port; resolves once it prints the port. */
function opensslServer(
  args: string[],
): Promise<{ port: number; output: () => string; stop: () => void; exited: Promise<void> }> {
  const child = spawn('openssl', ['s_server', '-accept', '127.0.0.1:0', '-naccept', '1', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let done = false;
  const exited = new Promise<void>((resolve) => child.on('exit', () => ((done = true), resolve())));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /ACCEPT .*:(\d+)/.exec(out);
      if (m)
        resolve({
          port: Number(m[1]),
          output: () => out,
          stop: () => {
            if (!done && child.pid) process.kill(child.pid);
          },
          exited,
        });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    setTimeout(() => reject(new Error(`s_server did not start: ${out}`)), 5000).unref();
  });
}

function opensslClient(port: number, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-verify_return_error', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
    child.stdin.on('error', () => undefined); // the server may close first (EPIPE): the output tells the story
    child.stdin.end('Q\n');
  });
}

for (const kt of ['rsa2048', 'ec256', 'ed25519'] as const) {
  test(`openssl s_server -Verify 2 with ca-crt.pem and s_client with the client key complete a mutual handshake (${kt})`, async () => {
    const dir = writeSet(await generateChain({ keyType: kt }));
    const p = (n: string) => path.join(dir, n);
    const server = await opensslServer([
      '-Verify',
      '2',
      '-verify_return_error',
      '-CAfile',
      p('ca-crt.pem'),
      '-cert',
      p('server-crt.pem'),
      '-key',
      p('server-key.pem'),
      '-cert_chain',
      p('ca-intermediate-crt.pem'),
    ]);
    try {
      const client = await opensslClient(server.port, [
        '-cert',
        p('client-crt.pem'),
        '-key',
        p('client-key.pem'),
        '-CAfile',
        p('ca-root-crt.pem'),
        '-servername',
        'localhost',
        '-verify_hostname',
        'localhost',
      ]);
      assert.match(client.out, /Verify return code: 0 \(ok\)/, client.out);
      await server.exited;
      assert.match(server.output(), /subject=.*CN ?= ?mtls-client/, server.output());
      assert.match(server.output(), /\b1 server accepts that finished/);
    } finally {
      server.stop();
    }
  });
}

test('openssl s_server refuses a client that sends no certificate', async () => {
  const dir = writeSet(await generateChain({ keyType: 'ec256' }));
  const p = (n: string) => path.join(dir, n);
  const server = await opensslServer([
    '-Verify',
    '2',
    '-verify_return_error',
    '-CAfile',
    p('ca-crt.pem'),
    '-cert',
    p('server-fullchain.pem'),
    '-key',
    p('server-key.pem'),
  ]);
  try {
    const client = await opensslClient(server.port, ['-CAfile', p('ca-root-crt.pem')]);
    await server.exited;
    assert.doesNotMatch(server.output(), /subject=.*mtls-client/);
    // s_server's statistics: the handshake never finished on the server side
    assert.match(server.output(), /\b0 server accepts that finished/, client.out);
  } finally {
    server.stop();
  }
});

async function nodeHandshake(
  serverSet: GeneratedSet,
  clientSet: GeneratedSet,
  ca: string,
): Promise<{ ok: boolean; error?: string; peer?: string }> {
  const server = tls.createServer(
    {
      key: file(serverSet, 'server-key.pem'),
      cert: file(serverSet, 'server-fullchain.pem'),
      ca,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (s) => s.end('hello'),
  );
  let serverError: string | undefined;
  server.on('tlsClientError', (e) => (serverError = (e as NodeJS.ErrnoException).code ?? e.message));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    return await new Promise((resolve) => {
      const sock = tls.connect({
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        key: file(clientSet, 'client-key.pem'),
        cert: file(clientSet, 'client-fullchain.pem'),
        ca: file(serverSet, 'ca-root-crt.pem'),
      });
      let data = '';
      let clientError: string | undefined;
      sock.on('data', (d: Buffer) => (data += d.toString()));
      sock.on('error', (e: Error) => (clientError = (e as NodeJS.ErrnoException).code ?? e.message));
      // TLS 1.3: the client may finish its side before the server rejects it, so judge only at close.
      sock.on('close', () =>
        setTimeout(
          () =>
            resolve(
              data === 'hello'
                ? { ok: true, peer: data }
                : { ok: false, error: serverError ?? clientError ?? 'closed without data' },
            ),
          50,
        ),
      );
    });
  } finally {
    server.close();
  }
}

test('Node tls: a server with ca=ca-crt.pem accepts our client and refuses a client certificate from another CA', async () => {
  const [mine, other] = await Promise.all([generateChain({ keyType: 'ec256' }), generateChain({ keyType: 'ec256' })]);
  const good = await nodeHandshake(mine, mine, file(mine, 'ca-crt.pem'));
  assert.deepEqual(good, { ok: true, peer: 'hello' });
  const bad = await nodeHandshake(mine, other, file(mine, 'ca-crt.pem'));
  assert.equal(bad.ok, false);
  assert.match(bad.error ?? '', /UNABLE_TO_GET_ISSUER_CERT|unknown ca|ECONNRESET|ALERT/i);
});

test('Node tls: a server trusting only the root accepts a client that sends leaf + intermediate (depth 2)', async () => {
  const set = await generateChain({ keyType: 'rsa2048' });
  const res = await nodeHandshake(set, set, file(set, 'ca-root-crt.pem'));
  assert.equal(res.ok, true, res.error);
});
