// The effective configuration of the user's server, as the server itself computes it: the file is run with
// --print-config (its own code, its CONFIG with whatever expressions it holds, the MTLS_* overrides, the
// machinery's defaults) and its one JSON line is read. The source is never parsed.
import * as path from 'node:path';
import { MtlsError } from '../errors';
import { readServerFile } from './serverFile';
import { refuseLegacyServer } from './serverLocation';
import { runServerFlag, type RunServerFlagOptions } from './runServerFlag';

/** The files and address a scaffolded server will use, resolved the way the server resolves them. */
export interface ServerConfig {
  /** The user's server file (absolute). */
  readonly serverFile: string;
  readonly keyPath: string;
  readonly certPath: string;
  readonly caPath: string;
  readonly host: string;
  readonly port: number;
  /** From MTLS_KEY_PASSPHRASE only; never read from or written to a file. */
  readonly passphrase?: string;
  /** Pinned client identities (CN, 'O=…' or 'sha256:…'); empty = any client the CA bundle verifies. */
  readonly allowedClients: readonly string[];
  /** The Authorization check (MTLS_AUTH over CONFIG); the secret itself is never returned. */
  readonly authMode: AuthMode;
  /** Whether a Basic/Bearer mode carries a non-empty secret (the server refuses to start without one). */
  readonly authHasSecret: boolean;
  readonly webhookPaths: readonly string[];
  readonly bodyLimitBytes: number;
  readonly requestTimeoutMs: number;
  /** How long a connection may take to finish the TLS handshake (MTLS_HANDSHAKE_TIMEOUT_MS). */
  readonly handshakeTimeoutMs: number;
  /** Most connections open at once (MTLS_MAX_CONNECTIONS). */
  readonly maxConnections: number;
  /** Of those, most still in the TLS handshake, in all and from one address; absent before template 7. */
  readonly maxHandshakes?: number;
  readonly maxHandshakesPerAddress?: number;
  /** A connection silent this long is closed (MTLS_CLIENT_HELLO_TIMEOUT_MS); absent before template 7. */
  readonly clientHelloTimeoutMs?: number;
  /** ID-token checks (MTLS_ID_TOKEN_* over CONFIG); absent when not configured. */
  readonly idTokenAudience?: string;
  readonly idTokenEmail?: string;
  readonly idTokenSubject?: string;
  /** Where the server fetches the signing keys of ID tokens (MTLS_GOOGLE_JWKS_URL); absent when not configured. */
  readonly idTokenJwks?: string;
  /** The user accepted a public client root without a pinned identity (MTLS_ACCEPT_ANY_PUBLIC_CLIENT). */
  readonly acceptAnyPublicClient: boolean;
  /** The platforms the file answers (cx, es, kore). */
  readonly platforms: readonly string[];
  /** The user's own routes, as 'METHOD /path'. */
  readonly routes: readonly string[];
  /** The template version of the generated mtls-server/ folder the file runs. */
  readonly templateVersion: number;
  /** Edge mode (MTLS_EDGE): the certificate header format the server reads from a TLS-terminating edge; '' = direct mTLS. */
  readonly edge: string;
  /** Addresses/CIDRs the edge connects from (MTLS_EDGE_TRUSTED); empty = any source. */
  readonly edgeTrusted: readonly string[];
  /** Whether the edge must send X-Mtls-Edge-Secret (MTLS_EDGE_SECRET); the secret itself is never printed. */
  readonly edgeSecretSet: boolean;
  /** What the server listens with behind an edge (MTLS_EDGE_LISTEN): 'http' or 'https' (no client certificate). */
  readonly edgeListen: 'http' | 'https';
}

/** The Authorization modes of the generated server. */
export type AuthMode = 'none' | 'basic' | 'bearer' | 'google-id-token' | 'unknown';

const authModes: readonly AuthMode[] = ['none', 'basic', 'bearer', 'google-id-token', 'unknown'];

/** The --print-config schema this reader understands. */
const configSchema = 1;

/** How to run the file: the runtime (default: the one running this code) and a deadline. */
export type ReadServerConfigOptions = RunServerFlagOptions;

/** Reads the user's file first: a clear ENOENT_SERVER when it is missing, the upgrade command for a single-file one. */
async function checkedServerFile(file: string): Promise<string> {
  const { abs, text } = await readServerFile(file);
  refuseLegacyServer(abs, text);
  return abs;
}

/**
 * The server's effective configuration: runs `file --print-config` with `env` (the MTLS_* overrides apply as
 * they will when it starts) and reads its JSON line. Throws MtlsError when the file cannot be run, reports a
 * configuration error (its `mtls-server error [CODE]` line, as ServerStartError), or prints no configuration.
 */
export async function readServerConfig(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  opts: ReadServerConfigOptions = {},
): Promise<ServerConfig> {
  const abs = await checkedServerFile(file);
  const stdout = await runServerFlag(abs, '--print-config', env, opts, (out) => lastJsonObject(out) !== undefined);
  const json = lastJsonObject(stdout);
  if (json === undefined) {
    throw new MtlsError(
      'E_SERVER_CONFIG',
      `${abs} --print-config printed no configuration${stdout.trim() ? ` (it printed: ${tail(stdout)})` : ''}: does it end with startWebhookServer({ config: CONFIG, … }) from ./mtls-server/index.mts?`,
    );
  }
  const passphrase = env['MTLS_KEY_PASSPHRASE'];
  return { ...configFromJson(json, abs), ...(passphrase ? { passphrase } : {}) };
}

/**
 * The Authorization value the server requires (MTLS_AUTH over CONFIG), secret included: for a client that must
 * present it, such as the readiness check's sample request. Never log or print it.
 */
export async function configuredAuthorization(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  opts: ReadServerConfigOptions = {},
): Promise<string> {
  const abs = await checkedServerFile(file);
  const stdout = await runServerFlag(abs, '--print-authorization', env, opts);
  // The value is the last line (the user's own top-level code may print before it); an empty line is no auth.
  const lines = stdout.replace(/\r?\n$/, '').split(/\r?\n/);
  return (lines[lines.length - 1] ?? '').trim();
}

/** The last line of `stdout` that is a JSON object with a `schema` (the user's own code may print other lines). */
function lastJsonObject(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.split(/\r?\n/).reverse();
  for (const line of lines) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(t);
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'schema' in v) return v;
    } catch {
      /* not ours */
    }
  }
  return undefined;
}

function tail(text: string, max = 300): string {
  const t = text.trim();
  return t.length > max ? `…${t.slice(-max)}` : t;
}

/** `edgeSecret: { set }` of --print-config (absent: no secret). */
function edgeSecretSet(v: unknown, bad: (field: string, want: string) => never): boolean {
  if (v === undefined) return false;
  const set = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)['set'] : undefined;
  return typeof set === 'boolean' ? set : bad('edgeSecret.set', 'true or false');
}

/** Maps the --print-config JSON to a ServerConfig; a field of the wrong type is an error naming it. */
function configFromJson(j: Record<string, unknown>, file: string): Omit<ServerConfig, 'passphrase'> {
  const bad = (field: string, want: string): never => {
    throw new MtlsError(
      'E_SERVER_CONFIG',
      `${file} --print-config: "${field}" is not ${want} (got ${JSON.stringify(j[field.split('.')[0] ?? field])})`,
    );
  };
  if (typeof j['schema'] !== 'number') bad('schema', 'a number');
  if ((j['schema'] as number) > configSchema) {
    throw new MtlsError(
      'E_SERVER_CONFIG',
      `${file} was generated by a newer mTLS Workbench (configuration schema ${String(j['schema'])}; this one reads ${configSchema}): update mTLS Workbench`,
    );
  }
  const str = (k: string): string => (typeof j[k] === 'string' ? j[k] : bad(k, 'a string'));
  const num = (k: string): number => (typeof j[k] === 'number' && Number.isFinite(j[k]) ? j[k] : bad(k, 'a number'));
  const bool = (k: string): boolean => (typeof j[k] === 'boolean' ? j[k] : bad(k, 'true or false'));
  const list = (k: string): string[] =>
    Array.isArray(j[k]) && (j[k] as unknown[]).every((x) => typeof x === 'string')
      ? [...(j[k] as string[])]
      : bad(k, 'a list of strings');
  const auth = j['auth'];
  if (typeof auth !== 'object' || auth === null) return bad('auth', 'an object');
  const mode = (auth as Record<string, unknown>)['mode'];
  const hasSecret = (auth as Record<string, unknown>)['hasSecret'];
  const idToken = (typeof j['idToken'] === 'object' && j['idToken'] !== null ? j['idToken'] : {}) as Record<
    string,
    unknown
  >;
  const optional = (key: string, v: unknown): Record<string, string> =>
    typeof v === 'string' && v !== '' ? { [key]: v } : {};
  const port = num('port');
  if (!Number.isInteger(port) || port < 0 || port > 65535) bad('port', 'a port from 0 to 65535');
  // The server resolves the paths it prints; a relative one would be its working folder's, which we are not.
  const absolute = (k: string): string => (path.isAbsolute(str(k)) ? str(k) : bad(k, 'an absolute path'));
  return {
    serverFile: typeof j['file'] === 'string' && j['file'] !== '' ? j['file'] : file,
    keyPath: absolute('keyPath'),
    certPath: absolute('certPath'),
    caPath: absolute('caPath'),
    host: str('host'),
    port,
    allowedClients: list('allowedClients'),
    acceptAnyPublicClient: bool('acceptAnyPublicClient'),
    authMode: authModes.includes(mode as AuthMode)
      ? (mode as AuthMode)
      : bad('auth.mode', `one of ${authModes.join(', ')}`),
    authHasSecret: typeof hasSecret === 'boolean' ? hasSecret : bad('auth.hasSecret', 'true or false'),
    ...optional('idTokenAudience', idToken['audience']),
    ...optional('idTokenEmail', idToken['email']),
    ...optional('idTokenSubject', idToken['subject']),
    ...optional('idTokenJwks', idToken['jwks']),
    webhookPaths: list('webhookPaths'),
    bodyLimitBytes: num('bodyLimitBytes'),
    requestTimeoutMs: num('requestTimeoutMs'),
    handshakeTimeoutMs: num('handshakeTimeoutMs'),
    maxConnections: num('maxConnections'),
    // A server from before the handshake budget prints none of these.
    ...(j['maxHandshakes'] !== undefined ? { maxHandshakes: num('maxHandshakes') } : {}),
    ...(j['maxHandshakesPerAddress'] !== undefined ? { maxHandshakesPerAddress: num('maxHandshakesPerAddress') } : {}),
    ...(j['clientHelloTimeoutMs'] !== undefined ? { clientHelloTimeoutMs: num('clientHelloTimeoutMs') } : {}),
    platforms: list('platforms'),
    routes: Array.isArray(j['routes']) ? list('routes') : [],
    templateVersion: num('template'),
    // A server from before edge mode prints none of these: it is a direct-mTLS server.
    edge: j['edge'] === undefined ? '' : str('edge'),
    edgeTrusted: j['edgeTrusted'] === undefined ? [] : list('edgeTrusted'),
    edgeSecretSet: edgeSecretSet(j['edgeSecret'], bad),
    edgeListen:
      j['edgeListen'] === undefined || j['edgeListen'] === 'http'
        ? 'http'
        : j['edgeListen'] === 'https'
          ? 'https'
          : bad('edgeListen', '"http" or "https"'),
  };
}
