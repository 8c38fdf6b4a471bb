import { InputError } from '../errors';
import { configSection, headerSection, httpSection, identitySection, runtimeSection, startSection } from './template/core';
import { idTokenSection } from './template/idToken';
import { publicRootPinSection } from './template/publicRootPin';
import { dispatchSection, platformNames, platformSections, type Platform } from './template/platforms';

export type { Platform } from './template/platforms';

/** What `mtls scaffold` asks for; everything else is edited in the generated config block. */
export interface ServerTemplateOptions {
  /** Port written into the config block (MTLS_PORT overrides it at runtime). Default 4433. */
  readonly port?: number;
  /** Which handler tables to include: one platform, several, or 'all'. Default 'all'. */
  readonly platform?: Platform | 'all' | readonly Platform[];
  /** Listen address written into the config block. Default 127.0.0.1 (local development). */
  readonly host?: string;
}

/** Default port of the generated server (one the Dialogflow docs' example uses for HTTPS). */
export const defaultServerPort = 4433;

/** Normalises `platform` to a list, rejecting unknown names. */
export function parsePlatforms(platform: ServerTemplateOptions['platform'] | string): Platform[] {
  if (platform === undefined || platform === 'all') return ['cx', 'es', 'kore'];
  const list = typeof platform === 'string' ? platform.split(',').map((p) => p.trim()) : [...platform];
  const known = Object.keys(platformNames);
  for (const p of list) {
    if (!known.includes(p)) throw new InputError(`unknown platform '${p}': use cx, es, kore or all`);
  }
  return [...new Set(list)] as Platform[];
}

/** Renders the single-file mTLS webhook server (TypeScript source, Node built-ins only). */
export function renderServer(opts: ServerTemplateOptions = {}): string {
  const port = opts.port ?? defaultServerPort;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`port ${String(port)} is not a number from 0 to 65535`);
  const host = opts.host ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) throw new InputError(`host '${host}' is not a host name or IP address`);
  const platforms = parsePlatforms(opts.platform);
  return [
    headerSection(platforms.map((p) => platformNames[p]).join(', ')),
    configSection(port, host),
    runtimeSection,
    identitySection,
    publicRootPinSection,
    idTokenSection,
    platformSections(platforms),
    dispatchSection(platforms),
    httpSection,
    startSection,
  ].join('');
}
