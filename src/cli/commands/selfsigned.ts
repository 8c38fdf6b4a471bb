import * as path from 'node:path';
import { writeFileSet } from '../../core/files';
import { DEFAULT_KDF_ITERATIONS, DEFAULT_LEAF_DAYS, generateSelfSigned, kdfIterations, keyTypes, parseKeyType, parseSans, type GeneratedSet, type LeafOptions } from '../../core/pki/index';
import { passphraseFromEnv, stringOpt, UsageError, type CliCommand, type CliContext, type CliValues } from '../command';

// The options and output shared by the generate subcommands (selfsigned, chain, client) live here, next
// to the simplest of them, so the three stay consistent.

/** parseArgs options every generate subcommand accepts. */
export const generateOptions = {
  'out': { type: 'string' },
  'key': { type: 'string' },
  'cn': { type: 'string' },
  'san': { type: 'string' },
  'days': { type: 'string' },
  'org': { type: 'string' },
  'encrypt-key': { type: 'boolean' },
  'passphrase-env': { type: 'string' },
  'kdf-iterations': { type: 'string' },
  'force': { type: 'boolean' },
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

/** A positive whole number option, or undefined. */
export function intOpt(values: CliValues, name: string): number | undefined {
  const v = stringOpt(values, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} ${v}: expected a positive whole number of days`);
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
  if (!encrypt && stringOpt(values, 'passphrase-env') !== undefined) throw new UsageError('--passphrase-env is given without --encrypt-key: add --encrypt-key to encrypt the private keys');
  if (!encrypt) return undefined;
  const pass = passphraseFromEnv(values, env);
  if (pass === undefined) throw new UsageError('--encrypt-key needs --passphrase-env VAR (the passphrase is never taken from the command line)');
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
export async function writeAndReport(set: GeneratedSet, dir: string, values: CliValues, ctx: CliContext): Promise<void> {
  const { written, replaced } = await writeFileSet(dir, set.files, { overwrite: values['force'] === true, within: ctx.cwd });
  const width = Math.max(...set.files.map((f) => f.name.length));
  const lines = [`Wrote ${written.length} files to ${dir}${replaced.length ? ` (replacing ${replaced.length} existing file${replaced.length === 1 ? '' : 's'} as one set)` : ''}:`];
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

export const selfsignedCommand: CliCommand = {
  name: 'selfsigned',
  summary: 'Generate a self-signed server certificate and key',
  usage: 'mtls selfsigned --out DIR [options]',
  details: generateDetails('localhost', 'localhost,127.0.0.1,::1 plus the CN') + '\n\nWrites server-key.pem and server-crt.pem (CA:false, serverAuth).\n',
  options: generateOptions,
  required: ['out'],
  async run({ values }, ctx) {
    const dir = outDir(values, ctx);
    const set = await generateSelfSigned(leafFromArgs(values, ctx.env));
    await writeAndReport(set, dir, values, ctx);
    return 0;
  },
};
