// A hostile webhook that answers with a body without end (chunked, or a content-length of gigabytes, or one byte
// at a time): the client stops at its limit or its deadline, still reports the status and headers, and the built
// CLI's `send`, `probe` and `check --url` stay small in memory (the child's peak RSS, measured by the kernel).
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { renderSendResult, sendWebhook, type SendOptions } from '../../../src/core/http/index';
import { MAX_RESPONSE_BODY_BYTES } from '../../../src/core/http/responseBody';
import { scaffoldServer } from '../../../src/core/scaffold/index';
import { httpsServer, makeChain, tempDir, writeChain, type ChainFiles, type Running } from '../support/http';
import { ensureBuilt, repoRoot } from '../support/scaffold';

ensureBuilt();

type Mode = 'endless' | 'declared-huge' | 'drip' | 'large-finite';

/** Answers 200 and then, per the path: an endless chunked body, a 10 GiB content-length, a byte every 50 ms, or 200 KiB. */
function hostile(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  res.on('error', () => undefined);
  const mode = (req.url ?? '').split('/').pop() as Mode;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  if (mode === 'large-finite') {
    res.writeHead(200, { 'content-type': 'application/json', 'x-served-by': 'hostile' });
    res.end(JSON.stringify({ fulfillmentResponse: { messages: [{ text: { text: ['y'.repeat(200 * 1024)] } }] } }));
    return;
  }
  res.writeHead(200, {
    'content-type': 'application/json',
    'x-served-by': 'hostile',
    ...(mode === 'declared-huge' ? { 'content-length': String(10 * 2 ** 30) } : {}),
  });
  if (mode === 'drip') {
    const t = setInterval(() => res.write('x'), 50);
    res.on('close', () => clearInterval(t));
    return;
  }
  // As fast as the client reads: the client's memory, not the server's, is what grows.
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk));
  };
  res.on('drain', pump);
  pump();
}

/** The built CLI as a child process; resolves with its exit code, output, wall time and peak RSS (KiB). */
function runCli(
  args: string[],
  cwd: string,
  deadlineMs: number,
  stopAboveKiB: number,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number; peakKiB: number }> {
  const cli = path.join(repoRoot, 'dist', 'cli.js');
  // The kernel's own peak (ru_maxrss), written by the child as it exits: nothing the test could miss between polls.
  const rssFile = path.join(cwd, `rss-${process.hrtime.bigint()}.txt`);
  const preload = path.join(cwd, 'peak-rss.cjs');
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`,
  );
  const started = Date.now();
  const child = spawn(process.execPath, ['--require', preload, cli, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // A client that never ends is stopped here by its PID, so the test fails instead of hanging; one growing past the
  // limit is stopped as soon as /proc shows it, rather than left to take gigabytes from the machine.
  const kill = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
  let seenKiB = 0;
  const watch = setInterval(() => {
    try {
      seenKiB = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? seenKiB);
    } catch {
      return; // already gone
    }
    if (seenKiB > stopAboveKiB) child.kill('SIGKILL');
  }, 100);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(kill);
      clearInterval(watch);
      let peakKiB = Math.max(seenKiB, 0);
      try {
        peakKiB = Math.max(peakKiB, Number(readFileSync(rssFile, 'utf8')));
      } catch {
        // killed before it could report: what /proc showed stands
      }
      resolve({ code, stdout, stderr, ms: Date.now() - started, peakKiB });
    });
  });
}

describe('a response body without end', () => {
  let files: ChainFiles;
  let dir: string;
  let server: Running;
  let creds: Pick<SendOptions, 'certPem' | 'keyPem' | 'caPem'>;
  const tlsArgs = ['--cert', 'client-fullchain.pem', '--key', 'client-key.pem', '--ca', 'ca-root-crt.pem'];

  before(async () => {
    files = await makeChain('Body Limit Test');
    dir = writeChain(tempDir('body-limit'), files);
    server = await httpsServer(
      {
        key: files['server-key.pem'],
        cert: files['server-fullchain.pem'],
        ca: files['ca-root-crt.pem'],
        requestCert: true,
        rejectUnauthorized: true,
      },
      hostile,
    );
    creds = {
      certPem: files['client-fullchain.pem'],
      keyPem: files['client-key.pem'],
      caPem: files['ca-root-crt.pem'],
    };
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (mode: Mode, timeoutMs = 10_000) =>
    sendWebhook({
      url: `https://127.0.0.1:${server.port}/${mode}`,
      body: { x: 1 },
      platform: 'cx',
      timeoutMs,
      ...creds,
    });

  it('an endless chunked body is cut at the limit; the status and headers that came are reported', async () => {
    const r = await send('endless');
    assert.equal(r.ok, false);
    assert.equal(r.error?.code, 'RESPONSE_TOO_LARGE');
    assert.equal(r.status, 200);
    assert.equal(r.headers?.['x-served-by'], 'hostile');
    assert.ok(
      (r.bytes ?? 0) > MAX_RESPONSE_BODY_BYTES && (r.bytes ?? 0) < MAX_RESPONSE_BODY_BYTES + 1024 * 1024,
      `stopped near the limit: ${r.bytes}`,
    );
    assert.match(
      r.error?.message ?? '',
      new RegExp(`HTTP 200 came, but its body exceeded ${MAX_RESPONSE_BODY_BYTES} bytes and was cut`),
    );
    assert.ok((r.body ?? '').length <= 4096, 'only an excerpt is kept');
    assert.match(r.error?.explanation.fix ?? '', /end its response/);
    const text = renderSendResult(r);
    assert.match(text, /^HTTP 200 {2}\d+ bytes of body received$/m);
    assert.match(text, /FAILED: The response body was too large, and was cut \[RESPONSE_TOO_LARGE\]/);
    assert.doesNotMatch(text, /no HTTP response came/);
  });

  it('a declared content-length over the limit is refused without reading it', async () => {
    const r = await send('declared-huge');
    assert.equal(r.error?.code, 'RESPONSE_TOO_LARGE');
    assert.equal(r.status, 200);
    assert.equal(r.headers?.['content-length'], String(10 * 2 ** 30));
    assert.match(r.error?.message ?? '', /declared content-length 10737418240, over the 1048576-byte limit/);
  });

  it('a body dripping a byte at a time is ended by the deadline, which says the answer began', async () => {
    const started = Date.now();
    const r = await send('drip', 1_500);
    assert.ok(Date.now() - started < 10_000, 'the deadline ended it');
    assert.equal(r.error?.code, 'ETIMEDOUT');
    assert.equal(r.status, 200);
    assert.match(
      r.error?.message ?? '',
      /HTTP 200 and its headers came, then the body did not finish: \d+ bytes received/,
    );
  });

  it("a finite reply over the platform's 64 KiB but under the limit is read whole and judged by the response check", async () => {
    const r = await send('large-finite');
    assert.equal(r.error, undefined);
    assert.equal(r.status, 200);
    assert.ok((r.bytes ?? 0) > 200 * 1024);
    assert.ok(
      r.checks.some((c) => c.severity === 'error' && /at most 65536 bytes/.test(c.message)),
      JSON.stringify(r.checks),
    );
  });

  // The same hostile server for the three commands that send: each must end within seconds and stay small.
  const PEAK_LIMIT_KIB = 300 * 1024;
  for (const command of ['send', 'probe', 'check --url'] as const) {
    it(`mtls ${command} (the built CLI) ends within seconds with its peak RSS under 300 MB`, async () => {
      const url = `https://localhost:${server.port}/endless`;
      let cwd = dir;
      let args: string[];
      if (command === 'send') args = ['send', url, ...tlsArgs, '--timeout', '4000', '--json'];
      else if (command === 'probe') args = ['probe', url, ...tlsArgs, '--timeout', '4000', '--json'];
      else {
        // A project whose server.mts names the hostile server's port: the check finds it running and sends to it.
        cwd = tempDir('body-limit-check');
        mkdirSync(path.join(cwd, 'certs'));
        writeChain(path.join(cwd, 'certs'), files);
        await scaffoldServer(cwd, { port: server.port, platform: 'all' });
        args = ['check', '--platform', 'cx', '--url', url, '--json'];
      }
      try {
        const r = await runCli(args, cwd, 60_000, PEAK_LIMIT_KIB);
        console.log(`mtls ${command}: ${r.ms} ms, peak RSS ${Math.round(r.peakKiB / 1024)} MiB`);
        assert.ok(r.peakKiB < PEAK_LIMIT_KIB, `peak RSS ${r.peakKiB} KiB`);
        assert.ok(r.ms < 30_000, `ended in ${r.ms} ms`);
        // The probe's question is whether mTLS is enforced, which this server does: only its answer's body is hostile.
        assert.equal(r.code, command === 'probe' ? 0 : 1, r.stderr);
        const json = JSON.parse(r.stdout) as Record<string, unknown>;
        if (command === 'send') {
          assert.equal((json as { error?: { code: string } }).error?.code, 'RESPONSE_TOO_LARGE');
        } else if (command === 'probe') {
          const valid = (
            json as { rows: { id: string; status?: number; handshake: { steps: { error?: { code: string } }[] } }[] }
          ).rows.find((x) => x.id === 'valid');
          assert.equal(valid?.status, 200);
          assert.ok(
            valid?.handshake.steps.some((s) => s.error?.code === 'RESPONSE_TOO_LARGE'),
            JSON.stringify(valid?.handshake),
          );
        } else {
          const sample = (json as { rows: { id: string; status: string; message: string }[] }).rows.find(
            (x) => x.id === 'sample-response',
          );
          assert.equal(sample?.status, 'fail');
          assert.match(sample?.message ?? '', /body exceeded 1048576 bytes and was cut/);
        }
      } finally {
        if (cwd !== dir) rmSync(cwd, { recursive: true, force: true });
      }
    });
  }
});
