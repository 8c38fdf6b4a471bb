// What `mtls scaffold` writes: the user's server.mts, the generated machinery in mtls-server/ with its
// manifest (each file's SHA-256, so an upgrade can tell an edited file from ours), and a tsconfig.json for the
// editor when the folder has none. Written as one set, all or nothing.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FilesExistError, pathExists as exists, writeFileSet, type OutputFile } from '../files';
import { MtlsError } from '../errors';
import { shellQuote } from '../shellQuote';
import { renderServer, type ServerTemplateOptions } from './renderServer';
import { machineryFiles, machineryFolder, machineryManifest, manifestName, type MachineryFile } from './machineryFiles';
import { templateVersionOf } from './legacyServer';

/** Name of the user's file. */
export const serverFileName = 'server.mts';

/** The editor settings written beside server.mts when the folder has none. */
export const tsconfigName = 'tsconfig.json';

/** What server.mts and the machinery need from TypeScript (a module-aware resolution that takes .mts imports). */
export const tsconfigText = `${JSON.stringify(
  {
    compilerOptions: {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'ES2022',
      strict: true,
      noEmit: true,
      allowImportingTsExtensions: true,
      // Node strips types without compiling them: enum, namespace and parameter properties fail only at start.
      erasableSyntaxOnly: true,
      verbatimModuleSyntax: true,
      skipLibCheck: true,
    },
    include: [serverFileName, machineryFolder],
  },
  null,
  2,
)}\n`;

/** Said when a tsconfig.json is already there: it is left alone, so these are the options to check. */
export const tsconfigKeptNote = `${tsconfigName} already exists and was left as it is. For the editor to check ${serverFileName}, it needs "module" and "moduleResolution" "nodenext" (or "node16"), "allowImportingTsExtensions" with "noEmit", and ${serverFileName} and ${machineryFolder}/ in its "include".`;

/** The machinery's files as they go into the folder: every file of src/server, then manifest.json. */
export function machinerySet(files: readonly MachineryFile[] = machineryFiles()): OutputFile[] {
  return [
    ...files.map((f) => ({ name: `${machineryFolder}/${f.name}`, contents: f.contents })),
    { name: `${machineryFolder}/${manifestName}`, contents: `${JSON.stringify(machineryManifest(files), null, 2)}\n` },
  ];
}

/** The whole set for a new project in `dir`: server.mts, the machinery, and tsconfig.json unless one exists. */
export async function serverFileSet(
  dir: string,
  opts: ServerTemplateOptions = {},
): Promise<{ files: OutputFile[]; tsconfig: 'written' | 'kept' }> {
  const kept = await exists(path.join(dir, tsconfigName));
  const files: OutputFile[] = [{ name: serverFileName, contents: renderServer(opts) }, ...machinerySet()];
  if (!kept) files.push({ name: tsconfigName, contents: tsconfigText });
  return { files, tsconfig: kept ? 'kept' : 'written' };
}

/**
 * What stands in the way of a new scaffold in `dir` (absolute paths): an existing server.mts or machinery
 * folder, or a single-file server.ts of an earlier template (which an upgrade converts instead).
 */
export async function scaffoldObstacles(
  dir: string,
): Promise<{ existing: string[]; legacy?: { file: string; version: number } }> {
  const existing = [path.join(dir, serverFileName), path.join(dir, machineryFolder)];
  const found = (await Promise.all(existing.map(exists))).flatMap((e, i) => (e ? [existing[i]] : []));
  const legacyFile = path.join(dir, 'server.ts');
  const text = await fs.readFile(legacyFile, 'utf8').catch(() => undefined);
  const version = text === undefined ? undefined : templateVersionOf(text);
  return {
    existing: found,
    ...(version !== undefined && version <= 4 ? { legacy: { file: legacyFile, version } } : {}),
  };
}

/** The refusal when a single-file server.ts of an earlier template is where a new scaffold would go. */
export function legacyInTheWay(legacy: { file: string; version: number }): MtlsError {
  return new MtlsError(
    'E_EXISTS',
    `${legacy.file} is a single-file server written by an earlier mTLS Workbench (template ${legacy.version}). Nothing was written. Convert it, keeping your config and handlers: mtls scaffold --upgrade ${shellQuote(legacy.file)} (VS Code: mTLS: Update Webhook Server); or write a new server beside it: mtls scaffold --out ${shellQuote(path.dirname(legacy.file))} --force.`,
  );
}

/** Removes files of `dir`/mtls-server that the current machinery no longer has (after --force wrote it anew). */
export async function removeStaleMachinery(dir: string): Promise<string[]> {
  const folder = path.join(dir, machineryFolder);
  const keep = new Set([...machineryFiles().map((f) => f.name), manifestName]);
  const stale = (await fs.readdir(folder).catch(() => [] as string[])).filter((n) => !keep.has(n));
  await Promise.all(stale.map((n) => fs.rm(path.join(folder, n), { recursive: true, force: true })));
  return stale.map((n) => path.join(folder, n));
}

/** What a scaffold wrote. */
export interface ScaffoldResult {
  /** The user's server.mts (absolute). */
  readonly file: string;
  readonly written: readonly string[];
  /** Whether tsconfig.json was written, or an existing one kept (then `note` says what it needs). */
  readonly tsconfig: 'written' | 'kept';
  readonly note?: string;
}

/**
 * Writes server.mts, mtls-server/ and (when absent) tsconfig.json into `outDir`, all or nothing. Refuses an
 * existing server.mts or mtls-server/ unless `overwrite`, and a single-file server.ts of an earlier template
 * (mtls scaffold --upgrade converts it, keeping its config and handlers) unless `overwrite`.
 */
export async function scaffoldServerFiles(
  outDir: string,
  opts: ServerTemplateOptions = {},
  write: { overwrite?: boolean; within?: string } = {},
): Promise<ScaffoldResult> {
  const dir = path.resolve(outDir);
  const { files, tsconfig } = await serverFileSet(dir, opts);
  if (write.overwrite !== true) {
    const { existing, legacy } = await scaffoldObstacles(dir);
    if (existing.length > 0) throw new FilesExistError(existing);
    if (legacy !== undefined) throw legacyInTheWay(legacy);
  }
  const { written } = await writeFileSet(dir, files, { overwrite: write.overwrite ?? false, within: write.within });
  if (write.overwrite === true) await removeStaleMachinery(dir);
  return {
    file: path.join(dir, serverFileName),
    written,
    tsconfig,
    ...(tsconfig === 'kept' ? { note: tsconfigKeptNote } : {}),
  };
}

/** Writes the scaffold (see scaffoldServerFiles); resolves to the absolute path of server.mts. */
export async function scaffoldServer(
  outDir: string,
  opts: ServerTemplateOptions = {},
  write: { overwrite?: boolean; within?: string } = {},
): Promise<string> {
  return (await scaffoldServerFiles(outDir, opts, write)).file;
}
