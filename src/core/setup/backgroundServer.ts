import { spawn } from 'node:child_process';
import { planLaunch, serverErrorLine, serverReadyLine } from '../scaffold';
import { MtlsError } from '../errors';

/** A server.ts running as a child process (the CLI's `mtls init`; VS Code runs it in a terminal instead). */
export interface BackgroundServer {
  readonly url: string;
  readonly pid: number;
  /** What the server printed so far (for the summary when something fails). */
  output(): string;
  /** SIGTERM (graceful shutdown), then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts `file` on `port` and resolves once it prints its ready line; rejects with its error line. */
export function startBackgroundServer(file: string, port: number, opts: { nodePath?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<BackgroundServer> {
  const plan = planLaunch(file, { port, nodePath: opts.nodePath, env: opts.env ?? process.env });
  const child = spawn(plan.command, plan.args, { env: plan.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new MtlsError('E_SERVER_TIMEOUT', `the server did not start within ${(opts.timeoutMs ?? 30_000) / 1000} s:\n${out}`));
    }, opts.timeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const err = serverErrorLine.exec(out);
      if (err) {
        clearTimeout(timer);
        child.kill('SIGTERM');
        reject(new MtlsError(`E_SERVER_${err[1]}`, err[2]));
        return;
      }
      const ready = serverReadyLine.exec(out);
      if (ready && child.pid) {
        clearTimeout(timer);
        resolve({
          url: ready[1],
          pid: child.pid,
          output: () => out,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new MtlsError('E_SERVER_EXIT', `the server exited (${signal ?? `code ${code}`}) before listening:\n${out}`));
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new MtlsError('E_SERVER_SPAWN', `could not run ${plan.command}: ${e.message}`, { cause: e }));
    });
  });
}
