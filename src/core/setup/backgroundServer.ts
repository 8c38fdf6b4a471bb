import { spawn } from 'node:child_process';
import { awaitServerReady, planLaunch } from '../scaffold';

/** A server.mts running as a child process (the CLI's `mtls init`; VS Code runs it in a terminal instead). */
export interface BackgroundServer {
  readonly url: string;
  readonly pid: number;
  /** What the server printed so far (for the summary when something fails). */
  output(): string;
  /** SIGTERM (graceful shutdown), then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts `file` on `port` and resolves once it prints its ready line; rejects with its error line. */
export async function startBackgroundServer(
  file: string,
  port: number,
  opts: { nodePath?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<BackgroundServer> {
  const plan = await planLaunch(file, { port, nodePath: opts.nodePath, env: opts.env ?? process.env });
  const child = spawn(plan.command, plan.args, { env: plan.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const running = () => child.exitCode === null && child.signalCode === null;
  let url: string;
  try {
    url = await awaitServerReady(child, {
      timeoutMs: opts.timeoutMs ?? 30_000,
      command: plan.command,
      detail: () => `Its output:\n${out}`,
    });
  } catch (e) {
    if (running()) child.kill('SIGTERM');
    throw e;
  }
  return {
    url,
    pid: child.pid ?? 0,
    output: () => out,
    stop: async () => {
      if (running()) child.kill('SIGTERM');
      await exited;
    },
  };
}
