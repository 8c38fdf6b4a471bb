import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { InputError } from '../../core/errors';
import { writeOneFile } from '../../core/files';
// The file, not clientConfig's index: the index would bring the REST Client merge (jsonc-parser) into this chunk.
import { toCurl, toOpensslSClient } from '../../core/clientConfig/equivalentCommands';
import { renderSendResult, sendWebhook, type SendOptions } from '../../core/http/index';
import {
  dialogflowTestIdToken,
  idTokenServerEnv,
  writeJwks,
  type DialogflowTestIdToken,
} from '../../core/idtoken/index';
import { isPlatform, type Platform } from '../../core/webhook/index';
import { sampleRequest } from '../../core/webhook/index';
import { dialogflowLikeClient, reusedDialogflowClient, testChainCacheDir } from '../../core/testIdentities/index';
import { passphraseFromEnv, stringOpt, UsageError, type CliCommand, type CliValues } from '../command';
import { credentialsFromArgs } from '../credentialOptions';
import { intValue, readInput } from '../options';
import { mergeServerLogFile } from '../serverLogFile';

function headersFromArgs(values: CliValues, env: NodeJS.ProcessEnv): Record<string, string> {
  const h: Record<string, string> = {};
  const list = values['header'];
  for (const item of Array.isArray(list) ? list : list === undefined ? [] : [list]) {
    const m = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+):\s*(.*)$/.exec(String(item));
    if (!m) throw new UsageError(`--header "${String(item)}": use Name:value`);
    if (/^authorization$/i.test(m[1]))
      throw new UsageError(
        'put secrets in environment variables: use --bearer-env VAR or --basic-env VAR, not --header Authorization',
      );
    h[m[1].toLowerCase()] = m[2]!;
  }
  const bearer = passphraseFromEnv(values, env, 'bearer-env');
  const basic = passphraseFromEnv(values, env, 'basic-env');
  if (bearer !== undefined && basic !== undefined) throw new UsageError('give --bearer-env or --basic-env, not both');
  if (bearer !== undefined) h['authorization'] = `Bearer ${bearer}`;
  if (basic !== undefined) {
    if (!basic.includes(':')) throw new UsageError('--basic-env: the variable must hold user:password');
    h['authorization'] = `Basic ${Buffer.from(basic).toString('base64')}`;
  }
  return h;
}

export const sendCommand: CliCommand = {
  name: 'send',
  summary: 'Send a sample webhook request with a client certificate',
  usage:
    'mtls send URL [--sample cx|es|kore|FILE] (--cert F --key F | --pfx F | --as-dialogflow | --no-client-cert) [--ca F] [--server-log F] [options]',
  details:
    [
      '  --sample cx|es|kore|FILE  request body: a Dialogflow CX / ES or Kore.ai sample, or any JSON file (default cx)',
      '  --platform cx|es|kore     platform whose headers and WebhookResponse checks apply (default: from the sample)',
      '  --cert FILE               client certificate PEM (leaf first; intermediates after it are sent too)',
      '  --key FILE                its private key',
      '  --pfx FILE                PKCS#12 instead of --cert/--key (also the legacy RC2/3DES files of Java, Windows',
      '                            and openssl -legacy)',
      '  --passphrase-env VAR      environment variable holding the key or PKCS#12 passphrase',
      '  --ca FILE                 CA bundle that verifies the SERVER (default: the system roots)',
      '  --no-client-cert          send without a client certificate (to see how the server refuses it)',
      '  --as-dialogflow           send a throwaway Dialogflow-shaped chain (TEST root → intermediate → CN=Google LLC)',
      '  --root-out FILE           with --as-dialogflow: write the TEST root the server must trust here (never through a',
      '                            symbolic link); the TEST chain is then kept (~/.cache/mtls-workbench, 0600) so later',
      '                            sends present it again',
      '                            --as-dialogflow also attaches a TEST Google ID token (Authorization: Bearer),',
      '                            signed by a throwaway RSA key, unless --bearer-env / --basic-env is given:',
      "  --jwks-out FILE           write that key's JWKS here (point the server's MTLS_GOOGLE_JWKS_URL at it; a",
      '                            running server re-reads it when it changes)',
      "  --id-token-audience AUD   the token's aud (default: the URL)",
      "  --id-token-email EMAIL    the token's email (default service-000000000000@gcp-sa-dialogflow.iam.gserviceaccount.com)",
      '  --force                   let --root-out / --jwks-out replace an existing file',
      '  --header NAME:VALUE       extra header (repeatable); secrets go in --bearer-env / --basic-env',
      '  --bearer-env VAR          Authorization: Bearer $VAR',
      '  --basic-env VAR           Authorization: Basic, from $VAR holding user:password',
      '  --insecure                do NOT verify the server certificate (reported loudly)',
      '  --timeout MS              give up after MS milliseconds (default 30000)',
      "  --webhook-timeout MS      the CX agent's webhook timeout to check against (default 5000, at most 30000)",
      "  --server-log FILE         the scaffolded server's output (mtls serve server.mts | tee FILE): its refusal of",
      '                            this connection is shown next to the failed handshake step',
      '  --print-commands          also print the equivalent curl and openssl s_client commands',
      '  --json                    print the result as JSON',
      '',
      'The files are checked before any connection: --cert must hold a certificate, --key a private key, --ca a',
      'certificate, --pfx be a PKCS#12 file.',
      '',
      'Exit code 0 when the webhook answered 2xx with a valid response, 1 otherwise, 2 for a bad command line.',
    ].join('\n') + '\n',
  options: {
    sample: { type: 'string' },
    platform: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    pfx: { type: 'string' },
    ca: { type: 'string' },
    'passphrase-env': { type: 'string' },
    'as-dialogflow': { type: 'boolean' },
    'root-out': { type: 'string' },
    force: { type: 'boolean' },
    'no-client-cert': { type: 'boolean' },
    'server-log': { type: 'string' },
    'jwks-out': { type: 'string' },
    'id-token-audience': { type: 'string' },
    'id-token-email': { type: 'string' },
    header: { type: 'string', multiple: true },
    'bearer-env': { type: 'string' },
    'basic-env': { type: 'string' },
    insecure: { type: 'boolean' },
    timeout: { type: 'string' },
    'webhook-timeout': { type: 'string' },
    'print-commands': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  positionals: { names: 'URL', min: 1, max: 1 },
  async run({ values, positionals }, ctx) {
    const url = positionals[0];
    const asDialogflow = values['as-dialogflow'] === true;
    if (asDialogflow && (values['cert'] !== undefined || values['key'] !== undefined || values['pfx'] !== undefined)) {
      throw new UsageError('--as-dialogflow brings its own client certificate: drop --cert/--key/--pfx');
    }
    const noCert = values['no-client-cert'] === true;
    if (
      noCert &&
      (asDialogflow || values['cert'] !== undefined || values['key'] !== undefined || values['pfx'] !== undefined)
    ) {
      throw new UsageError('--no-client-cert sends no certificate: drop --cert/--key/--pfx/--as-dialogflow');
    }
    for (const flag of ['root-out', 'jwks-out', 'id-token-audience', 'id-token-email']) {
      if (!asDialogflow && values[flag] !== undefined) throw new UsageError(`--${flag} goes with --as-dialogflow`);
    }
    const creds = await credentialsFromArgs(values, ctx, asDialogflow || noCert);
    const headers = headersFromArgs(values, ctx.env);
    const platformOpt = stringOpt(values, 'platform');
    if (platformOpt !== undefined && !isPlatform(platformOpt))
      throw new UsageError(`--platform ${platformOpt}: use cx, es or kore`);
    const sample = stringOpt(values, 'sample') ?? 'cx';
    let body: string | object;
    let platform: Platform | undefined = platformOpt;
    let bodyFile: string | undefined;
    if (isPlatform(sample)) {
      body = sampleRequest(sample);
      platform ??= sample;
    } else {
      body = (await readInput(ctx, sample, 'the request body')).toString('utf8');
      try {
        JSON.parse(body);
      } catch (e) {
        throw new InputError(`${sample} is not JSON (${(e as Error).message}); platforms send JSON bodies.`);
      }
      bodyFile = sample;
    }
    let dialogflowRoot: string | undefined;
    if (asDialogflow) {
      // With --root-out a server will trust that root, so later sends must present the same chain.
      const df =
        stringOpt(values, 'root-out') !== undefined
          ? await reusedDialogflowClient(testChainCacheDir(ctx.env))
          : await dialogflowLikeClient();
      creds.certPem = df.certPem;
      creds.keyPem = df.keyPem;
      dialogflowRoot = df.rootPem;
      const rootOut = stringOpt(values, 'root-out');
      // The kept chain's root is already there on later runs: nothing to replace, so no --force needed.
      const rootFile = rootOut !== undefined ? path.resolve(ctx.cwd, rootOut) : undefined;
      if (rootFile !== undefined && (await fs.readFile(rootFile, 'utf8').catch(() => undefined)) !== df.rootPem) {
        await writeOneFile(rootFile, df.rootPem, { overwrite: values['force'] === true, within: ctx.cwd });
      }
    }
    // Dialogflow CX's default service agent auth sends a Google ID token; an explicit Authorization wins.
    let idToken: DialogflowTestIdToken | undefined;
    const jwksOut = stringOpt(values, 'jwks-out');
    if (asDialogflow && headers['authorization'] === undefined) {
      idToken = await dialogflowTestIdToken({
        audience: stringOpt(values, 'id-token-audience') ?? url,
        email: stringOpt(values, 'id-token-email'),
      });
      headers['authorization'] = idToken.authorization;
      if (jwksOut !== undefined)
        await writeJwks(path.resolve(ctx.cwd, jwksOut), idToken.jwks, values['force'] === true);
    } else if (jwksOut !== undefined) {
      throw new UsageError(
        '--jwks-out: no ID token is attached when --bearer-env or --basic-env sets the Authorization header',
      );
    }
    const idTokenInfo = idToken
      ? {
          audience: idToken.audience,
          email: idToken.email,
          kid: idToken.kid,
          expiresAt: idToken.expiresAt,
          jwks: idToken.jwks,
        }
      : undefined;
    const o: SendOptions = {
      ...creds,
      url,
      body,
      headers,
      timeoutMs: intValue(values, 'timeout'),
      platformTimeoutMs: intValue(values, 'webhook-timeout'),
      ...(platform ? { platform } : {}),
    };
    const r = await sendWebhook(o);
    const serverLog = stringOpt(values, 'server-log');
    if (serverLog !== undefined) await mergeServerLogFile(ctx, serverLog, [r]);
    const commands =
      values['print-commands'] === true
        ? { curl: toCurl({ ...o, ...creds, bodyFile }), openssl: toOpensslSClient({ ...o, ...creds }) }
        : undefined;
    if (values['json'] === true) {
      ctx.out(
        JSON.stringify(
          {
            ...r,
            ...(dialogflowRoot ? { dialogflowTestRoot: dialogflowRoot } : {}),
            ...(idTokenInfo ? { dialogflowTestIdToken: idTokenInfo } : {}),
            ...(commands ? { commands } : {}),
          },
          null,
          2,
        ),
      );
    } else {
      let text = renderSendResult(r);
      if (dialogflowRoot) {
        const where = stringOpt(values, 'root-out');
        text += `\nSent a Dialogflow-shaped TEST chain (CN=Google LLC + intermediate). The server must trust this TEST root${where ? ` (written to ${where})` : ''}:\n${dialogflowRoot}`;
      }
      if (idToken) {
        text += `\nAttached a TEST Google ID token (aud ${idToken.audience}, email ${idToken.email}, kid ${idToken.kid}, expires ${idToken.expiresAt}), signed by a throwaway key.\n`;
        text +=
          jwksOut !== undefined
            ? `Its JWKS is in ${jwksOut}. A server.mts accepts it with:\n  ${idTokenServerEnv(idToken, jwksOut)}\n`
            : 'Write its JWKS with --jwks-out FILE to have a server accept it.\n';
      }
      if (commands)
        text += `\nEquivalent commands (secrets as $ENV references):\n${commands.curl}\n${commands.openssl}\n`;
      ctx.out(text.trimEnd());
    }
    return r.ok && !r.checks.some((c) => c.severity === 'error') ? 0 : 1;
  },
};
