/**
 * Generate benchmark: a full certificate chain (root, intermediate, server, client + bundles, written to
 * disk) made by us vs the same artefacts made by the openssl CLI script in bench/reference. Rounds
 * alternate ours/reference so both see the same machine state; the median is reported.
 * Run: npx tsc -p . && node out/bench/generate.bench.js
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { performance } from 'node:perf_hooks';
import { writeFileSet } from '../src/core/files';
import { generateChain, type KeyType } from '../src/core/pki/index';

const run = promisify(execFile);
// The script stays in the source tree: find it from out/bench (after tsc), from bench/, or from the cwd.
const script =
  [
    path.resolve(__dirname, '../../bench/reference/chain-openssl.sh'),
    path.resolve(__dirname, 'reference/chain-openssl.sh'),
    path.resolve('bench/reference/chain-openssl.sh'),
  ].find((p) => existsSync(p)) ?? 'bench/reference/chain-openssl.sh';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function ours(keyType: KeyType, dir: string): Promise<number> {
  const t0 = performance.now();
  const set = await generateChain({ keyType });
  await writeFileSet(dir, set.files);
  return performance.now() - t0;
}

async function reference(kind: 'rsa2048' | 'ec256', dir: string): Promise<number> {
  const t0 = performance.now();
  await run('bash', [script, dir, kind]);
  return performance.now() - t0;
}

async function measure(
  name: string,
  keyType: 'rsa2048' | 'ec256',
  rounds: number,
  target: string,
  pass: (oursMs: number, ratio: number) => boolean,
): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'mtls-bench-'));
  try {
    await ours(keyType, path.join(root, 'warm-ours')); // warm-up: JIT, module loading, first spawn
    await reference(keyType, path.join(root, 'warm-ref'));
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < rounds; i++) {
      a.push(await ours(keyType, path.join(root, `ours-${i}`)));
      b.push(await reference(keyType, path.join(root, `ref-${i}`)));
    }
    const oursMs = median(a);
    const refMs = median(b);
    const ratio = refMs / oursMs;
    const r = (x: number) => Math.round(x * 10) / 10;
    console.log(
      `BENCH ${JSON.stringify({ area: 'generate', name, ours_ms: r(oursMs), reference: 'openssl CLI script', reference_ms: r(refMs), ratio: Math.round(ratio * 100) / 100, target, pass: pass(oursMs, ratio) })}`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function mainBench(): Promise<void> {
  await measure('RSA-2048 chain', 'rsa2048', 9, '≥ 2× faster', (_ms, ratio) => ratio >= 2);
  await measure('ECDSA P-256 chain', 'ec256', 15, '< 50 ms', (ms) => ms < 50);
}

mainBench().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
