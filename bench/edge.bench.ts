/**
 * The webhook behind nginx (the configuration `mtls edge nginx` writes, nginx in the foreground, the server in
 * edge mode on 127.0.0.2) against the same server taking mutual TLS itself: keep-alive requests/s with a client
 * certificate, same machine, same run, same load (undici Pool, 8 connections × 16 in flight), windows ABBA.
 * The reference is OUR server direct (not express): the row says what the edge costs, not how we compare.
 * Run: npx tsc -p . && npm run build && node out/bench/edge.bench.js
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { scaffoldServer } from '../src/core/scaffold/scaffoldServer';
import { installed, startRig } from '../test/unit/support/edge-proxy';
import { cxRequest, ensureBuilt, startServer, tempDir } from '../test/unit/support/scaffold';

const body = cxRequest('hello', 'bench');

async function window(pool: Pool, ms: number): Promise<{ done: number; errors: number; ms: number }> {
  let done = 0;
  let errors = 0;
  const t0 = performance.now();
  const loop = async (): Promise<void> => {
    while (performance.now() - t0 < ms) {
      try {
        const r = await pool.request({
          path: '/webhook',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        const text = await r.body.text();
        if (r.statusCode === 200 && text.includes('fulfillmentResponse')) done++;
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, loop));
  return { done, errors, ms: performance.now() - t0 };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

async function main(): Promise<void> {
  if (!installed('nginx')) {
    console.log('edge.bench: nginx is not installed (scripts/setup-proxies.sh): skipped');
    return;
  }
  ensureBuilt();
  const rig = await startRig('nginx', 'nginx', { trustSource: true });
  const dir = tempDir('edge-bench');
  const file = await scaffoldServer(dir, { platform: 'cx' });
  const direct = await startServer(file, {
    MTLS_KEY: rig.pki.serverKey,
    MTLS_CERT: rig.pki.serverCrt,
    MTLS_CA: rig.pki.caBundle,
  });
  const tlsOpts = {
    cert: readFileSync(rig.pki.clientCrt),
    key: readFileSync(rig.pki.clientKey),
    ca: readFileSync(rig.pki.caCrt),
    servername: 'localhost',
  };
  const pools = {
    nginx: new Pool(rig.url, { connections: 8, connect: tlsOpts }),
    direct: new Pool(direct.url.replace('localhost', '127.0.0.1'), { connections: 8, connect: tlsOpts }),
  };
  try {
    await window(pools.nginx, 500);
    await window(pools.direct, 500);
    const rates: Record<'nginx' | 'direct', number[]> = { nginx: [], direct: [] };
    const order = ['nginx', 'direct', 'direct', 'nginx'] as const;
    for (let i = 0; i < 8; i++) {
      const which = order[i % 4] ?? 'nginx';
      const r = await window(pools[which], 2500);
      if (r.errors > 0) console.error(`${which} window ${i}: ${r.errors} errors`);
      rates[which].push((r.done / r.ms) * 1000);
    }
    const ours = median(rates.nginx);
    const ref = median(rates.direct);
    console.log(
      `BENCH ${JSON.stringify({
        area: 'edge',
        name: 'keep-alive req/s through nginx',
        ours: Math.round(ours),
        reference: 'ours direct (mTLS at the server)',
        reference_value: Math.round(ref),
        ratio: Math.round((ours / ref) * 100) / 100,
        target: 'none: what the edge hop costs, against mTLS at the server',
        pass: null,
        spread: `medians of 4+4 ABBA windows; nginx ${rates.nginx.map(Math.round).join('/')}, direct ${rates.direct.map(Math.round).join('/')}`,
        setup: `nginx ${path.basename(rig.dir)} (worker_processes auto, keepalive 16 to the origin), origin edge mode on 127.0.0.2; client in this process`,
      })}`,
    );
  } finally {
    await Promise.all([pools.nginx.close(), pools.direct.close()]);
    direct.proc.kill();
    await rig.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
