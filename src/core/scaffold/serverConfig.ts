import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MtlsError } from '../errors';
import { readServerFile } from './serverFile';
import { templateVersionOf } from './upgradeServer';

/** The files and address a scaffolded server will use, resolved the way the server resolves them. */
export interface ServerConfig {
  readonly serverTsPath: string;
  readonly keyPath: string;
  readonly certPath: string;
  readonly caPath: string;
  readonly host: string;
  readonly port: number;
  /** From MTLS_KEY_PASSPHRASE only; never read from or written to a file. */
  readonly passphrase?: string;
  /** Pinned client identities (CN, 'O=…' or 'sha256:…'); empty = any client the CA bundle verifies. */
  readonly allowedClients: readonly string[];
  /** The Authorization check (MTLS_AUTH over the config block); the secret itself is never returned. */
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
  /** ID-token checks (MTLS_ID_TOKEN_* over the config block); absent when not configured. */
  readonly idTokenAudience?: string;
  readonly idTokenEmail?: string;
  readonly idTokenSubject?: string;
  /** The user accepted a public client root without a pinned identity (MTLS_ACCEPT_ANY_PUBLIC_CLIENT). */
  readonly acceptAnyPublicClient: boolean;
  /** The template version that wrote the file (1: before versions were recorded). */
  readonly templateVersion: number;
}

/** The Authorization modes of the generated server. */
export type AuthMode = 'none' | 'basic' | 'bearer' | 'google-id-token' | 'unknown';

/** Defaults of the config fields a config block may lack (written by an older template); the server uses the same. */
const configFieldDefaults = {
  webhookPaths: ['/webhook', '/'],
  bodyLimitBytes: 1024 * 1024,
  requestTimeoutMs: 4500,
  handshakeTimeoutMs: 10_000,
  maxConnections: 256,
} as const;

function numberField(block: string, name: string): number | undefined {
  // Numbers as the template writes them: 4500, 10_000, 1024 * 1024.
  const m = new RegExp(`^\\s*${name}:\\s*([0-9_]+(?:\\s*\\*\\s*[0-9_]+)*)\\s*,`, 'm').exec(block);
  if (!m) return undefined;
  return (m[1] ?? '').split('*').reduce((acc, f) => acc * Number(f.trim().replace(/_/g, '')), 1);
}

/** The mode of an MTLS_AUTH / config auth value, and whether it has a secret (never the secret). */
function authModeOf(value: string): { mode: AuthMode; hasSecret: boolean } {
  const v = value.trim();
  if (v === '') return { mode: 'none', hasSecret: false };
  if (v === 'google-id-token') return { mode: v, hasSecret: false };
  const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(v);
  const scheme = (m?.[1] ?? '').toLowerCase();
  const hasSecret = (m?.[2] ?? '').trim() !== '';
  if (scheme === 'basic' || scheme === 'bearer') return { mode: scheme, hasSecret };
  return { mode: 'unknown', hasSecret };
}

function stringField(block: string, name: string): string | undefined {
  return new RegExp(`^\\s*${name}:\\s*'([^']*)'`, 'm').exec(block)?.[1];
}

function listField(block: string, name: string): string[] | undefined {
  const m = new RegExp(`^\\s*${name}:\\s*\\[([^\\]]*)\\]`, 'm').exec(block);
  if (!m) return undefined;
  return [...(m[1] ?? '').matchAll(/'([^']*)'/g)].map((x) => x[1] ?? '');
}

/**
 * Reads the config block of a scaffolded server.ts and applies the MTLS_* environment overrides, mirroring
 * the server's own resolveSettings(), so preflight checks exactly the files the server will open.
 */
export async function readServerConfig(serverTsPath: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<ServerConfig> {
  const { abs: file, text } = await readServerFile(serverTsPath);
  const block = configBlock(text);
  if (block === undefined) throw new MtlsError('E_NOT_SCAFFOLD', `${file} has no mtls-config block: was it written by mtls scaffold?`);
  const base = path.dirname(file);
  const abs = (p: string): string => path.resolve(base, p);
  const fromEnv = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const certCandidates = fromEnv('MTLS_CERT') !== undefined ? [fromEnv('MTLS_CERT') ?? ''] : (listField(block, 'cert') ?? [stringField(block, 'cert') ?? 'certs/server-crt.pem']);
  let certPath = abs(certCandidates[certCandidates.length - 1] ?? '');
  for (const c of certCandidates) {
    if (await fs.stat(abs(c)).then(() => true, () => false)) {
      certPath = abs(c);
      break;
    }
  }
  const portText = fromEnv('MTLS_PORT') ?? /^\s*port:\s*(\d+)/m.exec(block)?.[1] ?? '4433';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new MtlsError('BAD_PORT', `port '${portText}' is not a number from 0 to 65535`);
  const passphrase = env['MTLS_KEY_PASSPHRASE'];
  const allowedEnv = fromEnv('MTLS_ALLOWED_CLIENTS');
  const auth = authModeOf(fromEnv('MTLS_AUTH') ?? stringField(block, 'auth') ?? '');
  const envNumber = (name: string): number | undefined => {
    const v = fromEnv(name);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  return {
    serverTsPath: file,
    keyPath: abs(fromEnv('MTLS_KEY') ?? stringField(block, 'key') ?? 'certs/server-key.pem'),
    certPath,
    caPath: abs(fromEnv('MTLS_CA') ?? stringField(block, 'ca') ?? 'certs/ca-crt.pem'),
    host: fromEnv('MTLS_HOST') ?? stringField(block, 'host') ?? '127.0.0.1',
    port,
    ...(passphrase ? { passphrase } : {}),
    allowedClients: allowedEnv !== undefined ? allowedEnv.split(',').map((c) => c.trim()).filter((c) => c !== '') : (listField(block, 'allowedClients') ?? []),
    authMode: auth.mode,
    authHasSecret: auth.hasSecret,
    webhookPaths: listField(block, 'webhookPaths') ?? [...configFieldDefaults.webhookPaths],
    bodyLimitBytes: numberField(block, 'bodyLimitBytes') ?? configFieldDefaults.bodyLimitBytes,
    requestTimeoutMs: numberField(block, 'requestTimeoutMs') ?? configFieldDefaults.requestTimeoutMs,
    handshakeTimeoutMs: envNumber('MTLS_HANDSHAKE_TIMEOUT_MS') ?? numberField(block, 'handshakeTimeoutMs') ?? configFieldDefaults.handshakeTimeoutMs,
    maxConnections: envNumber('MTLS_MAX_CONNECTIONS') ?? numberField(block, 'maxConnections') ?? configFieldDefaults.maxConnections,
    ...optional('idTokenAudience', fromEnv('MTLS_ID_TOKEN_AUDIENCE') ?? stringField(block, 'idTokenAudience')),
    ...optional('idTokenEmail', fromEnv('MTLS_ID_TOKEN_EMAIL') ?? stringField(block, 'idTokenEmail')),
    ...optional('idTokenSubject', fromEnv('MTLS_ID_TOKEN_SUBJECT') ?? stringField(block, 'idTokenSubject')),
    // As the server decides: the variable when set (1, true or yes), else the config block.
    acceptAnyPublicClient: fromEnv('MTLS_ACCEPT_ANY_PUBLIC_CLIENT') !== undefined ? /^(1|true|yes)$/i.test(fromEnv('MTLS_ACCEPT_ANY_PUBLIC_CLIENT') ?? '') : /^\s*acceptAnyPublicClient:\s*true\b/m.test(block),
    templateVersion: templateVersionOf(text) ?? 1,
  };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value !== undefined && value !== '' ? { [key]: value } : {}) as { [P in K]?: string };
}

/**
 * The Authorization value the server requires (MTLS_AUTH over the config block), secret included: for a client
 * that must present it, such as the readiness check's sample request. Never log or print it.
 */
export async function configuredAuthorization(serverTsPath: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<string> {
  const fromEnv = env['MTLS_AUTH']?.trim();
  if (fromEnv) return fromEnv;
  const block = configBlock((await readServerFile(serverTsPath)).text);
  return block === undefined ? '' : (stringField(block, 'auth') ?? '');
}

/** The `// ---- mtls-config` block a scaffolded server.ts starts with, or undefined when there is none. */
function configBlock(text: string): string | undefined {
  const start = text.indexOf('// ---- mtls-config');
  const end = text.indexOf('// ---- end mtls-config', start);
  return start < 0 || end < 0 ? undefined : text.slice(start, end);
}
