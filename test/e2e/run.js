#!/usr/bin/env node
// @ts-check
// Runs the mocha suite in out/test/e2e/suite INSIDE a real VS Code extension host.
//  - With a desktop VS Code (VSCODE_EXECUTABLE=/path/to/code, or a build cached in .vscode-test/), through
//    @vscode/test-electron, as contributors with VS Code installed expect.
//  - Otherwise, offline: code-server's real VS Code server + web workbench, the tests loaded through the
//    workbench's ?payload= URL (extensionDevelopmentPath / extensionTestsPath), and the exit code taken from
//    window.codeAutomationExit — the mechanism VS Code's own browser integration tests use.
// Exit code = the suite's (124 on timeout). Writes test-results/e2e/result.json.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const util = require('node:util');
const { loadEnv, selectedTarget, startServer, openBrowser, freshWorkspace } = require('../harness/codeServer');

const root = path.resolve(__dirname, '../..');
// MTLS_VSCODE=min|current picks the VS Code build (test/harness/codeServer.js); results per build.
const target = selectedTarget();
const results = path.join(
  root,
  'test-results',
  process.env.MTLS_E2E_RESULTS_NAME || (target.name === 'min' ? 'e2e' : `e2e-${target.name}`),
);
// MTLS_E2E_TESTS / MTLS_E2E_FIXTURE let benchmarks reuse this runner with another suite and workspace.
const testsPath = path.resolve(root, process.env.MTLS_E2E_TESTS || path.join('out', 'test', 'e2e', 'suite'));
const timeoutS = Number(process.env.MTLS_E2E_TIMEOUT || 900);
const t0 = Date.now();
const log = (...a) => console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

async function viaTestElectron(workspace, env) {
  const { runTests } = require('@vscode/test-electron');
  const code = await runTests({
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE,
    extensionDevelopmentPath: root,
    extensionTestsPath: testsPath,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: env,
  }).catch(() => 1);
  return code;
}

async function viaCodeServer(workspace, env) {
  const e2e = loadEnv(root, target);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mtls-e2e-'));
  const srv = await startServer(e2e, work, env);
  log(`VS Code server (code-server) up on ${srv.authority}; log ${path.join(work, 'code-server.log')}`);
  const remote = (p) => `vscode-remote://${srv.authority}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(root)],
    ['extensionTestsPath', remote(testsPath)],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  const url = `http://${srv.authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const { ctx, page } = await openBrowser(e2e, work, log);
  /** @type {(code: number | string) => void} */
  let done = () => {};
  const exit = new Promise((r) => (done = r));
  await page.exposeFunction('codeAutomationLog', (_type, args) => console.log(util.format(...args)));
  await page.exposeFunction('codeAutomationExit', (code) => done(code));
  // 'commit': the run reports through codeAutomationExit; waiting for 'load' of a large workbench on a busy
  // machine only adds a second, shorter timeout.
  await page.goto(url, { waitUntil: 'commit', timeout: timeoutS * 1000 });
  const timer = setTimeout(() => done('timeout'), timeoutS * 1000);
  const code = await exit;
  clearTimeout(timer);
  if (code !== 0) await page.screenshot({ path: path.join(results, 'failure.png') }).catch(() => {});
  await ctx.close().catch(() => {});
  srv.kill();
  return code === 'timeout' ? 124 : Number(code);
}

(async () => {
  fs.rmSync(results, { recursive: true, force: true });
  fs.mkdirSync(results, { recursive: true });
  const workspace = freshWorkspace(
    path.resolve(root, process.env.MTLS_E2E_FIXTURE || path.join('test', 'fixtures', 'workspace')),
    path.join(os.tmpdir(), `mtls-e2e-ws-${process.pid}`),
  );
  // Env for the extension host: where the suite writes its result; where the workspace is.
  const env = { MTLS_E2E_RESULT: path.join(results, 'result.json'), MTLS_E2E_WORKSPACE: workspace };
  const useElectron = !!process.env.VSCODE_EXECUTABLE || fs.existsSync(path.join(root, '.vscode-test'));
  log(
    useElectron
      ? 'desktop VS Code via @vscode/test-electron'
      : `offline route: code-server ${target.codeServer} (VS Code ${target.vscode}) + chromium`,
  );
  const code = useElectron ? await viaTestElectron(workspace, env) : await viaCodeServer(workspace, env);
  log(`extension-host tests finished: exit code ${code}`);
  process.exit(code);
})().catch((e) => {
  console.error('[e2e] FAILED:', e);
  process.exit(1);
});
