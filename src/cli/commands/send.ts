import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { InputError } from '../../core/errors';
import { dialogflowLikeClient, renderSendResult, sendWebhook, toCurl, toOpensslSClient, type ClientCredentials, type SendOptions } from '../../core/http/index';
import { isPlatform, type Platform } from '../../core/webhook/index';
import { sampleRequest } from '../../core/webhook/index';
import { passphraseFromEnv, stringOpt, UsageError, type CliCommand, type CliContext, type CliValues } from '../command';

/** Reads a file relative to the CLI's cwd; InputError naming the file when it cannot. */
export async function readInput(ctx: CliContext, file: string, what: string): Promise<Buffer> {
  try {
    return await fs.readFile(path.resolve(ctx.cwd, file));
  } catch (e) {
    throw new InputError(`Cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { cause: e });
  }
}

/** --cert/--key/--pfx/--ca/--passphrase-env/--insecure → credentials, plus the file names for toCurl. */
export async function credentialsFromArgs(values: CliValues, ctx: CliContext, allowNone = false): Promise<ClientCredentials & { certFile?: string; keyFile?: string; caFile?: string; pfxFile?: string; passphraseEnv?: string }> {
  const cert = stringOpt(values, 'cert');
  const key = stringOpt(values, 'key');
  const pfx = stringOpt(values, 'pfx');
  const ca = stringOpt(values, 'ca');
  if (pfx !== undefined && (cert !== undefined || key !== undefined)) throw new UsageError('give --pfx or --cert/--key, not both');
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
  if (!allowNone && cert === undefined && pfx === undefined) throw new UsageError('give the client certificate: --cert F --key F, or --pfx F');
  const c: ClientCredentials & { certFile?: string; keyFile?: string; caFile?: string; pfxFile?: string; passphraseEnv?: string } = {};
  if (cert !== undefined && key !== undefined) {
    c.certPem = (await readInput(ctx, cert, 'the client certificate')).toString('utf8');
    c.keyPem = (await readInput(ctx, key, 'the client key')).toString('utf8');
    c.certFile = cert;
    c.keyFile = key;
  }
  if (pfx !== undefined) {
    c.pfx = await readInput(ctx, pfx, 'the PKCS#12 file');
    c.pfxFile = pfx;
  }
  if (ca !== undefined) {
    c.caPem = (await readInput(ctx, ca, 'the CA bundle')).toString('utf8');
    c.caFile = ca;
  }
  const pass = passphraseFromEnv(values, ctx.env);
  if (pass !== undefined) {
    c.passphrase = pass;
    c.passphraseEnv = stringOpt(values, 'passphrase-env');
  }
  if (values['insecure'] === true) c.insecure = true;
  return c;
}

function headersFromArgs(values: CliValues, env: NodeJS.ProcessEnv): Record<string, string> {
  const h: Record<string, string> = {};
  const list = values['header'];
  for (const item of Array.isArray(list) ? list : list === undefined ? [] : [list]) {
    const m = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+):\s*(.*)$/.exec(String(item));
    if (!m) throw new UsageError(`--header "${String(item)}": use Name:value`);
    if (/^authorization$/i.test(m[1]!)) throw new UsageError('put secrets in environment variables: use --bearer-env VAR or --basic-env VAR, not --header Authorization');
    h[m[1]!.toLowerCase()] = m[2]!;
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

function intValue(values: CliValues, name: string): number | undefined {
  const v = stringOpt(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 600_000) throw new UsageError(`--${name} must be a number of milliseconds (1–600000)`);
  return n;
}

export const sendCommand: CliCommand = {
  name: 'send',
  summary: 'Send a sample webhook request with a client certificate',
  usage: 'mtls send URL [--sample cx|es|kore|FILE] (--cert F --key F | --pfx F | --as-dialogflow) [--ca F] [options]',
  details: [
    '  --sample cx|es|kore|FILE  request body: a Dialogflow CX / ES or Kore.ai sample, or any JSON file (default cx)',
    '  --platform cx|es|kore     platform whose headers and WebhookResponse checks apply (default: from the sample)',
    '  --cert FILE               client certificate PEM (leaf first; intermediates after it are sent too)',
    '  --key FILE                its private key',
    '  --pfx FILE                PKCS#12 instead of --cert/--key',
    '  --passphrase-env VAR      environment variable holding the key or PKCS#12 passphrase',
    '  --ca FILE                 CA bundle that verifies the SERVER (default: the system roots)',
    '  --as-dialogflow           send a throwaway Dialogflow-shaped chain (TEST root → intermediate → CN=Google LLC)',
    '  --root-out FILE           with --as-dialogflow: write the TEST root the server must trust here',
    '  --header NAME:VALUE       extra header (repeatable); secrets go in --bearer-env / --basic-env',
    '  --bearer-env VAR          Authorization: Bearer $VAR',
    '  --basic-env VAR           Authorization: Basic, from $VAR holding user:password',
    '  --insecure                do NOT verify the server certificate (reported loudly)',
    '  --timeout MS              give up after MS milliseconds (default 30000)',
    '  --webhook-timeout MS      the CX agent\'s webhook timeout to check against (default 5000, at most 30000)',
    '  --print-commands          also print the equivalent curl and openssl s_client commands',
    '  --json                    print the result as JSON',
    '',
    'Exit code 0 when the webhook answered 2xx with a valid response, 1 otherwise, 2 for a bad command line.',
  ].join('\n') + '\n',
  options: {
    'sample': { type: 'string' },
    'platform': { type: 'string' },
    'cert': { type: 'string' },
    'key': { type: 'string' },
    'pfx': { type: 'string' },
    'ca': { type: 'string' },
    'passphrase-env': { type: 'string' },
    'as-dialogflow': { type: 'boolean' },
    'root-out': { type: 'string' },
    'header': { type: 'string', multiple: true },
    'bearer-env': { type: 'string' },
    'basic-env': { type: 'string' },
    'insecure': { type: 'boolean' },
    'timeout': { type: 'string' },
    'webhook-timeout': { type: 'string' },
    'print-commands': { type: 'boolean' },
    'json': { type: 'boolean' },
  },
  positionals: { names: 'URL', min: 1, max: 1 },
  async run({ values, positionals }, ctx) {
    const url = positionals[0]!;
    const asDialogflow = values['as-dialogflow'] === true;
    if (asDialogflow && (values['cert'] !== undefined || values['key'] !== undefined || values['pfx'] !== undefined)) {
      throw new UsageError('--as-dialogflow brings its own client certificate: drop --cert/--key/--pfx');
    }
    const creds = await credentialsFromArgs(values, ctx, asDialogflow);
    const platformOpt = stringOpt(values, 'platform');
    if (platformOpt !== undefined && !isPlatform(platformOpt)) throw new UsageError(`--platform ${platformOpt}: use cx, es or kore`);
    const sample = stringOpt(values, 'sample') ?? 'cx';
    let body: string | object;
    let platform: Platform | undefined = platformOpt as Platform | undefined;
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
      const df = await dialogflowLikeClient();
      creds.certPem = df.certPem;
      creds.keyPem = df.keyPem;
      dialogflowRoot = df.rootPem;
      const rootOut = stringOpt(values, 'root-out');
      if (rootOut !== undefined) await fs.writeFile(path.resolve(ctx.cwd, rootOut), df.rootPem, { mode: 0o644 });
    }
    const o: SendOptions = {
      ...creds, url, body, headers: headersFromArgs(values, ctx.env), timeoutMs: intValue(values, 'timeout'), platformTimeoutMs: intValue(values, 'webhook-timeout'),
      ...(platform ? { platform } : {}),
    };
    const r = await sendWebhook(o);
    const commands = values['print-commands'] === true ? { curl: toCurl({ ...o, ...creds, bodyFile }), openssl: toOpensslSClient({ ...o, ...creds }) } : undefined;
    if (values['json'] === true) {
      ctx.out(JSON.stringify({ ...r, ...(dialogflowRoot ? { dialogflowTestRoot: dialogflowRoot } : {}), ...(commands ? { commands } : {}) }, null, 2));
    } else {
      let text = renderSendResult(r);
      if (dialogflowRoot) {
        const where = stringOpt(values, 'root-out');
        text += `\nSent a Dialogflow-shaped TEST chain (CN=Google LLC + intermediate). The server must trust this TEST root${where ? ` (written to ${where})` : ''}:\n${dialogflowRoot}`;
      }
      if (commands) text += `\nEquivalent commands (secrets as $ENV references):\n${commands.curl}\n${commands.openssl}\n`;
      ctx.out(text.trimEnd());
    }
    return r.ok && !r.checks.some((c) => c.severity === 'error') ? 0 : 1;
  },
};
