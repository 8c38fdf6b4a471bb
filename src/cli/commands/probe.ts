import { probeEndpoint, renderProbeResult } from '../../core/http/index';
import { isPlatform } from '../../core/webhook/index';
import { passphraseFromEnv, stringOpt, UsageError, type CliCommand } from '../command';
import { credentialsFromArgs, readInput } from './send';
import { mergeServerLogFile } from '../serverLogFile';

export const probeCommand: CliCommand = {
  name: 'probe',
  summary: 'Check that an endpoint really enforces mTLS',
  usage: 'mtls probe URL --cert F --key F [--ca F] [--json]',
  details: [
    '  --cert FILE               your (valid) client certificate PEM',
    '  --key FILE                its private key',
    '  --pfx FILE                PKCS#12 instead of --cert/--key',
    '  --passphrase-env VAR      environment variable holding the key or PKCS#12 passphrase',
    '  --ca FILE                 CA bundle that verifies the SERVER (default: the system roots)',
    '  --issuer-cert FILE        the CA that issued your client certificate, and',
    '  --issuer-key FILE         its key: the expired and serverAuth-only rows are then signed by it, so they',
    '                            test expiry and purpose alone (else a throwaway CA signs them)',
    '  --issuer-passphrase-env VAR  passphrase of the issuer key',
    '  --platform cx|es|kore     which sample body to send (default cx)',
    '  --server-log FILE         the scaffolded server\'s output (mtls serve server.ts | tee FILE): each refused',
    '                            row shows the server\'s reason next to its failed handshake step',
    '  --insecure                do NOT verify the server certificate (reported loudly)',
    '  --json                    print the result as JSON',
    '',
    'Rows: no client certificate, self-signed, unknown CA, expired, no clientAuth, yours. Exit code 0 when every',
    'bad row is refused at the handshake and yours is accepted; 1 otherwise (NOT enforcing, app-only, inconclusive).',
  ].join('\n') + '\n',
  options: {
    'cert': { type: 'string' },
    'key': { type: 'string' },
    'pfx': { type: 'string' },
    'ca': { type: 'string' },
    'passphrase-env': { type: 'string' },
    'issuer-cert': { type: 'string' },
    'issuer-key': { type: 'string' },
    'issuer-passphrase-env': { type: 'string' },
    'platform': { type: 'string' },
    'insecure': { type: 'boolean' },
    'server-log': { type: 'string' },
    'json': { type: 'boolean' },
  },
  positionals: { names: 'URL', min: 1, max: 1 },
  async run({ values, positionals }, ctx) {
    const creds = await credentialsFromArgs(values, ctx);
    const platform = stringOpt(values, 'platform');
    if (platform !== undefined && !isPlatform(platform)) throw new UsageError(`--platform ${platform}: use cx, es or kore`);
    const ic = stringOpt(values, 'issuer-cert');
    const ik = stringOpt(values, 'issuer-key');
    if ((ic === undefined) !== (ik === undefined)) throw new UsageError('--issuer-cert and --issuer-key go together');
    const issuer = ic !== undefined && ik !== undefined
      ? { certPem: (await readInput(ctx, ic, 'the issuer certificate')).toString('utf8'), keyPem: (await readInput(ctx, ik, 'the issuer key')).toString('utf8'), passphrase: passphraseFromEnv(values, ctx.env, 'issuer-passphrase-env') }
      : undefined;
    const r = await probeEndpoint(positionals[0]!, creds, { ...(issuer ? { issuer } : {}), ...(platform ? { platform } : {}) });
    const serverLog = stringOpt(values, 'server-log');
    if (serverLog !== undefined) await mergeServerLogFile(ctx, serverLog, r.rows);
    ctx.out(values['json'] === true ? JSON.stringify(r, null, 2) : renderProbeResult(r).trimEnd());
    return r.verdict === 'enforced' ? 0 : 1;
  },
};
