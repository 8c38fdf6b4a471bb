import { InputError } from '../errors';
import { idTokenSection } from './template/idToken';
import { publicRootPinSection } from './template/publicRootPin';
import { configSection, headerSection, httpSection, identitySection, machineryIntro, runtimeSection, startSection } from './template/core';
import { dispatchSection, handlersBlock, platformMachinery, platformNames, type Platform } from './template/platforms';
import { templateVersion } from './template/changelog';
import { findBlock, markers, sealTemplateLine, templateLinePlaceholder, type BlockSpan } from './template/layout';

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

/** The user's parts of a file, kept byte for byte when the machinery is rewritten by an upgrade. */
export interface UserParts {
  /** Interior of the mtls-config block (between its marker lines). */
  readonly config: string;
  /** Interior of the mtls-handlers block. */
  readonly handlers: string;
}

/**
 * Assembles a server.ts: header with the template line, the user's config and handlers, then the machinery.
 * `parts` replaces the template's config and handlers (an upgrade); the fingerprint does not depend on them.
 */
export function assembleServer(platforms: readonly Platform[], port: number, host: string, parts?: UserParts): string {
  const handlers = `${markers.handlersStart}: your code. Each platform's table maps a name to a function; add entries ----\n${handlersBlock(platforms)}${markers.handlersEnd}\n`;
  let text = [
    headerSection(platforms.map((p) => platformNames[p]).join(', '), templateLinePlaceholder(templateVersion, platforms)),
    configSection(port, host),
    '\n',
    handlers,
    machineryIntro,
    runtimeSection,
    identitySection,
    publicRootPinSection,
    idTokenSection,
    platformMachinery(platforms),
    dispatchSection(platforms),
    httpSection,
    startSection,
  ].join('');
  let config = findBlock(text, markers.configStart, markers.configEnd) as BlockSpan;
  let handlerSpan = findBlock(text, markers.handlersStart, markers.handlersEnd) as BlockSpan;
  if (parts !== undefined) {
    // Later block first, so the earlier offsets stay valid.
    text = text.slice(0, handlerSpan.start) + parts.handlers + text.slice(handlerSpan.end);
    text = text.slice(0, config.start) + parts.config + text.slice(config.end);
    config = findBlock(text, markers.configStart, markers.configEnd) as BlockSpan;
    handlerSpan = findBlock(text, markers.handlersStart, markers.handlersEnd) as BlockSpan;
  }
  return sealTemplateLine(text, templateVersion, platforms, [config, handlerSpan]);
}

/** Renders the single-file mTLS webhook server (TypeScript source, Node built-ins only). */
export function renderServer(opts: ServerTemplateOptions = {}): string {
  const port = opts.port ?? defaultServerPort;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`port ${String(port)} is not a number from 0 to 65535`);
  const host = opts.host ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) throw new InputError(`host '${host}' is not a host name or IP address`);
  return assembleServer(parsePlatforms(opts.platform), port, host);
}
