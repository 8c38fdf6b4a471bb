#!/usr/bin/env node
// @ts-check
// UI tests: the packaged VSIX installed into a real VS Code workbench (code-server) driven in headless
// Chromium the way a person would: command palette, the Certificates view, the explorer's context menu.
// Each step is a check; screenshots go to test-results/ui/. Exit code 1 if any step failed.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const {
  loadEnv,
  selectedTarget,
  startServer,
  openBrowser,
  installVsix,
  freshWorkspace,
} = require('../harness/codeServer');
const { steps } = require('./scenario');

const root = path.resolve(__dirname, '../..');
// MTLS_VSCODE=min|current picks the VS Code build; the README screenshots come from the minimum one.
const target = selectedTarget();
const shots = path.join(root, 'test-results', target.name === 'min' ? 'ui' : `ui-${target.name}`);
const t0 = Date.now();
const log = (...a) => console.log(`[ui ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

(async () => {
  fs.rmSync(shots, { recursive: true, force: true });
  fs.mkdirSync(shots, { recursive: true });
  // MTLS_VSIX: a VSIX already packed and checked (npm test packs one for every layer); else pack one here.
  const vsix = process.env.MTLS_VSIX || path.join(root, 'test-results', `mtls-workbench-ui-${target.name}.vsix`);
  if (!process.env.MTLS_VSIX) {
    execFileSync(process.execPath, ['scripts/package.mjs', vsix], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const e2e = loadEnv(root, target);
  log(`code-server ${target.codeServer} (VS Code ${target.vscode})`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mtls-ui-'));
  installVsix(e2e, work, vsix);
  log('installed', path.relative(root, vsix));
  const workspace = freshWorkspace(path.join(root, 'test', 'fixtures', 'workspace'), path.join(work, 'workspace'));
  // A free port for the webhook server, as a workspace setting (never the machine's 4433, which may be busy).
  const serverPort = await require('../harness/codeServer').freePort();
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(
    path.join(workspace, '.vscode', 'settings.json'),
    JSON.stringify({ 'mtls.server.port': serverPort, 'terminal.integrated.gpuAcceleration': 'off' }),
  );
  const srv = await startServer(e2e, work);
  const { ctx, page } = await openBrowser(e2e, work, log);
  const ui = {
    page,
    workspace,
    serverPort,
    shot: async (/** @type {string} */ name) => page.screenshot({ path: path.join(shots, name) }),
    log,
  };
  // Generous: the 1.139 workbench on a busy 2-core machine can take a minute to load.
  await page.goto(`http://${srv.authority}/?folder=${encodeURIComponent(workspace)}`, {
    waitUntil: 'commit',
    timeout: 180000,
  });
  await page.locator('.monaco-workbench').waitFor({ timeout: 180000 });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 180000 });
  log('workbench rendered');
  await page.locator('.explorer-folders-view').click(); // keyboard focus into the workbench
  let passed = 0;
  let failed = 0;
  for (const step of steps) {
    const ts = Date.now();
    try {
      await step.run(ui);
      passed++;
      console.log(`  ✔ ${step.name} (${Date.now() - ts} ms)`);
    } catch (e) {
      failed++;
      console.log(`  ✖ ${step.name}: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
      await page.screenshot({ path: path.join(shots, `failed-${steps.indexOf(step) + 1}.png`) }).catch(() => {});
      console.log(
        `    status bar: ${(
          await page
            .locator('.part.statusbar')
            .innerText()
            .catch(() => '?')
        ).replace(/\s+/g, ' ')}`,
      );
      await page.keyboard.press('Escape').catch(() => {});
    }
  }
  await ctx.close().catch(() => {});
  srv.kill();
  // The README's "main job" command, in its check mode: it must bring up a workbench with the extension.
  const demoEnv = { ...process.env, MTLS_DEMO_WORKSPACE: path.join(work, 'demo-ws'), MTLS_DEMO_VSIX: vsix };
  const demo = require('node:child_process').spawnSync(process.execPath, ['scripts/demo.mjs', '--check'], {
    cwd: root,
    encoding: 'utf8',
    env: demoEnv,
  });
  if (demo.status === 0) {
    passed++;
    console.log('  ✔ `npm run demo` (README) brings up VS Code with the extension (check mode)');
  } else {
    failed++;
    console.log(`  ✖ \`npm run demo\` failed: ${(demo.stdout + demo.stderr).trim().split('\n').pop()}`);
  }
  fs.writeFileSync(
    path.join(shots, 'result.json'),
    JSON.stringify({ passes: passed, failures: failed, tests: steps.length + 1 }),
  );
  console.log(`ui: ${passed} passed, ${failed} failed; screenshots in ${path.relative(root, shots)}/`);
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.error('[ui] FAILED:', e);
  process.exit(1);
});
