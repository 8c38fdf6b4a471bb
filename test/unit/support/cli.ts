import type { CliContext } from '../../../src/cli/command';

/** A CLI context for main() that keeps what a command prints, to read back as stdout and stderr. */
export function capture(cwd: string, env: NodeJS.ProcessEnv = {}): CliContext & { stdout(): string; stderr(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env,
    cwd,
    stdout: () => out.join('\n'),
    stderr: () => err.join('\n'),
  };
}
