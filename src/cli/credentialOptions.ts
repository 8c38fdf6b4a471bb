// The client credentials of the commands that connect (send, probe): the same options, read and checked before
// any connection.
import { checkClientFiles } from '../core/credentials/index';
import type { ClientCredentials } from '../core/http/index';
import { passphraseFromEnv, stringOpt, UsageError, type CliContext, type CliValues } from './command';
import { readInput } from './options';

/** --cert/--key/--pfx/--ca/--passphrase-env/--insecure → credentials, plus the file names for toCurl. */
export async function credentialsFromArgs(
  values: CliValues,
  ctx: CliContext,
  allowNone = false,
): Promise<
  ClientCredentials & { certFile?: string; keyFile?: string; caFile?: string; pfxFile?: string; passphraseEnv?: string }
> {
  const cert = stringOpt(values, 'cert');
  const key = stringOpt(values, 'key');
  const pfx = stringOpt(values, 'pfx');
  const ca = stringOpt(values, 'ca');
  if (pfx !== undefined && (cert !== undefined || key !== undefined))
    throw new UsageError('give --pfx or --cert/--key, not both');
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
  if (!allowNone && cert === undefined && pfx === undefined)
    throw new UsageError('give the client certificate: --cert F --key F, or --pfx F');
  const c: ClientCredentials & {
    certFile?: string;
    keyFile?: string;
    caFile?: string;
    pfxFile?: string;
    passphraseEnv?: string;
  } = {};
  const files: Parameters<typeof checkClientFiles>[0] = {};
  if (cert !== undefined && key !== undefined) {
    const certBytes = await readInput(ctx, cert, 'the client certificate');
    const keyBytes = await readInput(ctx, key, 'the client key');
    files.cert = { name: cert, contents: certBytes };
    files.key = { name: key, contents: keyBytes };
    c.certPem = certBytes.toString('utf8');
    c.keyPem = keyBytes.toString('utf8');
    c.certFile = cert;
    c.keyFile = key;
  }
  if (pfx !== undefined) {
    c.pfx = await readInput(ctx, pfx, 'the PKCS#12 file');
    files.pfx = { name: pfx, contents: c.pfx };
    c.pfxFile = pfx;
  }
  if (ca !== undefined) {
    const caBytes = await readInput(ctx, ca, 'the CA bundle');
    files.ca = { name: ca, contents: caBytes };
    c.caPem = caBytes.toString('utf8');
    c.caFile = ca;
  }
  // Before any connection: an empty or wrong file would otherwise be blamed on the server.
  checkClientFiles(files);
  const pass = passphraseFromEnv(values, ctx.env);
  if (pass !== undefined) {
    c.passphrase = pass;
    c.passphraseEnv = stringOpt(values, 'passphrase-env');
  }
  if (values['insecure'] === true) c.insecure = true;
  return c;
}
