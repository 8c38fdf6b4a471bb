// Runs the user's server file with one of the machinery's query flags (--print-config, --print-authorization),
// the way it is started (planLaunch), and returns what it printed.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { MtlsError } from '../errors';
import { nodeVersionOf, planLaunch, type LaunchOptions } from './launch';
import { serverErrorLine } from './serverLines';
import { ServerStartError } from './serverStartup';

/** The runtime to run the file on, and how long it may take. */
export interface RunServerFlagOptions {
  /** The node binary (default: the runtime running this code, as plain Node). */
  readonly nodePath?: string;
  /** That binary's version, when known (saves asking it). */
  readonly nodeVersion?: string;
  /** dist/ts-loader.mjs, for a Node without type stripping. */
  readonly loaderPath?: string;
  /** Deadline for the whole run, ms (default 20 s: a cold start through the loader takes a second or two). */
  readonly timeoutMs?: number;
}

const defaultTimeoutMs = 20_000;
const maxOutput = 4 * 1024 * 1024;

/** Lines of Node's own error report that say nothing about the user's error. */
const noise = [
  /^\s+at /,
  /^Node\.js v\d/,
  /^\s*[{}^]\s*$/,
  /^node:internal\//,
  /^\s*triggerUncaughtException\(/,
  /^\(Use `node --trace/,
];

/** The last lines of what the server printed, for a message: without stack frames, which would hide the error. */
function lastLines(text: string, lines = 8): string {
  const kept = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !noise.some((n) => n.test(l)));
  return kept.slice(-lines).join('\n');
}

/**
 * Runs `file flag` through planLaunch with `env` and resolves to its stdout, once it exits or once `complete`
 * says the answer is in (the child is stopped then: the user's own timers may keep it alive). Rejects with
 * ServerStartError when it prints its `mtls-server error [CODE]: …` line, and with MtlsError E_SERVER_CONFIG
 * when it cannot be run, exits with an error (its last lines of output quoted) or misses the deadline.
 */
export async function runServerFlag(
  file: string,
  flag: '--print-config' | '--print-authorization',
  env: Readonly<Record<string, string | undefined>>,
  opts: RunServerFlagOptions = {},
  complete?: (stdout: string) => boolean,
): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
  const started = Date.now();
  let nodeVersion = opts.nodeVersion;
  if (opts.nodePath !== undefined && opts.nodePath !== process.execPath && nodeVersion === undefined)
    nodeVersion = await nodeVersionOf(opts.nodePath, timeoutMs);
  const launch: LaunchOptions = {
    env,
    // Default: this code's runtime (VS Code's Electron runs as Node), so no PATH lookup or version probe.
    ...(opts.nodePath !== undefined ? { nodePath: opts.nodePath } : { useCurrentRuntime: true }),
    ...(nodeVersion !== undefined ? { nodeVersion } : {}),
    ...(opts.loaderPath !== undefined ? { loaderPath: opts.loaderPath } : {}),
  };
  const plan = await planLaunch(file, launch);
  const what = flag === '--print-config' ? 'configuration' : 'authorization';
  return new Promise<string>((resolve, reject) => {
    // The server's folder as working folder, as when the user runs it there.
    const child = spawn(plan.command, [...plan.args, flag], {
      env: plan.env,
      cwd: path.dirname(file),
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // SIGKILL: a file that ignores the flag is a listening server, which may wait for its connections on SIGTERM.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fn();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new MtlsError(
              'E_SERVER_CONFIG_TIMEOUT',
              `${file} ${flag} did not print its ${what} within ${timeoutMs / 1000} s: a file that does not hand its CONFIG to startWebhookServer from ./mtls-server/ starts listening instead, and top-level code that waits delays it.${stderr.trim() ? `\nIts output:\n${lastLines(stderr)}` : ''}`,
            ),
          ),
        ),
      Math.max(1, timeoutMs - (Date.now() - started)),
    );
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < maxOutput) stdout += chunk;
      if (complete?.(stdout)) settle(() => resolve(stdout));
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < maxOutput) stderr += chunk;
    });
    child.once('error', (e) =>
      settle(() =>
        reject(
          new MtlsError('E_SERVER_CONFIG', `cannot run ${plan.command} to read ${file}: ${e.message}. ${plan.note}`, {
            cause: e,
          }),
        ),
      ),
    );
    child.once('close', (code, signal) => {
      if (code === 0) return settle(() => resolve(stdout));
      const serverLine = serverErrorLine.exec(`${stderr}\n${stdout}`);
      if (serverLine)
        return settle(() =>
          reject(new ServerStartError(serverLine[1] ?? 'UNKNOWN', `${path.basename(file)}: ${serverLine[0]}`)),
        );
      // --print-authorization's stdout is the secret itself: an error quotes only what went to stderr.
      const output = lastLines(stderr.trim() !== '' ? stderr : flag === '--print-authorization' ? '' : stdout);
      settle(() =>
        reject(
          new MtlsError(
            'E_SERVER_CONFIG',
            `${file} ${flag} failed (${signal ? `signal ${signal}` : `exit code ${String(code)}`}) before printing its ${what}${output ? `:\n${output}` : ''}`,
          ),
        ),
      );
    });
  });
}
