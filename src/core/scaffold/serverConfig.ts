import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MtlsError } from '../errors';

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
  const file = path.resolve(serverTsPath);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new MtlsError('ENOENT_SERVER', `server file not found: ${file} (create it with: mtls scaffold --out DIR)`, { cause: e });
  }
  const start = text.indexOf('// ---- mtls-config');
  const end = text.indexOf('// ---- end mtls-config', start);
  if (start < 0 || end < 0) throw new MtlsError('E_NOT_SCAFFOLD', `${file} has no mtls-config block: was it written by mtls scaffold?`);
  const block = text.slice(start, end);
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
  return {
    serverTsPath: file,
    keyPath: abs(fromEnv('MTLS_KEY') ?? stringField(block, 'key') ?? 'certs/server-key.pem'),
    certPath,
    caPath: abs(fromEnv('MTLS_CA') ?? stringField(block, 'ca') ?? 'certs/ca-crt.pem'),
    host: fromEnv('MTLS_HOST') ?? stringField(block, 'host') ?? '127.0.0.1',
    port,
    ...(passphrase ? { passphrase } : {}),
  };
}
