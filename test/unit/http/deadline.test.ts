// A server that accepts TCP and never answers: `mtls send --timeout` reports it and the process ends right
// away (no socket or timer outlives the send), and `mtls probe --timeout` reports the silence after one row
// instead of waiting for every row. The real CLI as a child process, real sockets on 127.0.0.1.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { rmSync } from 'node:fs';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { probeEndpoint, sendWebhook } from '../../../src/core/http/index';
import { makeChain, tempDir, writeChain, type ChainFiles } from '../support/http';

const cli = path.resolve(__dirname, '../../../src/cli/cli.js');

/** Runs the CLI; resolves with its exit code, output and how long the process lived (killed after `limitMs`). */
function runCli(
  args: string[],
  cwd: string,
  limitMs: number,
): Promise<{ code: number | null; out: string; ms: number }> {
  const started = performance.now();
  const proc = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const killer = setTimeout(() => proc.kill('SIGKILL'), limitMs);
  return new Promise((resolve) =>
    proc.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, out, ms: performance.now() - started });
    }),
  );
}

/** A TCP server that accepts and never says a word; `open` counts the connections still open on its side. */
async function silentServer(): Promise<{ url: string; open(): number; accepted(): number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.resume(); // reads (and drops) what the client sends, so its hang-up is seen
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    open: () => sockets.size,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('deadlines against a server that never answers', () => {
  let a: ChainFiles;
  let dir: string;
  let silent: Awaited<ReturnType<typeof silentServer>>;
  const tls = ['--cert', 'client-fullchain.pem', '--key', 'client-key.pem', '--ca', 'ca-root-crt.pem'];

  before(async () => {
    a = await makeChain('Deadline Test');
    dir = writeChain(tempDir('deadline'), a);
    silent = await silentServer();
  });
  after(async () => {
    await silent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sendWebhook closes its connection at the deadline', async () => {
    const r = await sendWebhook({
      url: silent.url,
      body: {},
      certPem: a['client-fullchain.pem'],
      keyPem: a['client-key.pem'],
      caPem: a['ca-root-crt.pem'],
      timeoutMs: 300,
    });
    assert.equal(r.error?.code, 'ETIMEDOUT');
    // The server sees the client hang up at once, not when a 30 s connect timer fires.
    const until = performance.now() + 2_000;
    while (silent.open() > 0 && performance.now() < until) await new Promise((res) => setTimeout(res, 20));
    assert.equal(silent.open(), 0, 'the client closed the connection');
  });

  it('mtls send --timeout 500 prints the timeout and the process exits right after', async () => {
    const r = await runCli(['send', silent.url, ...tls, '--timeout', '500'], dir, 25_000);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /Request timed out after 500 ms/);
    assert.ok(r.ms < 6_000, `the process lived ${Math.round(r.ms)} ms`);
  });

  it('mtls probe --timeout 500 reports a silent server after one row and exits', async () => {
    const before = silent.accepted();
    const r = await runCli(['probe', silent.url, ...tls, '--timeout', '500'], dir, 25_000);
    assert.equal(r.code, 1, r.out);
    assert.match(
      r.out,
      /Inconclusive: the server at https:\/\/127\.0\.0\.1:\d+\/webhook accepted the TCP connection but did not answer the TLS handshake within 500 ms, so the 5 other rows were not run/,
    );
    assert.equal(silent.accepted() - before, 1, 'one connection, for the first row');
    assert.ok(r.ms < 8_000, `the process lived ${Math.round(r.ms)} ms`);
  });

  it('probeEndpoint stops at the first silent row; its help documents --timeout', async () => {
    const r = await probeEndpoint(
      silent.url,
      { certPem: a['client-fullchain.pem'], keyPem: a['client-key.pem'], caPem: a['ca-root-crt.pem'] },
      { timeoutMs: 300 },
    );
    assert.equal(r.verdict, 'inconclusive');
    assert.deepEqual(
      r.rows.map((row) => [row.id, row.errorCode]),
      [['no-cert', 'ETIMEDOUT']],
    );
    const help = await runCli(['probe', '--help'], dir, 10_000);
    assert.match(help.out, /--timeout MS\s+each row gives up after MS milliseconds \(default 10000\)/);
  });
});
