import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { MtlsError } from '../errors';

/** How the server.mts gets its types removed: Node itself, Node behind a flag, or our amaro loader (Node 20). */
export type LaunchStrategy = 'native' | 'strip-types' | 'amaro-loader';

/** Options for {@link planLaunch}. */
export interface LaunchOptions {
  /** The node binary. Default: `node` found on PATH, else this process's runtime (see `useCurrentRuntime`). */
  readonly nodePath?: string;
  /** That binary's version (e.g. '20.20.2' or 'v22.6.0'); probed with `--version` when absent. */
  readonly nodeVersion?: string;
  /** Base environment (default process.env); MTLS_* overrides for the server go here. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Port for the server (sets MTLS_PORT). */
  readonly port?: number;
  /**
   * Run on the runtime executing this code (process.execPath). Inside VS Code that is Electron, run as
   * plain Node with ELECTRON_RUN_AS_NODE=1: the fallback when no `node` is installed.
   */
  readonly useCurrentRuntime?: boolean;
  /** dist/ts-loader.mjs (needed on Node < 22.6). Default: next to this bundle, or the nearest dist/. */
  readonly loaderPath?: string;
}

/** A ready-to-spawn command: `spawn(command, args, { env })`, or a VS Code terminal's shellPath/shellArgs/env. */
export interface LaunchPlan {
  readonly command: string;
  readonly args: string[];
  readonly env: Record<string, string>;
  readonly strategy: LaunchStrategy;
  /** One sentence for the user: which runtime and why. */
  readonly note: string;
}

/** Parses 'v22.6.0' / '22.6.0' into [major, minor, patch]. */
function parseNodeVersion(v: string): [number, number, number] {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
  if (!m) throw new MtlsError('E_NODE_VERSION', `cannot read the Node version from '${v}'`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function atLeast(v: [number, number, number], major: number, minor: number): boolean {
  return v[0] > major || (v[0] === major && v[1] >= minor);
}

/** Which strategy a Node version needs: types stripped by default since 23.6 and 22.18; flag from 22.6. */
export function strategyFor(version: string): LaunchStrategy {
  const v = parseNodeVersion(version);
  if (atLeast(v, 23, 6) || (v[0] === 22 && v[1] >= 18)) return 'native';
  if (atLeast(v, 22, 6)) return 'strip-types';
  // server.mts takes its built-ins from process.getBuiltinModule (20.16+, 22.3+); module.register() is older.
  if ((v[0] === 20 && v[1] >= 16) || (v[0] === 22 && v[1] >= 3)) return 'amaro-loader';
  throw new MtlsError(
    'E_NODE_VERSION',
    `Node ${version} is too old to run server.mts: install Node 20.16 or later (22 or 24 recommended)`,
  );
}

/** `node` on PATH (node.exe on Windows), or undefined. */
export function findNodeOnPath(envPath = process.env['PATH'] ?? ''): string | undefined {
  const names = process.platform === 'win32' ? ['node.exe'] : ['node'];
  for (const dir of envPath.split(path.delimiter)) {
    if (dir === '') continue;
    for (const n of names) {
      const p = path.join(dir, n);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        if (fs.statSync(p).isFile()) return p;
      } catch {
        /* not here */
      }
    }
  }
  return undefined;
}

/** Where dist/ts-loader.mjs is: beside the running bundle (dist/cli.js, dist/extension.js) or a parent's dist/. */
function defaultLoaderPath(from = __dirname): string | undefined {
  let dir = from;
  for (;;) {
    for (const candidate of [path.join(dir, 'ts-loader.mjs'), path.join(dir, 'dist', 'ts-loader.mjs')]) {
      if (fs.existsSync(candidate)) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function cleanEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Plans how to run a scaffolded server.mts on the Node at hand, without starting anything. Another Node's version is
 * asked with `node --version` in a child process, waited for without blocking (VS Code's extension host goes on).
 */
export async function planLaunch(serverTsPath: string, opts: LaunchOptions = {}): Promise<LaunchPlan> {
  const script = path.resolve(serverTsPath);
  const env = cleanEnv(opts.env ?? process.env);
  if (opts.port !== undefined) env['MTLS_PORT'] = String(opts.port);
  let command = opts.nodePath;
  let runtimeNote: string;
  let electron = false;
  let version = opts.nodeVersion;
  if (command === undefined && !opts.useCurrentRuntime) command = findNodeOnPath(env['PATH']);
  if (command === undefined) {
    command = process.execPath;
    version = process.versions.node;
    electron = process.versions['electron'] !== undefined;
    const why = opts.useCurrentRuntime ? '' : ', no node on PATH';
    if (electron || opts.useCurrentRuntime) {
      // VS Code's own runtime: Electron behaves as plain Node with this variable. Also set on a plain-Node
      // extension host (remote, code-server), where it is ignored, so the choice shows in the server's env.
      env['ELECTRON_RUN_AS_NODE'] = '1';
      runtimeNote = `VS Code's built-in Node ${version} (${command}, ELECTRON_RUN_AS_NODE=1${why})`;
    } else {
      runtimeNote = `Node ${version} (${command}${why})`;
    }
  } else {
    if (version === undefined) {
      version = command === process.execPath ? process.versions.node : await nodeVersionOf(command);
    }
    runtimeNote = `Node ${version.replace(/^v/, '')} (${command})`;
  }
  // Electron's Node may be built without Node's embedded stripper: always use our loader there.
  const strategy = electron ? 'amaro-loader' : strategyFor(version);
  if (strategy === 'native') {
    return {
      command,
      args: [script],
      env,
      strategy,
      note: `${runtimeNote}, strategy native: Node strips the TypeScript types itself.`,
    };
  }
  if (strategy === 'strip-types') {
    return {
      command,
      // 22.6 lacks default module detection; the warnings flag keeps the log to our own lines.
      args: [
        '--experimental-strip-types',
        '--experimental-detect-module',
        '--disable-warning=ExperimentalWarning',
        script,
      ],
      env,
      strategy,
      note: `${runtimeNote}, strategy strip-types: Node strips the TypeScript types with --experimental-strip-types.`,
    };
  }
  const loader = opts.loaderPath ?? defaultLoaderPath();
  if (loader === undefined || !fs.existsSync(loader)) {
    throw new MtlsError(
      'E_NO_LOADER',
      `ts-loader.mjs not found${loader ? ` at ${loader}` : ''}: rebuild (npm run build), or install Node 22.6 or later`,
    );
  }
  // Register from a data: URL so the main thread does not parse the 3.5 MB loader (only the hooks thread).
  const registerCode = `import{register}from'node:module';register(${JSON.stringify(pathToFileURL(loader).href)});`;
  return {
    command,
    args: [`--import=data:text/javascript,${encodeURIComponent(registerCode)}`, script],
    env,
    strategy,
    note: `${runtimeNote}, strategy amaro-loader: this Node has no type stripping, amaro (Node's own stripper) strips the types through ${path.basename(loader)}.`,
  };
}

/** `node --version` of another binary (e.g. 'v22.6.0'), run as a child process without blocking this thread. */
export function nodeVersionOf(nodePath: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      nodePath,
      ['--version'],
      { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, windowsHide: true },
      (err, stdout) => {
        if (err)
          reject(
            new MtlsError(
              'E_NODE',
              `cannot run ${nodePath} --version: ${err.message}. Set mtls.server.nodePath (or --node) to a Node.js 20.16+ executable.`,
              { cause: err },
            ),
          );
        else resolve(stdout.trim());
      },
    );
  });
}
