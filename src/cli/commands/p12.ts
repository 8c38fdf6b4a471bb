import * as path from 'node:path';
import { writeFileSet } from '../../core/files';
import { buildPkcs12, DEFAULT_KDF_ITERATIONS } from '../../core/pki/index';
import { passphraseFromEnv, stringOpt, UsageError, type CliCommand } from '../command';
import { kdfIterationsOpt, readText } from '../options';
import { shownArg } from '../shownPath';
import { shellQuote } from '../../core/shellQuote';

export const p12Command: CliCommand = {
  name: 'p12',
  summary: 'Export a certificate and key as PKCS#12 (.p12)',
  usage: 'mtls p12 --cert F --key F [--chain F] --out F.p12 --passphrase-env VAR',
  details:
    [
      '  --cert FILE              the certificate (PEM; the first one is the leaf, any others join the chain)',
      '  --key FILE               its private key (PEM)',
      '  --key-passphrase-env VAR environment variable holding the key passphrase, if the key is encrypted',
      '  --chain FILE             intermediate certificates to include after the leaf (e.g. the intermediate CA)',
      '  --out FILE.p12           the PKCS#12 file to write (mode 0600)',
      '  --passphrase-env VAR     environment variable holding the .p12 passphrase (never a plain argument)',
      '  --name NAME              friendly name shown by key stores (default: the certificate CN)',
      `  --kdf-iterations N       PBKDF2 and MAC iterations (default ${DEFAULT_KDF_ITERATIONS.toLocaleString('en')})`,
      '  --force                  overwrite an existing file',
      '',
      'The file uses OpenSSL 3 algorithms (PBES2 AES-256-CBC, HMAC-SHA256 MAC) with 100,000 rather than 2,048',
      "iterations: it opens with `openssl pkcs12` without -legacy and in Node's tls `pfx` option.",
    ].join('\n') + '\n',
  options: {
    cert: { type: 'string' },
    key: { type: 'string' },
    'key-passphrase-env': { type: 'string' },
    chain: { type: 'string' },
    out: { type: 'string' },
    'passphrase-env': { type: 'string' },
    name: { type: 'string' },
    'kdf-iterations': { type: 'string' },
    force: { type: 'boolean' },
  },
  required: ['cert', 'key', 'out', 'passphrase-env'],
  async run({ values }, ctx) {
    const passphrase = passphraseFromEnv(values, ctx.env);
    if (passphrase === undefined) throw new UsageError('missing option --passphrase-env');
    const chainFile = stringOpt(values, 'chain');
    const p12 = await buildPkcs12({
      certPem: await readText(ctx, stringOpt(values, 'cert') ?? '', 'the certificate'),
      keyPem: await readText(ctx, stringOpt(values, 'key') ?? '', 'the key'),
      keyPassphrase: passphraseFromEnv(values, ctx.env, 'key-passphrase-env'),
      chainPem: chainFile === undefined ? undefined : await readText(ctx, chainFile, 'the chain'),
      passphrase,
      friendlyName: stringOpt(values, 'name'),
      iterations: kdfIterationsOpt(values),
    });
    const out = path.resolve(ctx.cwd, stringOpt(values, 'out') ?? '');
    await writeFileSet(path.dirname(out), [{ name: path.basename(out), contents: p12, secret: true }], {
      overwrite: values['force'] === true,
      within: ctx.cwd,
    });
    ctx.out(
      `Wrote ${out} (PKCS#12, mode 0600; passphrase from $${stringOpt(values, 'passphrase-env')}).\nCheck it: openssl pkcs12 -info -nokeys -in ${shownArg(ctx.cwd, out)} -passin ${shellQuote(`env:${stringOpt(values, 'passphrase-env') ?? ''}`)}`,
    );
    return 0;
  },
};
