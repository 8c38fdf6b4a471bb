// The options several subcommands share, parsed and checked in one place so they stay consistent: the files
// a command is given, the issuing CA of the commands that sign with an existing CA (client, kore-client,
// cx-client), the options and output of the generate subcommands (selfsigned, chain, client) and numbers. The
// client credentials of the commands that connect are in credentialOptions.ts (they load the HTTP client's checks).
import * as path from 'node:path';
import { writeFileSet } from '../core/files';
import { readInputFile, readInputText } from '../core/inputFile';
import {
  DEFAULT_KDF_ITERATIONS,
  DEFAULT_LEAF_DAYS,
  kdfIterations,
  keyTypes,
  parseKeyType,
  parseSans,
  type GeneratedSet,
  type LeafOptions,
} from '../core/pki/index';
import { passphraseFromEnv, stringOpt, UsageError, type CliContext, type CliValues } from './command';

/**
 * A text file named on the command line (relative to the working directory), without a byte order mark; a
 * clear error when it cannot be read, is not a regular file or is too large.
 */
export async function readText(ctx: CliContext, file: string, what: string): Promise<string> {
  return readInputText(path.resolve(ctx.cwd, file), { what, shown: file });
}

/** Reads a file relative to the CLI's cwd; InputError naming the file when it cannot, is not a file or is too large. */
export async function readInput(ctx: CliContext, file: string, what: string): Promise<Buffer> {
  return readInputFile(path.resolve(ctx.cwd, file), { what, shown: file });
}

/** parseArgs options for the issuing CA. */
export const caOptions = {
  'ca-cert': { type: 'string' },
  'ca-key': { type: 'string' },
  'ca-passphrase-env': { type: 'string' },
} as const;

/** Help lines for caOptions; `certNote` says what may follow the CA certificate in its file and what becomes of it. */
export function caDetails(certNote: string): string {
  return [
    `  --ca-cert FILE          the issuing CA certificate (PEM; ${certNote})`,
    '  --ca-key FILE           its private key (PEM, PKCS#8 or traditional)',
    '  --ca-passphrase-env VAR environment variable holding the CA key passphrase, if it is encrypted',
  ].join('\n');
}

/** The issuing CA's certificate and key text and the key's passphrase (from the environment, never argv). */
export async function readCa(
  values: CliValues,
  ctx: CliContext,
): Promise<{ caCertPem: string; caKeyPem: string; caKeyPassphrase?: string }> {
  return {
    caCertPem: await readText(ctx, stringOpt(values, 'ca-cert') ?? '', 'the CA certificate'),
    caKeyPem: await readText(ctx, stringOpt(values, 'ca-key') ?? '', 'the CA key'),
    caKeyPassphrase: passphraseFromEnv(values, ctx.env, 'ca-passphrase-env'),
  };
}

/** parseArgs options every generate subcommand accepts. */
export const generateOptions = {
  out: { type: 'string' },
  key: { type: 'string' },
  cn: { type: 'string' },
  san: { type: 'string' },
  days: { type: 'string' },
  org: { type: 'string' },
  'encrypt-key': { type: 'boolean' },
  'passphrase-env': { type: 'string' },
  'kdf-iterations': { type: 'string' },
  force: { type: 'boolean' },
} as const;

/** Help lines for generateOptions; `sanDefault` and `cnDefault` differ between server and client. */
export function generateDetails(cnDefault: string | undefined, sanDefault: string): string {
  return [
    '  --out DIR               folder to write into (created if missing)',
    `  --key TYPE              ${keyTypes.map((k) => k.id).join('|')} (default rsa2048)`,
    `  --cn NAME               subject common name (${cnDefault === undefined ? 'required' : `default ${cnDefault}`})`,
    `  --san LIST              DNS:x,IP:y,email:z,URI:u (default ${sanDefault})`,
    `  --days N                leaf validity in days (default ${DEFAULT_LEAF_DAYS}, the CA/Browser Forum maximum)`,
    '  --org NAME              subject organisation',
    '  --encrypt-key           encrypt private keys (PKCS#8, AES-256-CBC); needs --passphrase-env',
    '  --passphrase-env VAR    environment variable holding that passphrase (never a plain argument)',
    `  --kdf-iterations N      PBKDF2 iterations for encrypted keys (default ${DEFAULT_KDF_ITERATIONS.toLocaleString('en')})`,
    '  --force                 overwrite existing files',
  ].join('\n');
}

/** A positive whole number of days (--days, --ca-days), or undefined; milliseconds are intValue's. */
export function intOpt(values: CliValues, name: string): number | undefined {
  const v = stringOpt(values, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw new UsageError(`--${name} ${v}: expected a positive whole number of days`);
  return Number(v);
}

/** --kdf-iterations N, checked, or undefined for the default. */
export function kdfIterationsOpt(values: CliValues): number | undefined {
  const v = stringOpt(values, 'kdf-iterations');
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--kdf-iterations ${v}: expected a whole number`);
  return kdfIterations(Number(v));
}

/** The key passphrase when --encrypt-key is set (from --passphrase-env), else undefined. */
export function keyPassphrase(values: CliValues, env: NodeJS.ProcessEnv): string | undefined {
  const encrypt = values['encrypt-key'] === true;
  if (!encrypt && stringOpt(values, 'passphrase-env') !== undefined)
    throw new UsageError(
      '--passphrase-env is given without --encrypt-key: add --encrypt-key to encrypt the private keys',
    );
  if (!encrypt) return undefined;
  const pass = passphraseFromEnv(values, env);
  if (pass === undefined)
    throw new UsageError(
      '--encrypt-key needs --passphrase-env VAR (the passphrase is never taken from the command line)',
    );
  return pass;
}

/** LeafOptions from the common flags (`sanOpt`/`cnOpt` let chain read --client-san/--client-cn). */
export function leafFromArgs(values: CliValues, env: NodeJS.ProcessEnv, cnOpt = 'cn', sanOpt = 'san'): LeafOptions {
  const key = stringOpt(values, 'key');
  const san = stringOpt(values, sanOpt);
  return {
    keyType: key === undefined ? undefined : parseKeyType(key),
    cn: stringOpt(values, cnOpt),
    org: stringOpt(values, 'org'),
    sans: san === undefined ? undefined : parseSans(san),
    days: intOpt(values, 'days'),
    keyPassphrase: keyPassphrase(values, env),
    kdfIterations: kdfIterationsOpt(values),
  };
}

/** The output folder, resolved against the caller's working directory. */
export function outDir(values: CliValues, ctx: CliContext): string {
  const out = stringOpt(values, 'out');
  if (out === undefined) throw new UsageError('missing option --out');
  return path.resolve(ctx.cwd, out);
}

/** Writes a generated set (refusing to overwrite unless --force) and prints where it went and when it expires. */
export async function writeAndReport(
  set: GeneratedSet,
  dir: string,
  values: CliValues,
  ctx: CliContext,
): Promise<void> {
  const { written, replaced } = await writeFileSet(dir, set.files, {
    overwrite: values['force'] === true,
    within: ctx.cwd,
  });
  const width = Math.max(...set.files.map((f) => f.name.length));
  const lines = [
    `Wrote ${written.length} files to ${dir}${replaced.length ? ` (replacing ${replaced.length} existing file${replaced.length === 1 ? '' : 's'} as one set)` : ''}:`,
  ];
  for (const f of set.files) {
    const cert = set.certificates.find((c) => c.file === f.name);
    const what = cert
      ? `${cert.role.padEnd(12)} ${cert.subject}, expires ${cert.notAfter.toISOString().slice(0, 10)}`
      : f.secret
        ? 'private key (mode 0600)'
        : 'certificate bundle';
    lines.push(`  ${f.name.padEnd(width)}  ${what}`);
  }
  lines.push('', 'Keep the private keys out of version control: add "*-key.pem" to your .gitignore.');
  ctx.out(lines.join('\n'));
}

/** A --timeout style option: whole milliseconds, 1–600000. */
export function intValue(values: CliValues, name: string): number | undefined {
  const v = stringOpt(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 600_000)
    throw new UsageError(`--${name} must be a number of milliseconds (1–600000)`);
  return n;
}
