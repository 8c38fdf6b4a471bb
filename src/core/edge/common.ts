// Helpers shared by the generators: the origin's address, the environment it starts with, quoting.
import * as path from 'node:path';
import { MtlsError } from '../errors';
import { shellQuote } from '../shellQuote';
import type { OutputFile } from '../files';
import { edgeFormat, edgeSecretEnv, type EdgeOptions } from './types';

/** The origin as the edge reaches it. */
export interface Origin {
  readonly url: URL;
  readonly host: string;
  readonly port: number;
  /** host:port as a proxy writes it (IPv6 in brackets). */
  readonly hostPort: string;
  readonly loopback: boolean;
}

/** The origin URL of `o` (default http://127.0.0.1:<port>), checked. */
export function originOf(o: EdgeOptions): Origin {
  const text = o.origin ?? `http://127.0.0.1:${o.port}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MtlsError('E_INPUT', `--origin ${text}: not a URL (e.g. http://127.0.0.1:${o.port})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new MtlsError('E_INPUT', `--origin ${text}: use http:// or https://`);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = /^127\./.test(host) || host === '::1' || host === 'localhost';
  return { url, host, port, hostPort: `${host.includes(':') ? `[${host}]` : host}:${port}`, loopback };
}

/** The address a local proxy connects from: given, else 127.0.0.3 for a loopback IPv4 origin. */
export function edgeSourceOf(o: EdgeOptions, origin: Origin): string | undefined {
  if (o.edgeSource !== undefined) return o.edgeSource || undefined;
  return origin.loopback && /^127\./.test(origin.host) ? '127.0.0.3' : undefined;
}

/** host and port the proxy listens on (default 0.0.0.0:443). */
export function listenOf(o: EdgeOptions): { host: string; port: number; text: string } {
  const text = o.listen ?? '0.0.0.0:443';
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text);
  if (!m) throw new MtlsError('E_INPUT', `listen address ${text}: expected host:port`);
  return { host: m[1] ?? m[2] ?? '', port: Number(m[3]), text };
}

/** The proxy's state folder (absolute). */
export function stateDirOf(o: EdgeOptions): string {
  return o.stateDir ?? path.join(o.outDir, 'run');
}

/** The origin's environment for a local proxy: its format, address, trusted source and secret (as a reference). */
export function originEnvFor(o: EdgeOptions, origin: Origin, trusted: string | undefined): Record<string, string> {
  return {
    MTLS_EDGE: edgeFormat[o.kind],
    MTLS_HOST: origin.host,
    MTLS_PORT: String(origin.port),
    ...(trusted ? { MTLS_EDGE_TRUSTED: trusted } : {}),
    ...(o.secret !== undefined ? { [edgeSecretEnv]: `$${edgeSecretEnv}` } : {}),
    // The proxy speaks HTTPS to an https:// origin: the webhook must listen that way too.
    ...(origin.url.protocol === 'https:' ? { MTLS_EDGE_LISTEN: 'https' } : {}),
  };
}

/**
 * origin.env: the variables the origin (and, for the secret, the edge) starts with, as shell assignments
 * (`set -a; . ./origin.env; set +a`). 0600: it may hold the edge secret.
 */
export function originEnvFile(env: Readonly<Record<string, string>>, secret: string | undefined): OutputFile {
  const lines = Object.entries(env).map(
    ([k, v]) => `${k}=${shellQuote(k === edgeSecretEnv && secret !== undefined ? secret : v)}`,
  );
  return {
    name: 'origin.env',
    contents: `# The environment of the webhook behind the edge (and of the edge, for ${edgeSecretEnv}).\n${lines.join('\n')}\n`,
    secret: true,
  };
}

/** The command that starts the origin with origin.env. */
export function startOriginLine(o: EdgeOptions): string {
  // mtls serve runs server.mts on every supported Node (Node 20 through the loader), checking its files first.
  return `(set -a; . ${shellQuote(path.join(o.outDir, 'origin.env'))}; set +a; cd ${shellQuote(o.projectDir)} && mtls serve server.mts)`;
}

/** A double-quoted config string (nginx, HAProxy, Caddy): `\` and `"` escaped; a newline is refused. */
export function quoted(s: string): string {
  if (/[\r\n]/.test(s))
    throw new MtlsError(
      'E_INPUT',
      `a value with a line break cannot go into a proxy configuration: ${JSON.stringify(s)}`,
    );
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
