import * as path from 'node:path';
import { PROBE_TIMEOUT_MS, probeEndpoint, renderProbeResult, type ProbeOptions } from '../../core/http/index';
import { createTestIdTokenIssuer, writeJwks } from '../../core/idtoken/index';
import { isPlatform } from '../../core/webhook/index';
import { passphraseFromEnv, stringOpt, UsageError, type CliCommand } from '../command';
import { credentialsFromArgs } from '../credentialOptions';
import { intValue, readInput } from '../options';
import { mergeServerLogFile } from '../serverLogFile';

export const probeCommand: CliCommand = {
  name: 'probe',
  summary: 'Check that an endpoint really enforces mTLS',
  usage: 'mtls probe URL (--cert F --key F | --pfx F) [--ca F] [--timeout MS] [--id-token [--jwks-out F]] [--json]',
  details:
    [
      '  --cert FILE               your (valid) client certificate PEM',
      '  --key FILE                its private key',
      '  --pfx FILE                PKCS#12 instead of --cert/--key (also the legacy RC2/3DES files of Java, Windows',
      '                            and openssl -legacy)',
      '  --passphrase-env VAR      environment variable holding the key or PKCS#12 passphrase',
      '  --ca FILE                 CA bundle that verifies the SERVER (default: the system roots)',
      '  --issuer-cert FILE        the CA that issued your client certificate, and',
      '  --issuer-key FILE         its key: the expired and serverAuth-only rows are then signed by it, so they',
      '                            test expiry and purpose alone (else a throwaway CA signs them)',
      '  --issuer-passphrase-env VAR  passphrase of the issuer key',
      '  --platform cx|es|kore     which sample body to send (default cx)',
      "  --server-log FILE         the scaffolded server's output (mtls serve server.mts | tee FILE): each refused",
      "                            row shows the server's reason next to its failed handshake step",
      '  --id-token                the server verifies Google ID tokens (MTLS_AUTH=google-id-token): add rows with',
      '                            your certificate and no / expired / wrong-audience / unknown-key / alg-none tokens,',
      '                            each of which must get 401',
      "  --jwks-out FILE           write the probe's test key as a JWKS where the server reads MTLS_GOOGLE_JWKS_URL:",
      '                            expiry and audience are then tested alone, and your row expects 200',
      '  --id-token-audience AUD   the audience the server expects (default: the URL)',
      '  --id-token-email EMAIL    the caller email the server expects (default: the test service agent)',
      '  --force                   let --jwks-out replace a file that is not a JWKS',
      '  --insecure                do NOT verify the server certificate (reported loudly)',
      `  --timeout MS              each row gives up after MS milliseconds (default ${PROBE_TIMEOUT_MS}); a server that`,
      '                            does not answer the handshake in that time is reported as silent and the other',
      '                            rows are not run',
      '  --json                    print the result as JSON',
      '',
      'The files are checked before any connection: --cert must hold a certificate, --key a private key, --ca a',
      'certificate, --pfx be a PKCS#12 file.',
      '',
      'Rows: no client certificate, self-signed, unknown CA, expired, no clientAuth, yours. Exit code 0 when every',
      'bad row is refused at the handshake (and every bad token with 401) and yours is accepted; 1 otherwise.',
    ].join('\n') + '\n',
  options: {
    cert: { type: 'string' },
    key: { type: 'string' },
    pfx: { type: 'string' },
    ca: { type: 'string' },
    'passphrase-env': { type: 'string' },
    'issuer-cert': { type: 'string' },
    'issuer-key': { type: 'string' },
    'issuer-passphrase-env': { type: 'string' },
    platform: { type: 'string' },
    'id-token': { type: 'boolean' },
    'jwks-out': { type: 'string' },
    'id-token-audience': { type: 'string' },
    'id-token-email': { type: 'string' },
    force: { type: 'boolean' },
    insecure: { type: 'boolean' },
    timeout: { type: 'string' },
    'server-log': { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { names: 'URL', min: 1, max: 1 },
  async run({ values, positionals }, ctx) {
    const creds = await credentialsFromArgs(values, ctx);
    const timeoutMs = intValue(values, 'timeout');
    const platform = stringOpt(values, 'platform');
    if (platform !== undefined && !isPlatform(platform))
      throw new UsageError(`--platform ${platform}: use cx, es or kore`);
    const ic = stringOpt(values, 'issuer-cert');
    const ik = stringOpt(values, 'issuer-key');
    if ((ic === undefined) !== (ik === undefined)) throw new UsageError('--issuer-cert and --issuer-key go together');
    const issuer =
      ic !== undefined && ik !== undefined
        ? {
            certPem: (await readInput(ctx, ic, 'the issuer certificate')).toString('utf8'),
            keyPem: (await readInput(ctx, ik, 'the issuer key')).toString('utf8'),
            passphrase: passphraseFromEnv(values, ctx.env, 'issuer-passphrase-env'),
          }
        : undefined;
    const url = positionals[0];
    const withToken = values['id-token'] === true;
    for (const flag of ['jwks-out', 'id-token-audience', 'id-token-email']) {
      if (!withToken && values[flag] !== undefined) throw new UsageError(`--${flag} goes with --id-token`);
    }
    let idToken: ProbeOptions['idToken'];
    if (withToken) {
      const jwksOut = stringOpt(values, 'jwks-out');
      const email = stringOpt(values, 'id-token-email');
      const tokenIssuer = jwksOut !== undefined ? await createTestIdTokenIssuer() : undefined;
      if (tokenIssuer && jwksOut !== undefined)
        await writeJwks(path.resolve(ctx.cwd, jwksOut), tokenIssuer.jwks, values['force'] === true);
      idToken = {
        audience: stringOpt(values, 'id-token-audience') ?? url,
        ...(email !== undefined ? { email } : {}),
        ...(tokenIssuer ? { issuer: tokenIssuer } : {}),
      };
    }
    const r = await probeEndpoint(url, creds, {
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(issuer ? { issuer } : {}),
      ...(platform ? { platform } : {}),
      ...(idToken ? { idToken } : {}),
    });
    const serverLog = stringOpt(values, 'server-log');
    if (serverLog !== undefined) await mergeServerLogFile(ctx, serverLog, r.rows);
    ctx.out(values['json'] === true ? JSON.stringify(r, null, 2) : renderProbeResult(r).trimEnd());
    return r.verdict === 'enforced' ? 0 : 1;
  },
};
