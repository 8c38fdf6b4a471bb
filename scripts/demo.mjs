// `npm run demo`: opens VS Code with mTLS Workbench loaded on a demo workspace.
//  - desktop VS Code when `code` is on PATH: `code --extensionDevelopmentPath=. <demo workspace>`;
//  - otherwise the embedded VS Code server (code-server, installed offline by scripts/setup-e2e.sh) on
//    127.0.0.1, with the freshly packaged VSIX installed; prints the URL to open and runs until Ctrl+C.
// `--check`: start, verify the workbench answers, stop (used by the UI test layer).
// Env: MTLS_DEMO_PORT (default 8080), MTLS_DEMO_WORKSPACE (default .demo-workspace/ in this folder),
// MTLS_DEMO_VSIX (a VSIX already packed, e.g. by the UI tests; default: pack one now).
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdirSync, existsSync, writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import os from 'node:os';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const check = process.argv.includes('--check');
const workspace = path.resolve(process.env.MTLS_DEMO_WORKSPACE ?? path.join(root, '.demo-workspace'));
mkdirSync(workspace, { recursive: true });
if (!existsSync(path.join(workspace, 'README.md'))) {
  writeFileSync(
    path.join(workspace, 'README.md'),
    '# mTLS Workbench demo workspace\n\nOpen the mTLS Workbench view (shield icon in the activity bar) and generate a CA chain,\n' +
      'or run "mTLS: Set Up Webhook Project…" from the command palette (F1).\n',
  );
}

const hasCode = !check && !process.env.CI && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
const packed = process.env.MTLS_DEMO_VSIX;
if (!packed || hasCode) execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
if (hasCode) {
  console.log(`Opening desktop VS Code with the extension from ${root} on ${workspace}`);
  spawn('code', [`--extensionDevelopmentPath=${root}`, workspace], { stdio: 'inherit', detached: true }).unref();
  process.exit(0);
}

const { loadEnv, installVsix, startServer } = require(path.join(root, 'test/harness/codeServer.js'));
const e2e = loadEnv(root);
// VS Code's state: beside a workspace the caller chose for a check (the UI tests give each run its own), else
// in /tmp.
const chosen = check && process.env.MTLS_DEMO_WORKSPACE;
const work = chosen ? `${workspace}-vscode` : path.join(os.tmpdir(), 'mtls-demo-vscode');
const vsix = packed ?? path.join(work, 'mtls-workbench-demo.vsix');
mkdirSync(work, { recursive: true });
if (!packed) {
  execFileSync(process.execPath, [path.join(root, 'scripts/package.mjs'), vsix], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
installVsix(e2e, work, vsix);
const port = Number(process.env.MTLS_DEMO_PORT ?? (check ? 0 : 8080));
const srv = await startServer(e2e, work, {}, port || undefined);
const url = `http://${srv.authority}/?folder=${encodeURIComponent(workspace)}`;
if (check) {
  const res = await fetch(url);
  const body = await res.text();
  srv.kill();
  const ok = res.ok && body.includes('workbench');
  console.log(ok ? `demo OK: the workbench answered at ${url}` : `demo FAILED: ${res.status}`);
  process.exit(ok ? 0 : 1);
}
console.log(`\nmTLS Workbench is running in VS Code (browser): ${url}\nWorkspace: ${workspace}\nPress Ctrl+C to stop.`);
process.on('SIGINT', () => {
  srv.kill();
  process.exit(0);
});
await new Promise(() => {});
