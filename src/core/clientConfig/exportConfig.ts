/**
 * Points other HTTP clients at an mTLS webhook with the user's client certificate and server verification
 * ON: REST Client settings + a .http file, curl and httpie command lines, Node snippets, Postman values.
 * Passphrases are never written: commands read them from an environment variable, or the tool prompts.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as path from 'node:path';
import { isEncryptedKeyPem } from '../crypto/wrongPassphrase';
import { InputError } from '../errors';
import { readInputText } from '../inputFile';
import { checkHttpsUrl, platformHeaders } from '../http/webhookRequest';
import { toCurl } from './equivalentCommands';
import { shellQuote } from '../shellQuote';
import { sampleRequest, type Platform } from '../webhook/index';
import { mergeRestClientSettings, restClientHost, restClientHttpFile, type RestClientCertificate } from './restClient';

export const configTargets = ['rest-client', 'curl', 'httpie', 'node', 'postman'] as const;
export type ConfigTarget = (typeof configTargets)[number];

export function isConfigTarget(s: string): s is ConfigTarget {
  return (configTargets as readonly string[]).includes(s);
}

/** Where REST Client's files go, relative to the workspace folder. */
export const REST_CLIENT_SETTINGS = path.join('.vscode', 'settings.json');
export const REST_CLIENT_HTTP_FILE = 'mtls-webhook.http';
/** The scaffolded server's default address. */
const DEFAULT_WEBHOOK_URL = 'https://localhost:4433/';

export interface ExportConfigOptions {
  target: ConfigTarget;
  /** Absolute paths (or relative to `baseDir`). */
  certFile: string;
  keyFile: string;
  caFile?: string;
  url?: string;
  platform?: Platform;
  /** Paths in commands and settings are written relative to this folder (the workspace or the CLI's cwd). */
  baseDir: string;
  /** Environment variable commands read an encrypted key's passphrase from. Default MTLS_KEY_PASSPHRASE. */
  passphraseEnv?: string;
}

export interface ExportedConfig {
  target: ConfigTarget;
  url: string;
  /** What to print or show: commands, snippet or values, then the notes. */
  text: string;
  notes: string[];
  keyEncrypted: boolean;
  /** rest-client only: the entry, and the files to write (settings merged into `existingSettings`). */
  restClient?: {
    host: string;
    entry: RestClientCertificate;
    settingsPath: string;
    settings: string;
    httpFilePath: string;
    httpFile: string;
  };
}

function readPem(file: string, what: string): Promise<string> {
  return readInputText(file, { what });
}

/** Reads and checks the files: a certificate, its (matching) key, a CA; one-line errors naming the file. */
async function checkFiles(o: ExportConfigOptions): Promise<{ keyEncrypted: boolean; cert: X509Certificate }> {
  const certPem = await readPem(o.certFile, 'the client certificate');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw new InputError(
      `${o.certFile} is not a PEM certificate: give the client certificate (e.g. certs/client-crt.pem).`,
    );
  }
  const keyPem = await readPem(o.keyFile, 'the client key');
  const keyEncrypted = isEncryptedKeyPem(keyPem);
  if (!keyEncrypted) {
    let key;
    try {
      key = createPrivateKey(keyPem);
    } catch {
      throw new InputError(
        `${o.keyFile} is not a PEM private key: give the client certificate's key (e.g. certs/client-key.pem).`,
      );
    }
    if (!cert.checkPrivateKey(key))
      throw new InputError(`${o.keyFile} is not the key of ${o.certFile}: they come from different key pairs.`);
  }
  if (o.caFile !== undefined) {
    try {
      new X509Certificate(await readPem(o.caFile, 'the CA file'));
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(
        `${o.caFile} is not a PEM certificate: give the CA that issued the server's certificate (e.g. certs/ca-root-crt.pem).`,
      );
    }
  }
  return { keyEncrypted, cert };
}

/** Builds the configuration for one client; `existingSettings` is the workspace's settings.json text (rest-client). */
export async function exportClientConfig(o: ExportConfigOptions, existingSettings?: string): Promise<ExportedConfig> {
  const url = o.url ?? DEFAULT_WEBHOOK_URL;
  const u = checkHttpsUrl(url);
  const abs = (f: string): string => path.resolve(o.baseDir, f);
  const full = {
    ...o,
    certFile: abs(o.certFile),
    keyFile: abs(o.keyFile),
    ...(o.caFile !== undefined ? { caFile: abs(o.caFile) } : {}),
  };
  const { keyEncrypted } = await checkFiles(full);
  // Inside baseDir: relative (portable across machines); elsewhere: absolute.
  const rel = (f: string): string => {
    const r = path.relative(o.baseDir, f);
    return r.startsWith('..') || path.isAbsolute(r) ? f : r;
  };
  const cert = rel(full.certFile);
  const key = rel(full.keyFile);
  const ca = full.caFile !== undefined ? rel(full.caFile) : undefined;
  const platform = o.platform ?? 'cx';
  const body = JSON.stringify(sampleRequest(platform));
  const passEnv = o.passphraseEnv ?? 'MTLS_KEY_PASSPHRASE';
  const notes: string[] = [];
  if (keyEncrypted)
    notes.push(
      `The key is encrypted: its passphrase is read from $${passEnv} (export ${passEnv}=… in your shell, or type it when asked); it is never written into a file or command.`,
    );
  if (ca === undefined)
    notes.push(
      'No CA given: the server certificate is checked against the system roots (give --ca with your dev root for a local server).',
    );
  const headers = platformHeaders(platform);
  let text: string;
  let restClient: ExportedConfig['restClient'];
  switch (o.target) {
    case 'curl':
      text = toCurl({
        url,
        body,
        platform,
        certFile: cert,
        keyFile: key,
        ...(ca !== undefined ? { caFile: ca } : {}),
        certPem: '',
        ...(keyEncrypted ? { passphrase: '', passphraseEnv: passEnv } : {}),
      });
      break;
    case 'httpie':
      text = [
        'http',
        '--ignore-stdin',
        `--cert=${shellQuote(cert)}`,
        `--cert-key=${shellQuote(key)}`,
        ...(keyEncrypted ? [`--cert-key-pass="$${passEnv}"`] : []),
        `--verify=${ca !== undefined ? shellQuote(ca) : 'yes'}`,
        `--raw=${shellQuote(body)}`,
        'POST',
        shellQuote(url),
        ...Object.entries(headers).map(([k, v]) => shellQuote(`${k}:${v}`)),
      ].join(' ');
      notes.push('httpie 3.2 or newer (for --raw).');
      break;
    case 'node':
      text = nodeSnippet(url, cert, key, ca, keyEncrypted ? passEnv : undefined, headers, platform);
      break;
    case 'postman':
      text = [
        'Postman → Settings → Certificates:',
        `  CA certificates: ON, PEM file: ${full.caFile ?? '(off: the system roots verify the server)'}`,
        '  Client certificates → Add certificate:',
        `    Host: ${u.hostname}    Port: ${u.port || '443'}`,
        `    CRT file: ${full.certFile}`,
        `    KEY file: ${full.keyFile}`,
        '    PFX file: leave empty (or use one from "mtls p12" instead of CRT + KEY)',
        `    Passphrase: ${keyEncrypted ? "type the key's passphrase there (Postman keeps it; this tool never writes it)" : 'leave empty (the key is not encrypted)'}`,
        'Then a request:',
        `  POST ${url}`,
        ...Object.entries(headers).map(([k, v]) => `  Header ${k}: ${v}`),
        '  Body → raw → JSON:',
        JSON.stringify(sampleRequest(platform), null, 2).replace(/^/gm, '  '),
      ].join('\n');
      notes.push(
        'Postman keeps certificate settings in its own storage, not in files: enter these values once per host.',
      );
      break;
    case 'rest-client': {
      const host = restClientHost(u);
      const entry: RestClientCertificate = { cert, key };
      const settings = mergeRestClientSettings(existingSettings, host, entry);
      const httpFile = restClientHttpFile(
        url,
        platform,
        `"rest-client.certificates" → "${host}" in ${REST_CLIENT_SETTINGS}`,
      );
      restClient = {
        host,
        entry,
        settingsPath: REST_CLIENT_SETTINGS,
        settings,
        httpFilePath: REST_CLIENT_HTTP_FILE,
        httpFile,
      };
      text = `"rest-client.certificates": {\n  ${JSON.stringify(host)}: ${JSON.stringify(entry)}\n}  (in ${REST_CLIENT_SETTINGS})\n${REST_CLIENT_HTTP_FILE}: the ${platform} sample request, ready to send`;
      notes.push(
        'REST Client does not verify server certificates (it connects with rejectUnauthorized: false) and has no CA setting, so --ca cannot be applied there: use curl, httpie or Node to call with verification on.',
      );
      if (keyEncrypted)
        notes.push(
          'REST Client reads a key passphrase only from settings.json, and this tool never writes one there: use an unencrypted development key for REST Client.',
        );
      break;
    }
  }
  return { target: o.target, url, text, notes, keyEncrypted, ...(restClient ? { restClient } : {}) };
}

function nodeSnippet(
  url: string,
  cert: string,
  key: string,
  ca: string | undefined,
  passEnv: string | undefined,
  headers: Record<string, string>,
  platform: Platform,
): string {
  const q = (s: string): string => JSON.stringify(s);
  const tls = [
    `cert: readFileSync(${q(cert)})`,
    `key: readFileSync(${q(key)})`,
    ...(ca !== undefined ? [`ca: readFileSync(${q(ca)})`] : []),
    ...(passEnv ? [`passphrase: process.env.${passEnv}`] : []),
  ];
  return [
    ...(ca !== undefined
      ? [
          `# Trust the dev root for every Node TLS call instead of passing ca (keeps the system roots too):`,
          `export NODE_EXTRA_CA_CERTS=${shellQuote(ca)}`,
          '',
        ]
      : []),
    '// call-webhook.mjs — node:https (no dependencies)',
    "import { readFileSync } from 'node:fs';",
    "import { request } from 'node:https';",
    `const body = JSON.stringify(${JSON.stringify(sampleRequest(platform))});`,
    `const req = request(${q(url)}, {`,
    "  method: 'POST',",
    `  ${tls.join(',\n  ')},`,
    `  headers: ${JSON.stringify(headers)},`,
    '}, (res) => {',
    "  let text = '';",
    "  res.on('data', (c) => (text += c));",
    "  res.on('end', () => console.log(res.statusCode, text));",
    '});',
    "req.on('error', (e) => console.error(e.code, e.message));",
    'req.end(body);',
    '',
    '// or with undici (npm i undici): a dispatcher that presents the certificate',
    "// import { Agent, request } from 'undici';",
    `// const dispatcher = new Agent({ connect: { ${tls.join(', ')} } });`,
    `// const res = await request(${q(url)}, { method: 'POST', dispatcher, headers: ${JSON.stringify(headers)}, body });`,
  ].join('\n');
}
