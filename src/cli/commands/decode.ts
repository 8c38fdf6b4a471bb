import { resolve } from 'node:path';
import { passphraseFromEnv, stringOpt, UsageError, type CliCommand } from '../command';
import { decodeBytesAsync, renderText } from '../../core/x509/index';
import { readInputFile } from '../../core/inputFile';
import { terminalValues } from '../../core/terminalText';

/** `mtls decode FILE`: any certificate/key/CSR/PKCS#7/PKCS#12 file as readable text or JSON. */
export const decodeCommand: CliCommand = {
  name: 'decode',
  summary: 'Decode certificates, keys, CSRs, PKCS#7 and PKCS#12 files',
  usage: 'mtls decode FILE [--json] [--passphrase-env VAR] [--now ISO] [--expiry-days N]',
  details: [
    '  --json               print the decoded file as JSON (never includes key material)',
    '  --passphrase-env VAR read the PKCS#12 / encrypted key passphrase from environment variable VAR',
    '  --now ISO            judge validity at this time instead of now (e.g. 2030-01-01T00:00:00Z)',
    '  --expiry-days N      warn about certificates expiring within N days (default 30)',
    '',
  ].join('\n'),
  options: {
    json: { type: 'boolean' },
    'passphrase-env': { type: 'string' },
    now: { type: 'string' },
    'expiry-days': { type: 'string' },
  },
  positionals: { names: 'FILE', min: 1, max: 1 },
  async run({ values, positionals }, ctx) {
    const file = positionals[0];
    const passphrase = passphraseFromEnv(values, ctx.env);
    const nowText = stringOpt(values, 'now');
    const now = nowText === undefined ? new Date() : new Date(nowText);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now ${nowText}: not an ISO date/time`);
    const daysText = stringOpt(values, 'expiry-days');
    const expiryWarningDays = daysText === undefined ? 30 : Number(daysText);
    if (!Number.isInteger(expiryWarningDays) || expiryWarningDays < 0)
      throw new UsageError(`--expiry-days ${daysText}: expected a whole number of days`);
    const bytes = await readInputFile(resolve(ctx.cwd, file), { shown: file });
    const decoded = await decodeBytesAsync(bytes, { fileName: file, passphrase, now, expiryWarningDays });
    if (values.json) ctx.out(JSON.stringify(decoded, null, 2));
    // Every decoded string is one line of the report: a SAN or URI holding a newline must not forge another.
    else ctx.out(renderText(terminalValues(decoded)));
    if (decoded.needsPassphrase)
      ctx.err(
        `mtls decode: ${file} is a passphrase-protected PKCS#12 file: pass --passphrase-env VAR with the passphrase in environment variable VAR`,
      );
    return decoded.items.length > 0 ? 0 : 1;
  },
};
