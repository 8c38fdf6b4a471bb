// Upgrades a scaffolded server.ts to the current template: the machinery is rewritten, the user's config
// block and handler code are kept byte for byte. Refuses, changing nothing, whenever the user's parts cannot
// be told from the machinery (markers missing or repeated, or anything outside the user's parts edited).
import { promises as fs, constants as fsc } from 'node:fs';
import * as path from 'node:path';
import { MtlsError } from '../errors';
import { writeFileSet } from '../files';
import { assembleServer } from './renderServer';
import { legacyFingerprint, legacyHandlerSpans, isLegacyFingerprint } from './legacyServer';
import { changesSince, templateVersion } from './template/changelog';
import { emptyBlocks, findBlock, machineryFingerprint, markers, readTemplateLine } from './template/layout';
import { handlersBlock, type Platform } from './template/platforms';
import { unifiedDiff } from './unifiedDiff';
import { readServerFile } from './serverFile';

/** Why a server.ts cannot be upgraded automatically; the file is left as it was. */
export class UpgradeRefusedError extends MtlsError {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super('E_UPGRADE_REFUSED', `Cannot upgrade ${file}: ${reason}. Nothing was changed.`);
    this.name = 'UpgradeRefusedError';
  }
}

/** What an upgrade would do. */
export interface UpgradePlan {
  readonly file: string;
  /** Template version that wrote the file (1: before versions were recorded). */
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly platforms: readonly Platform[];
  /** True when the file already is what the current template writes. */
  readonly upToDate: boolean;
  readonly oldText: string;
  readonly newText: string;
  /** One line per change since fromVersion (from the template changelog). */
  readonly changes: readonly string[];
}

/** Which template version wrote a server.ts text: a number, or undefined when it is not a scaffolded server. */
export function templateVersionOf(text: string): number | undefined {
  const t = text.replace(/\r\n/g, '\n');
  const line = readTemplateLine(t);
  if (typeof line === 'object') return line.version;
  if (line === undefined && typeof findBlock(t, markers.configStart, markers.configEnd) === 'object') return 1;
  return undefined;
}

/** Plans the upgrade of a server.ts text (pure: reads and writes nothing). Throws UpgradeRefusedError. */
export function planUpgrade(text: string, file = 'server.ts'): UpgradePlan {
  const crlf = text.includes('\r\n');
  const t = crlf ? text.replace(/\r\n/g, '\n') : text;
  const refuse = (reason: string): never => {
    throw new UpgradeRefusedError(file, reason);
  };
  const config = findBlock(t, markers.configStart, markers.configEnd);
  if (config === undefined) return refuse('it has no mtls-config block, so it was not written by mtls scaffold (or the block markers were removed)');
  if (typeof config === 'string') return refuse(config);
  const line = readTemplateLine(t);
  if (typeof line === 'string') return refuse(line);
  let fromVersion: number;
  let platforms: Platform[];
  let handlers: string;
  if (line === undefined) {
    // Template 1: no handlers block; the handler tables sit between the platform types.
    if (findBlock(t, markers.handlersStart, markers.handlersEnd) !== undefined) return refuse("it has an mtls-handlers block but no 'mtls-template:' line (was that line deleted?)");
    const spans = legacyHandlerSpans(t);
    if (typeof spans === 'string') return refuse(spans);
    platforms = [...spans.keys()];
    if (!isLegacyFingerprint(platforms, legacyFingerprint(t, config, spans))) {
      return refuse('code outside the config block and the handler tables (cxHandlers/cxFallback, esHandlers/esFallback, koreHandler) differs from what mtls scaffold wrote; move your changes into those parts, or scaffold a new server.ts and copy your handlers over');
    }
    handlers = handlersBlock(platforms, Object.fromEntries([...spans].map(([p, s]) => [p, t.slice(s.start, s.end)])));
    fromVersion = 1;
  } else {
    if (line.version > templateVersion) return refuse(`it was written by a newer mTLS Workbench (template ${line.version}; this one writes ${templateVersion}): update mTLS Workbench first`);
    const span = findBlock(t, markers.handlersStart, markers.handlersEnd);
    if (span === undefined) return refuse('its mtls-handlers block markers are missing');
    if (typeof span === 'string') return refuse(span);
    if (machineryFingerprint(emptyBlocks(t, [config, span])) !== line.fingerprint) {
      return refuse('the generated part (header or the machinery below "mtls-machinery") was edited since it was written; move your changes into the config block or the handlers, or restore that part');
    }
    platforms = line.platforms;
    handlers = t.slice(span.start, span.end);
    fromVersion = line.version;
  }
  let newText = assembleServer(platforms, 0, '127.0.0.1', { config: t.slice(config.start, config.end), handlers });
  if (crlf) newText = newText.replace(/\n/g, '\r\n');
  return {
    file,
    fromVersion,
    toVersion: templateVersion,
    platforms,
    upToDate: newText === text,
    oldText: text,
    newText,
    changes: newText === text ? [] : changesSince(fromVersion),
  };
}

/** The plan as a unified diff (old file → upgraded file). */
export function upgradeDiff(plan: UpgradePlan): string {
  const name = path.basename(plan.file);
  return unifiedDiff(plan.oldText.replace(/\r\n/g, '\n'), plan.newText.replace(/\r\n/g, '\n'), `${name} (template ${plan.fromVersion})`, `${name} (template ${plan.toVersion})`);
}

/** Reads and plans the upgrade of a server.ts file. */
export async function planUpgradeFile(file: string): Promise<UpgradePlan> {
  const { abs, text } = await readServerFile(file);
  return planUpgrade(text, abs);
}

/** The result of applying an upgrade. */
export interface UpgradeResult {
  readonly plan: UpgradePlan;
  /** The copy of the old file (undefined when nothing was written). */
  readonly backup?: string;
}

/**
 * Writes the upgraded file: first a backup next to it (server.ts.bak-v<from>, never overwriting an older
 * backup), then the new text atomically. Refuses when the file changed since `plan` was made.
 */
export async function applyUpgrade(plan: UpgradePlan): Promise<UpgradeResult> {
  if (plan.upToDate) return { plan };
  const current = await fs.readFile(plan.file, 'utf8').catch(() => undefined);
  if (current !== plan.oldText) throw new UpgradeRefusedError(plan.file, 'it changed since the update was prepared; run the update again');
  let backup = `${plan.file}.bak-v${plan.fromVersion}`;
  for (let n = 2; ; n++) {
    try {
      await fs.copyFile(plan.file, backup, fsc.COPYFILE_EXCL);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new MtlsError('E_WRITE', `cannot write the backup ${backup}: ${(e as Error).message}`, { cause: e });
      backup = `${plan.file}.bak-v${plan.fromVersion}-${n}`;
    }
  }
  await writeFileSet(path.dirname(plan.file), [{ name: path.basename(plan.file), contents: plan.newText }], { overwrite: true });
  return { plan, backup };
}
