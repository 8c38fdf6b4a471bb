/**
 * Start-up benchmark: what starting our code costs on top of starting Node, measured against `node -e 0`
 * in the same rounds (alternating, medians): `mtls --help`; the extension's activation inside a real VS Code
 * extension host (loading dist/extension.js plus activate(), beside the host's whole activation round trip);
 * and the VSIX size.
 * Run: npx tsc -p . && node scripts/build.mjs --production && node out/bench/startup.bench.js
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/cli.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const r1 = (x: number) => Math.round(x * 10) / 10;

function timed(args: string[], expect: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0 || !r.stdout.includes(expect))
    throw new Error(`node ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

function report(row: Record<string, unknown>): void {
  console.log(`BENCH ${JSON.stringify({ area: 'start-up', ...row })}`);
}

function cliHelp(): void {
  const bare: number[] = [];
  const help: number[] = [];
  for (let i = 0; i < 3; i++) timed([cli, '--help'], 'Commands:'); // warm the page cache
  for (let i = 0; i < 31; i++) {
    bare.push(timed(['-e', '0'], ''));
    help.push(timed([cli, '--help'], 'Commands:'));
  }
  const b = median(bare);
  const above = median(help) - b;
  report({
    name: '`mtls --help` above bare Node start',
    ours_ms: r1(above),
    reference: 'node -e 0',
    reference_ms: r1(b),
    ratio: r1(above / b),
    target: '≤ 20 ms above node -e 0',
    pass: above <= 20,
  });
}

/**
 * Three fresh extension hosts (code-server, as the e2e tests) on an empty workspace; medians. The target is the
 * extension's own share, as VS Code's Running Extensions view counts it: loading dist/extension.js (and what it
 * requires while loading) plus activate(). The host's whole `activate()` round trip is reported beside it.
 */
function activation(): void {
  const loads: number[] = [];
  const own: number[] = [];
  const host: number[] = [];
  for (let i = 0; i < 3; i++) {
    const ws = mkdtempSync(path.join(tmpdir(), 'mtls-bench-startup-'));
    try {
      const r = spawnSync(process.execPath, [path.join(root, 'test/e2e/run.js')], {
        cwd: root,
        encoding: 'utf8',
        env: {
          ...process.env,
          MTLS_E2E_TESTS: 'out/test/e2e/startup',
          MTLS_E2E_FIXTURE: ws,
          MTLS_E2E_RESULTS_NAME: 'bench-startup',
        },
      });
      const result = JSON.parse(readFileSync(path.join(root, 'test-results/bench-startup/result.json'), 'utf8')) as {
        loadMs?: number;
        activateMs?: number;
        hostMs?: number;
      };
      if (
        r.status !== 0 ||
        result.loadMs === undefined ||
        result.activateMs === undefined ||
        result.hostMs === undefined
      )
        throw new Error(`activation bench failed:\n${r.stdout}\n${r.stderr}`);
      loads.push(result.loadMs);
      own.push(result.activateMs);
      host.push(result.hostMs);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  }
  const totals = loads.map((l, i) => l + own[i]);
  const total = median(totals);
  console.log(
    `activation: load ${loads.map(r1).join(' / ')} ms + activate() ${own.map(r1).join(' / ')} ms; the host's whole activate() ${host.map(r1).join(' / ')} ms`,
  );
  report({
    name: 'extension activation in the extension host: load dist/extension.js + activate()',
    ours_ms: r1(total),
    reference: "the host's whole activate() round trip",
    reference_ms: r1(median(host)),
    ratio: '',
    target: '≤ 50 ms',
    pass: total <= 50,
  });
}

function vsixSize(): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtls-bench-vsix-'));
  try {
    const out = path.join(dir, 'bench.vsix');
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/package.mjs'), out], {
      cwd: root,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`npm run package failed:\n${r.stdout}\n${r.stderr}`);
    const mb = statSync(out).size / 1e6;
    report({
      name: 'VSIX size in MB (`npm run package`)',
      ours: Math.round(mb * 100) / 100,
      reference: 'target',
      reference_value: 1.5,
      ratio: '',
      target: '≤ 1.5 MB',
      pass: mb <= 1.5,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

cliHelp();
vsixSize();
activation();
