// Real proxies (nginx, HAProxy, Caddy) in the foreground, configured by the files `mtls edge` generates, in
// front of a scaffolded server.mts in edge mode on 127.0.0.2. All state in a temporary folder; the test only
// chooses ports and paths, through the generator's options. curl plays the client.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { writeFileSet } from '../../../src/core/files';
import { projectEdge } from '../../../src/core/edge/projectEdge';
import type { EdgeBundle, EdgeTarget } from '../../../src/core/edge/index';
import { edgeAddress, edgeSecret, startEdgeOrigin, type EdgeFormat, type EdgeOrigin } from './edge';
import { makePki, tempDir, type Pki } from './scaffold';

/** Whether `cmd` is on PATH. */
export function installed(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** A free TCP port on 127.0.0.1 (closed again: the proxy binds it next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts connections on 127.0.0.1:port (rejects after `ms`). */
export async function waitForPort(port: number, proc: ChildProcess, output: () => string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`the proxy exited with ${proc.exitCode}:\n${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms:\n${output()}`);
}

/** The proxy kind's command line to run its generated configuration in the foreground. */
function proxyCommand(kind: EdgeTarget, dir: string, state: string): [string, string[]] {
  if (kind === 'nginx')
    return ['nginx', ['-p', `${dir}/`, '-e', path.join(state, 'nginx-error.log'), '-c', 'nginx.conf']];
  if (kind === 'haproxy') return ['haproxy', ['-db', '-f', path.join(dir, 'haproxy.cfg')]];
  return ['caddy', ['run', '--config', path.join(dir, 'Caddyfile'), '--adapter', 'caddyfile']];
}

/** A running edge in front of a running origin. */
export interface EdgeRig {
  readonly pki: Pki;
  readonly origin: EdgeOrigin;
  readonly bundle: EdgeBundle;
  /** The folder the generated files were written to. */
  readonly dir: string;
  readonly url: string;
  readonly proc: ChildProcess;
  proxyOutput(): string;
  stop(): Promise<void>;
}

/**
 * Starts the origin (edge mode `format`, trusting 127.0.0.3 when `trustSource`, and the edge secret), generates the
 * `kind` configuration for its project exactly as `mtls edge` does, writes it and starts the proxy on it.
 */
export async function startRig(
  kind: EdgeTarget,
  format: EdgeFormat,
  opts: { trustSource: boolean; originListen?: 'http' | 'https' },
): Promise<EdgeRig> {
  const root = tempDir(`edge-proxy-${kind}`);
  const pki = makePki(path.join(root, 'certs'));
  const origin = await startEdgeOrigin({
    edge: format,
    pki,
    dir: path.join(root, 'project'),
    trusted: opts.trustSource ? edgeAddress : '',
    ...(opts.originListen ? { listen: opts.originListen } : {}),
  });
  const port = await freePort();
  const state = path.join(root, 'state');
  mkdirSync(path.join(state, 'tmp'), { recursive: true });
  const dir = path.join(root, 'edge');
  // The project's settings as the origin runs with them: its certificate, key and CA bundle come from MTLS_*.
  const env = {
    PATH: process.env['PATH'] ?? '',
    MTLS_KEY: pki.serverKey,
    MTLS_CERT: pki.serverCrt,
    MTLS_CA: pki.caBundle,
    MTLS_EDGE_SECRET: edgeSecret,
  };
  const { bundle } = await projectEdge({
    kind,
    dir: origin.dir,
    out: dir,
    env,
    secret: true,
    origin: origin.url,
    overrides: {
      listen: `127.0.0.1:${port}`,
      stateDir: state,
      edgeSource: opts.trustSource ? edgeAddress : '',
      ...(process.getuid?.() === 0 ? { user: 'root' } : {}),
    },
  });
  await writeFileSet(dir, bundle.files);
  const [cmd, args] = proxyCommand(kind, dir, state);
  // The edge reads the secret from its environment where it can (HAProxy, Caddy), as origin.env says.
  const proc = spawn(cmd, args, {
    cwd: dir,
    env: { ...env, HOME: root, XDG_DATA_HOME: state, XDG_CONFIG_HOME: state },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const proxyOutput = (): string => out + (kind === 'nginx' ? safeRead(path.join(state, 'nginx-error.log')) : '');
  const stop = async (): Promise<void> => {
    const exited = new Promise((r) => proc.once('exit', r));
    if (proc.exitCode === null) proc.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (proc.exitCode === null) proc.kill('SIGKILL');
    origin.server.proc.kill();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, proc, proxyOutput);
  } catch (e) {
    await stop();
    throw e;
  }
  return { pki, origin, bundle, dir, url: `https://127.0.0.1:${port}`, proc, proxyOutput, stop };
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** What curl saw: its exit code, the HTTP status (0 when none), the body and its error text. */
export interface CurlResult {
  readonly code: number;
  readonly status: number;
  readonly body: string;
  readonly stderr: string;
}

/** One request through the edge with curl; `cert`/`key` the client's files (none: no certificate). */
export function curl(
  url: string,
  opts: { cert?: string; key?: string; ca: string; headers?: string[]; path?: string; from?: string },
): Promise<CurlResult> {
  // By name, as real clients call (SNI and Host agree: Caddy refuses a Host that differs from the SNI with 421).
  const u = new URL(url);
  const args = [
    '-sS',
    '--max-time',
    '10',
    '--cacert',
    opts.ca,
    '--resolve',
    `localhost:${u.port}:${u.hostname}`,
    '-o',
    '-',
    '-w',
    '\n%{http_code}',
  ];
  if (opts.cert) args.push('--cert', opts.cert, '--key', opts.key ?? '');
  if (opts.from) args.push('--interface', opts.from);
  for (const h of opts.headers ?? []) args.push('-H', h);
  args.push(`https://localhost:${u.port}${opts.path ?? '/caller'}`);
  return new Promise((resolve) => {
    execFile('curl', args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      const i = stdout.lastIndexOf('\n');
      const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
      resolve({ code, status: Number(stdout.slice(i + 1)) || 0, body: stdout.slice(0, i), stderr });
    });
  });
}

/** The certificate's DER as an RFC 9440 byte sequence, and its PEM URL-escaped (as nginx writes it). */
export function forgedValues(pemFile: string): { rfc9440: string; escaped: string } {
  const pem = readFileSync(pemFile, 'utf8');
  return { rfc9440: `:${new X509Certificate(pem).raw.toString('base64')}:`, escaped: encodeURIComponent(pem) };
}
