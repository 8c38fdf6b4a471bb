// Send benchmark: the send client (createWebhookClient, undici over our timed connector) against curl,
// both talking to the same local mTLS server (a plain Node https server with requestCert, in its own process
// so it does not share an event loop with our client).
//   keep-alive: 1,000 sequential POSTs over one connection.  ours: one WebhookClient; curl: one invocation
//               with a config file of 1,000 URLs (curl reuses the connection between them).
//   fresh:      200 sequential POSTs, each a new TCP connection and a FULL mutual handshake.  ours: a client
//               with reuseConnections: false (Connection: close, no TLS session cache); curl: one invocation
//               with 200 URLs, -H 'Connection: close' and --no-sessionid (so it cannot resume sessions either).
// curl's process start (~10 ms) is included once per run: negligible against 1,000 / 200 requests.
// Run: npx tsc -p . && node out/bench/send.bench.js
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createWebhookClient } from '../src/core/http/index';
import { generateChain } from '../src/core/pki/index';
import { sampleJson } from '../src/core/webhook/index';

const KEEPALIVE_N = 1000;
const FRESH_N = 200;
const WARMUP_N = 3000;

const serverScript = `
const https = require('node:https');
const fs = require('node:fs');
const d = process.argv[1];
const r = (n) => fs.readFileSync(d + '/' + n);
const body = JSON.stringify({ fulfillmentResponse: { messages: [{ text: { text: ['ok'] } }] } });
const s = https.createServer({ key: r('server-key.pem'), cert: r('server-fullchain.pem'), ca: r('ca-root-crt.pem'), requestCert: true, rejectUnauthorized: true, keepAliveTimeout: 60000 }, (req, res) => {
  req.resume();
  req.on('end', () => { res.setHeader('content-type', 'application/json'); res.end(body); });
});
s.listen(0, '127.0.0.1', () => console.log('PORT ' + s.address().port));
`;

function run(cmd: string, args: string[]): Promise<{ ms: number; stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => resolve({ ms: performance.now() - t0, stdout: out, code }));
  });
}

function curlConfig(file: string, url: string, n: number, extra: string[]): void {
  const lines = [
    ...extra,
    'silent',
    'show-error',
    'request = "POST"',
    'header = "content-type: application/json"',
    'header = "user-agent: Google-Dialogflow"',
    'data-binary = "@body.json"',
    'write-out = "%{http_code}\\n"',
  ];
  for (let i = 0; i < n; i++) lines.push(`url = "${url}"`, 'output = "/dev/null"');
  writeFileSync(file, lines.join('\n') + '\n');
}

function report(name: string, oursMs: number, refMs: number, reference: string): boolean {
  const ratio = oursMs / refMs;
  const pass = ratio <= 1.5;
  console.log(
    `BENCH ${JSON.stringify({ area: 'send', name, ours_ms: round(oursMs), reference, reference_ms: round(refMs), ratio: round(ratio), target: '≤ 1.5× curl', pass })}`,
  );
  return pass;
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mtls-bench-send-'));
  const set = await generateChain({ keyType: 'ec256', org: 'Bench' });
  const files = Object.fromEntries(set.files.map((f) => [f.name, String(f.contents)]));
  for (const [n, c] of Object.entries(files)) writeFileSync(path.join(dir, n), c);
  const body = sampleJson('cx');
  writeFileSync(path.join(dir, 'body.json'), body);
  const server = spawn(process.execPath, ['-e', serverScript, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout.on('data', (d: Buffer) => {
        const m = /PORT (\d+)/.exec(d.toString());
        if (m) resolve(Number(m[1]));
      });
      server.once('exit', (c) => reject(new Error(`server exited ${c}`)));
    });
    const url = `https://127.0.0.1:${port}/webhook`;
    const creds = {
      certPem: files['client-fullchain.pem'],
      keyPem: files['client-key.pem'],
      caPem: files['ca-root-crt.pem'],
    };
    const curlTls = [
      `cert = "${dir}/client-fullchain.pem"`,
      `key = "${dir}/client-key.pem"`,
      `cacert = "${dir}/ca-root-crt.pem"`,
    ];

    // Warm-up: V8 needs a few thousand iterations to optimise both our client and the Node server (which
    // curl then also benefits from); curl is native code and needs none beyond the page cache.
    curlConfig(path.join(dir, 'warm.cfg'), url, 20, curlTls);
    await run('curl', ['-K', path.join(dir, 'warm.cfg')]);
    const ka = createWebhookClient(creds);
    for (let i = 0; i < WARMUP_N; i++) await ka.send({ url, body, platform: 'cx' });

    // keep-alive: the same client, so the measured 1,000 requests all ride the connection the warm-up opened
    let ok = 0;
    let reused = 0;
    const t0 = performance.now();
    for (let i = 0; i < KEEPALIVE_N; i++) {
      const r = await ka.send({ url, body, platform: 'cx' });
      if (r.status === 200) ok++;
      if (r.timing.reusedConnection) reused++;
    }
    const oursKa = (performance.now() - t0) / KEEPALIVE_N;
    await ka.close();
    if (ok !== KEEPALIVE_N) throw new Error(`ours keep-alive: ${ok}/${KEEPALIVE_N} answered 200`);
    curlConfig(path.join(dir, 'ka.cfg'), url, KEEPALIVE_N, curlTls);
    const cKa = await run('curl', ['-K', path.join(dir, 'ka.cfg')]);
    const cKaOk = cKa.stdout.split('\n').filter((l) => l === '200').length;
    if (cKaOk !== KEEPALIVE_N) throw new Error(`curl keep-alive: ${cKaOk}/${KEEPALIVE_N} answered 200`);
    console.log(
      `keep-alive: ours ${reused}/${KEEPALIVE_N} on the reused connection (after ${WARMUP_N} warm-up requests)`,
    );
    if (reused !== KEEPALIVE_N) throw new Error('ours keep-alive: a request opened a new connection');

    // fresh handshakes
    const fresh = createWebhookClient({ ...creds, reuseConnections: false });
    for (let i = 0; i < 50; i++) await fresh.send({ url, body, platform: 'cx' });
    ok = 0;
    let full = 0;
    const t1 = performance.now();
    for (let i = 0; i < FRESH_N; i++) {
      const r = await fresh.send({ url, body, platform: 'cx' });
      if (r.status === 200) ok++;
      if (!r.timing.reusedConnection && r.timing.tlsMs !== undefined) full++;
    }
    const oursFresh = (performance.now() - t1) / FRESH_N;
    await fresh.close();
    if (ok !== FRESH_N || full !== FRESH_N)
      throw new Error(`ours fresh: ${ok}/${FRESH_N} answered 200, ${full} new handshakes`);
    curlConfig(path.join(dir, 'fresh.cfg'), url, FRESH_N, [...curlTls, 'header = "Connection: close"', 'no-sessionid']);
    const cFresh = await run('curl', ['-K', path.join(dir, 'fresh.cfg')]);
    const cFreshOk = cFresh.stdout.split('\n').filter((l) => l === '200').length;
    if (cFreshOk !== FRESH_N) throw new Error(`curl fresh: ${cFreshOk}/${FRESH_N} answered 200`);

    const a = report(
      'send keep-alive, per request (1,000 sequential POSTs, one connection)',
      oursKa,
      cKa.ms / KEEPALIVE_N,
      'curl -K config of 1,000 URLs (--cert --key --cacert), one connection reused',
    );
    const b = report(
      'send fresh mutual handshake, per request (200 sequential POSTs)',
      oursFresh,
      cFresh.ms / FRESH_N,
      "curl -K config of 200 URLs, -H 'Connection: close' --no-sessionid",
    );
    process.exitCode = a && b ? 0 : 1;
  } finally {
    if (server.pid !== undefined && server.exitCode === null) process.kill(server.pid, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
