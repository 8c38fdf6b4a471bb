// The server's settings: one set of defaults, the user's CONFIG over them, the MTLS_* environment over both.
// `node server.mts --print-config` prints the result, so tools read what the server will really use (a value
// the user computes, such as Number(process.env.X), included) instead of parsing the source.
import * as path from 'node:path';
import * as fs from 'node:fs';
import { fail } from './log.mts';
import { edgeKinds, type EdgeKind } from './edgeHeaders.mts';

/** What the user's CONFIG may set; every field is optional and falls back to {@link configDefaults}. */
export interface ServerConfigInput {
  key?: string;
  /** The first file that exists is used (a full chain first, then the bare certificate). */
  cert?: string | string[];
  ca?: string;
  host?: string;
  port?: number;
  allowedClients?: string[];
  acceptAnyPublicClient?: boolean;
  auth?: string;
  idTokenAudience?: string;
  idTokenEmail?: string;
  idTokenSubject?: string;
  googleJwksUrl?: string;
  webhookPaths?: string[];
  bodyLimitBytes?: number;
  requestTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  maxConnections?: number;
  /** Connections still in the TLS handshake at once, from all addresses (part of maxConnections). */
  maxHandshakes?: number;
  /** Connections still in the TLS handshake at once from one address (IPv6: one /64). */
  maxHandshakesPerAddress?: number;
  /** A connection that has sent nothing by then is closed (a real client sends its ClientHello at once). */
  clientHelloTimeoutMs?: number;
  /** '' = direct mTLS; otherwise the kind of edge that terminates TLS in front of this server (see edgeHeaders.mts). */
  edge?: string;
  /** Addresses / CIDRs the edge connects from (IPv4, IPv6). */
  edgeTrusted?: string[];
  /** A secret the edge sends in X-Mtls-Edge-Secret. Prefer MTLS_EDGE_SECRET over writing it here. */
  edgeSecret?: string;
  /** Behind an edge: 'http' (default) or 'https' (this server's certificate, no client certificate asked). */
  edgeListen?: string;
}

/** The one set of defaults (the scaffolded CONFIG block spells the same values out for the user). */
export const configDefaults = {
  key: 'certs/server-key.pem',
  cert: ['certs/server-fullchain.pem', 'certs/server-crt.pem'],
  ca: 'certs/ca-crt.pem',
  host: '127.0.0.1',
  port: 4433,
  allowedClients: [] as string[],
  acceptAnyPublicClient: false,
  auth: '',
  idTokenAudience: '',
  idTokenEmail: '',
  idTokenSubject: '',
  googleJwksUrl: 'https://www.googleapis.com/oauth2/v3/certs',
  webhookPaths: ['/webhook', '/'],
  bodyLimitBytes: 1024 * 1024,
  // Answer before the platform gives up: Dialogflow ES waits 5 s, CX 5 s by default (at most 30 s).
  requestTimeoutMs: 4500,
  handshakeTimeoutMs: 10_000,
  maxConnections: 256,
  // Connections that have not finished TLS need no certificate: half the cap at most, so those that did keep the
  // other half; 32 from one address is more than a platform's burst of new connections from one egress address.
  maxHandshakes: 128,
  maxHandshakesPerAddress: 32,
  // A TLS client sends its ClientHello as soon as it connects; 3 s covers a slow first packet.
  clientHelloTimeoutMs: 3000,
  edge: '',
  edgeTrusted: [] as string[],
  edgeSecret: '',
  edgeListen: 'http',
};

/** How a request's Authorization header is checked. */
export interface IdTokenOptions {
  audience: string; // aud must equal this (Dialogflow: the webhook URL as configured in the agent)
  email: string; // '' or the caller's email, which Google must also report as verified
  subject: string; // '' or the caller's sub (numeric service-account id)
  jwks: string; // https URL, http URL on a loopback address, or a local file path (absolute)
}

/** The settings in force, paths absolute. */
export interface Settings {
  file: string;
  keyPath: string;
  certPath: string;
  caPath: string;
  host: string;
  port: number;
  passphrase: string | undefined;
  allowedClients: string[];
  acceptAnyPublicClient: boolean;
  auth: string;
  idToken: IdTokenOptions;
  webhookPaths: string[];
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  handshakeTimeoutMs: number;
  maxConnections: number;
  maxHandshakes: number;
  maxHandshakesPerAddress: number;
  clientHelloTimeoutMs: number;
  edge: EdgeKind | '';
  edgeTrusted: string[];
  edgeSecret: string;
  edgeListen: 'http' | 'https';
}

function fromEnv(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function wholeNumber(name: string, value: unknown, min: number, max: number): number {
  const text = fromEnv(name);
  const n = text !== undefined ? Number(text) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    const shown =
      text !== undefined ? name + '=' + JSON.stringify(text) : JSON.stringify(value) + ' (' + name + ' or CONFIG)';
    fail(
      name === 'MTLS_PORT' || name === 'PORT' ? 'BAD_PORT' : 'BAD_SETTING',
      shown + ' is not a whole number from ' + min + ' to ' + max,
    );
  }
  return n;
}

function list(name: string, value: string[]): string[] {
  const text = fromEnv(name);
  if (text === undefined) return value;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The settings the server runs with: defaults, then the user's CONFIG, then the environment. */
export function resolveSettings(input: ServerConfigInput, file: string): Settings {
  const c = { ...configDefaults, ...stripUndefined(input) };
  const baseDir = path.dirname(file);
  const abs = (p: string): string => path.resolve(baseDir, p);
  const certEnv = fromEnv('MTLS_CERT');
  const certCandidates = certEnv !== undefined ? [certEnv] : typeof c.cert === 'string' ? [c.cert] : c.cert;
  const certPath = abs(
    certCandidates.find((p) => fs.existsSync(abs(p))) ?? certCandidates[certCandidates.length - 1] ?? '',
  );
  const acceptAny = fromEnv('MTLS_ACCEPT_ANY_PUBLIC_CLIENT');
  const jwks = fromEnv('MTLS_GOOGLE_JWKS_URL') ?? c.googleJwksUrl;
  const paths = list('MTLS_WEBHOOK_PATHS', c.webhookPaths);
  const badPath = paths.find((p) => !p.startsWith('/'));
  if (badPath !== undefined || paths.length === 0)
    fail(
      'BAD_SETTING',
      'webhookPaths (MTLS_WEBHOOK_PATHS) must be paths starting with "/", got ' + JSON.stringify(paths),
    );
  const edge = fromEnv('MTLS_EDGE') ?? c.edge;
  if (edge !== '' && !(edgeKinds as readonly string[]).includes(edge)) {
    fail(
      'EDGE_CONFIG',
      'unknown edge ' +
        JSON.stringify(edge) +
        ' (MTLS_EDGE or CONFIG.edge): use one of ' +
        edgeKinds.join(', ') +
        ', or leave it empty for direct mTLS',
    );
  }
  const edgeListen = fromEnv('MTLS_EDGE_LISTEN') ?? c.edgeListen;
  if (edgeListen !== 'http' && edgeListen !== 'https')
    fail('EDGE_CONFIG', 'edgeListen (MTLS_EDGE_LISTEN) must be "http" or "https", not ' + JSON.stringify(edgeListen));
  // Behind an edge (Cloud Run, App Engine) the platform says which port to listen on in $PORT.
  const portName =
    edge !== '' && fromEnv('MTLS_PORT') === undefined && fromEnv('PORT') !== undefined ? 'PORT' : 'MTLS_PORT';
  return {
    file,
    keyPath: abs(fromEnv('MTLS_KEY') ?? c.key),
    certPath,
    caPath: abs(fromEnv('MTLS_CA') ?? c.ca),
    host: fromEnv('MTLS_HOST') ?? c.host,
    port: wholeNumber(portName, c.port, 0, 65535),
    // Not trimmed: a passphrase may legitimately start or end with a space.
    passphrase: process.env['MTLS_KEY_PASSPHRASE'] || undefined,
    allowedClients: list('MTLS_ALLOWED_CLIENTS', c.allowedClients),
    acceptAnyPublicClient:
      acceptAny !== undefined ? /^(1|true|yes)$/i.test(acceptAny) : c.acceptAnyPublicClient === true,
    auth: fromEnv('MTLS_AUTH') ?? c.auth,
    idToken: {
      audience: fromEnv('MTLS_ID_TOKEN_AUDIENCE') ?? c.idTokenAudience,
      email: fromEnv('MTLS_ID_TOKEN_EMAIL') ?? c.idTokenEmail,
      subject: fromEnv('MTLS_ID_TOKEN_SUBJECT') ?? c.idTokenSubject,
      jwks: /^[a-z][a-z0-9+.-]*:\/\//i.test(jwks) ? jwks : abs(jwks),
    },
    webhookPaths: paths,
    bodyLimitBytes: wholeNumber('MTLS_BODY_LIMIT_BYTES', c.bodyLimitBytes, 1, 2 ** 31),
    requestTimeoutMs: wholeNumber('MTLS_REQUEST_TIMEOUT_MS', c.requestTimeoutMs, 1, 3_600_000),
    handshakeTimeoutMs: wholeNumber('MTLS_HANDSHAKE_TIMEOUT_MS', c.handshakeTimeoutMs, 1, 3_600_000),
    maxConnections: wholeNumber('MTLS_MAX_CONNECTIONS', c.maxConnections, 1, 1_000_000),
    maxHandshakes: wholeNumber('MTLS_MAX_HANDSHAKES', c.maxHandshakes, 1, 1_000_000),
    maxHandshakesPerAddress: wholeNumber('MTLS_MAX_HANDSHAKES_PER_ADDRESS', c.maxHandshakesPerAddress, 1, 1_000_000),
    clientHelloTimeoutMs: wholeNumber('MTLS_CLIENT_HELLO_TIMEOUT_MS', c.clientHelloTimeoutMs, 1, 3_600_000),
    edge: edge as EdgeKind | '',
    edgeTrusted: list('MTLS_EDGE_TRUSTED', c.edgeTrusted),
    edgeSecret: fromEnv('MTLS_EDGE_SECRET') ?? c.edgeSecret,
    edgeListen,
  };
}

function stripUndefined(input: ServerConfigInput): ServerConfigInput {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as ServerConfigInput;
}

/** The mode of an auth value and whether it carries a secret (never the secret itself). */
export function authMode(auth: string): {
  mode: 'none' | 'basic' | 'bearer' | 'google-id-token' | 'unknown';
  hasSecret: boolean;
} {
  const v = auth.trim();
  if (v === '') return { mode: 'none', hasSecret: false };
  if (v === 'google-id-token') return { mode: v, hasSecret: false };
  const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(v);
  const scheme = (m?.[1] ?? '').toLowerCase();
  const hasSecret = (m?.[2] ?? '').trim() !== '';
  return { mode: scheme === 'basic' || scheme === 'bearer' ? scheme : 'unknown', hasSecret };
}

/** The version of this machinery; `mtls scaffold --upgrade` compares it with its own. */
export const templateVersion = 7;

/** What `--print-config` prints: the settings in force, without the passphrase or any secret. */
export function printableConfig(s: Settings, platforms: string[], routes: string[]): Record<string, unknown> {
  return {
    schema: 1,
    template: templateVersion,
    file: s.file,
    platforms,
    routes,
    keyPath: s.keyPath,
    certPath: s.certPath,
    caPath: s.caPath,
    host: s.host,
    port: s.port,
    allowedClients: s.allowedClients,
    acceptAnyPublicClient: s.acceptAnyPublicClient,
    auth: authMode(s.auth),
    idToken: s.idToken,
    webhookPaths: s.webhookPaths,
    bodyLimitBytes: s.bodyLimitBytes,
    requestTimeoutMs: s.requestTimeoutMs,
    handshakeTimeoutMs: s.handshakeTimeoutMs,
    maxConnections: s.maxConnections,
    maxHandshakes: s.maxHandshakes,
    maxHandshakesPerAddress: s.maxHandshakesPerAddress,
    clientHelloTimeoutMs: s.clientHelloTimeoutMs,
    edge: s.edge,
    edgeTrusted: s.edgeTrusted,
    // Never the secret itself: tools only need to know whether the edge must send one.
    edgeSecret: { set: s.edgeSecret !== '' },
    edgeListen: s.edgeListen,
  };
}
