import type { ParseArgsConfig } from 'node:util';

/** What a subcommand gets besides its arguments: streams and environment, so tests can capture them. */
export interface CliContext {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export type CliValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CliArgs {
  readonly values: CliValues;
  readonly positionals: string[];
}

/** One `mtls <name>` subcommand. `run` resolves to the process exit code. */
export interface CliCommand {
  readonly name: string;
  /** One line for `mtls --help`. */
  readonly summary: string;
  /** The synopsis, e.g. `mtls selfsigned --out DIR [options]`. */
  readonly usage: string;
  /** Option descriptions for `mtls <name> --help`, already formatted. */
  readonly details: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Positional arguments: names for messages, and how many are required / allowed. */
  readonly positionals?: { readonly names: string; readonly min: number; readonly max: number };
  /** Options that must be present (checked before `run`). */
  readonly required?: readonly string[];
  run(args: CliArgs, ctx: CliContext): Promise<number>;
}

/** Thrown for a bad command line: the CLI prints the message plus the usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Reads a string option, or undefined. */
export function stringOpt(values: CliValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Reads a secret (passphrase, bearer token, user:password) from the environment variable named by the
 * option, --passphrase-env by default: secrets never come from argv, where `ps` and shell history see them.
 */
export function passphraseFromEnv(
  values: CliValues,
  env: NodeJS.ProcessEnv,
  option = 'passphrase-env',
): string | undefined {
  const name = stringOpt(values, option);
  if (name === undefined) return undefined;
  const value = env[name];
  if (value === undefined || value === '')
    throw new UsageError(`--${option} ${name}: that environment variable is not set or empty`);
  return value;
}
