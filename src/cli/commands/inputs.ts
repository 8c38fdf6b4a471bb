// Reading what a command is given: a file the user named, and the issuing CA of the commands that sign with an
// existing CA (client, kore-client, cx-client), which take it with the same three options.
import * as path from 'node:path';
import { readInputText } from '../../core/inputFile';
import { passphraseFromEnv, stringOpt, type CliContext, type CliValues } from '../command';

/**
 * A text file named on the command line (relative to the working directory), without a byte order mark; a
 * clear error when it cannot be read, is not a regular file or is too large.
 */
export async function readText(ctx: CliContext, file: string, what: string): Promise<string> {
  return readInputText(path.resolve(ctx.cwd, file), { what, shown: file });
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
export async function readCa(values: CliValues, ctx: CliContext): Promise<{ caCertPem: string; caKeyPem: string; caKeyPassphrase?: string }> {
  return {
    caCertPem: await readText(ctx, stringOpt(values, 'ca-cert') ?? '', 'the CA certificate'),
    caKeyPem: await readText(ctx, stringOpt(values, 'ca-key') ?? '', 'the CA key'),
    caKeyPassphrase: passphraseFromEnv(values, ctx.env, 'ca-passphrase-env'),
  };
}
