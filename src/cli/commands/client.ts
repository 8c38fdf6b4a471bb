import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../core/errors';
import { generateClientFromCa } from '../../core/pki/index';
import { passphraseFromEnv, stringOpt, type CliCommand, type CliContext } from '../command';
import { generateDetails, generateOptions, leafFromArgs, outDir, writeAndReport } from './selfsigned';

async function readText(ctx: CliContext, file: string, what: string): Promise<string> {
  try {
    return await fs.readFile(path.resolve(ctx.cwd, file), 'utf8');
  } catch (e) {
    throw new InputError(`Cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { cause: e });
  }
}

export const clientCommand: CliCommand = {
  name: 'client',
  summary: 'Generate a client certificate signed by an existing CA',
  usage: 'mtls client --ca-cert F --ca-key F --out DIR --cn NAME [options]',
  details:
    [
      '  --ca-cert FILE          the issuing CA certificate (PEM; extra intermediates after it go into the fullchain)',
      '  --ca-key FILE           its private key (PEM, PKCS#8 or traditional)',
      '  --ca-passphrase-env VAR environment variable holding the CA key passphrase, if it is encrypted',
      '  --name PREFIX           file name prefix instead of "client" (PREFIX-key.pem, PREFIX-crt.pem, PREFIX-fullchain.pem)',
    ].join('\n') +
    '\n' +
    generateDetails('mtls-client', 'none') +
    '\n\nThe certificate has extendedKeyUsage clientAuth only.\n',
  options: {
    ...generateOptions,
    'ca-cert': { type: 'string' },
    'ca-key': { type: 'string' },
    'ca-passphrase-env': { type: 'string' },
    'name': { type: 'string' },
  },
  required: ['ca-cert', 'ca-key', 'out', 'cn'],
  async run({ values }, ctx) {
    const dir = outDir(values, ctx);
    const leaf = leafFromArgs(values, ctx.env);
    const caCertPem = await readText(ctx, stringOpt(values, 'ca-cert') ?? '', 'the CA certificate');
    const caKeyPem = await readText(ctx, stringOpt(values, 'ca-key') ?? '', 'the CA key');
    const set = await generateClientFromCa({
      ...leaf,
      caCertPem,
      caKeyPem,
      caKeyPassphrase: passphraseFromEnv(values, ctx.env, 'ca-passphrase-env'),
      namePrefix: stringOpt(values, 'name'),
    });
    await writeAndReport(set, dir, values, ctx);
    return 0;
  },
};

export { readText };
