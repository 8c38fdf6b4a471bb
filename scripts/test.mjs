// `npm test`: type-check, build, lint, then the three layers — unit (node:test), extension host (real VS Code),
// UI (real workbench in Chromium) — each printing its pass count, and one closing total line.
// Choose layers with MTLS_TEST_LAYERS=unit,e2e,ui (default: all). Installs what it needs on first run
// (scripts/setup-e2e.sh: Debian chromium when missing and root, code-server from npm, cached).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);
const layers = (process.env.MTLS_TEST_LAYERS ?? 'unit,e2e,ui').split(',').map((s) => s.trim()).filter(Boolean);
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
    rmSync(tap, { force: true });
    const files = readdirSync('out/test/unit').filter((f) => f.endsWith('.test.js')).map((f) => `out/test/unit/${f}`);
    const code = await run(process.execPath, ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files]);
    const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
    const num = (k) => Number((new RegExp(`^# ${k} (\\d+)`, 'm').exec(text) ?? [])[1] ?? 0);
    const failed = num('fail') + num('cancelled') + (code !== 0 && num('fail') === 0 ? 1 : 0);
    return { passed: num('pass'), failed };
  });
}
if (layers.includes('e2e')) {
  await step('extension-host tests (real VS Code)', async () => {
    await run(process.execPath, ['test/e2e/run.js']);
    return counts('test-results/e2e/result.json');
  });
}
if (layers.includes('ui')) {
  await step('UI tests (real workbench in Chromium, screenshots)', async () => {
    await run(process.execPath, ['test/ui/run.js']);
    return counts('test-results/ui/result.json');
  });
}

console.log('\n=== summary');
for (const r of results) console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed (${r.seconds.toFixed(1)} s)${r.note ? ` — ${r.note}` : ''}`);
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
console.log(`total: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || results.length === 0 ? 1 : 0);
