// Converting a single-file server.ts (templates 1–4) to the layout of today: the user's server.mts, with the
// old config block and handler code carried over byte for byte, and the generated mtls-server/ folder. The
// old file is kept as server.ts.bak-v<N>. Refused, changing nothing, when the old file's machinery was edited
// (its own fingerprint, or template 1's known ones, no longer match) or its user parts cannot be told apart.
import * as path from 'node:path';
import type { OutputFile } from '../files';
import { assembleServer, declares, handlersInterior } from './renderServer';
import { carriedNames } from './carriedNames';
import { readSingleFileServer } from './legacyServer';
import { machinerySet, serverFileName, tsconfigKeptNote, tsconfigName, tsconfigText } from './scaffoldServer';
import { changesSince, templateVersion } from './template/changelog';
import type { Platform } from '../webhook/platform';
import { platformDeclarations } from './template/platforms';
import { UpgradeRefusedError, type UpgradePlan } from './upgradePlan';

/** What the planner needs to know of the folder (the planning itself reads nothing). */
export interface MigrationFolder {
  /** A tsconfig.json is already there (it is then left alone). */
  readonly tsconfigExists?: boolean;
}

/** Plans the conversion of a single-file server.ts text (pure). Throws UpgradeRefusedError. */
export function planMigration(text: string, file = 'server.ts', folder: MigrationFolder = {}): UpgradePlan {
  const crlf = text.includes('\r\n');
  const t = crlf ? text.replace(/\r\n/g, '\n') : text;
  const refuse = (reason: string): never => {
    throw new UpgradeRefusedError(file, reason);
  };
  const old = readSingleFileServer(t);
  if (typeof old === 'string') return refuse(old);
  const handlers =
    typeof old.handlers === 'string' ? old.handlers : handlersInterior(old.platforms, Object.fromEntries(old.handlers));
  const missingTable = old.platforms.find((p: Platform) => !declares(handlers, platformDeclarations[p].table));
  if (missingTable !== undefined)
    return refuse(
      `its handlers no longer declare ${platformDeclarations[missingTable].table}, which template ${old.version} dispatched ${missingTable} requests to`,
    );
  const userCode = old.config + handlers;
  const names = carriedNames(userCode, (n) => declares(userCode, n));
  let newText = assembleServer(old.platforms, { config: old.config, handlers }, names.extra);
  if (crlf) newText = newText.replace(/\n/g, '\r\n');
  const dir = path.dirname(path.resolve(file));
  const files: OutputFile[] = [{ name: serverFileName, contents: newText }, ...machinerySet()];
  const notes: string[] = [];
  if (folder.tsconfigExists === true) notes.push(tsconfigKeptNote);
  else files.push({ name: tsconfigName, contents: tsconfigText });
  if (names.missing.length > 0) {
    notes.push(
      `Your code uses ${names.missing.join(', ')}, which the old file's machinery declared and ${serverFileName} does not have: declare or import ${names.missing.length === 1 ? 'it' : 'them'} in ${serverFileName}.`,
    );
  }
  return {
    kind: 'migrate',
    file: path.resolve(file),
    dir,
    fromVersion: old.version,
    toVersion: templateVersion,
    platforms: old.platforms,
    upToDate: false,
    oldText: text,
    newText,
    changes: changesSince(old.version),
    files,
    machinery: [],
    notes,
    backup: `${path.resolve(file)}.bak-v${old.version}`,
  };
}
