// Where a workspace's server is, and whether it is the earlier single-file kind: every consumer (serve, check,
// init, the VS Code commands) finds the user's file the same way.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MtlsError } from '../errors';
import { pathExists } from '../localProbes';
import { shellQuote } from '../shellQuote';
import { serverFileName } from './scaffoldServer';
import { readServerFile } from './serverFile';
import { templateVersionOf } from './legacyServer';

/** The file name of the single-file server written by templates 1 to 4. */
export const legacyServerFileName = 'server.ts';

/** A single-file server.ts from an earlier mTLS Workbench: it has no --print-config, so nothing can read it. */
export class LegacyServerError extends MtlsError {
  constructor(
    readonly file: string,
    readonly version: number,
  ) {
    super(
      'E_LEGACY_SERVER',
      `${file} is a single-file server written by an earlier mTLS Workbench (template ${version}). Convert it to ${serverFileName} (yours) + mtls-server/ (generated), keeping your config and handlers byte for byte and the old file as ${path.basename(file)}.bak-v${version}: mtls scaffold --upgrade ${shellQuote(file)} (VS Code: mTLS: Update Webhook Server).`,
    );
    this.name = 'LegacyServerError';
  }
}

/** Throws LegacyServerError when `text` (the contents of `file`) is a single-file server of templates 1–4. */
export function refuseLegacyServer(file: string, text: string): void {
  const version = templateVersionOf(text);
  if (version !== undefined) throw new LegacyServerError(file, version);
}

async function isFolder(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** The server in `dir`: server.mts, else a single-file server.ts (`legacy`), else undefined. */
export async function serverFileIn(dir: string): Promise<{ file: string; legacy: boolean } | undefined> {
  const current = path.join(path.resolve(dir), serverFileName);
  if (await pathExists(current)) return { file: current, legacy: false };
  const legacy = path.join(path.resolve(dir), legacyServerFileName);
  if (await pathExists(legacy)) return { file: legacy, legacy: true };
  return undefined;
}

/**
 * The server file a command runs: `given` (resolved against `cwd`) when it is a file, else the server.mts of
 * the folder `given` names (default `cwd`). A folder with only a single-file server.ts gets LegacyServerError
 * (with the upgrade command); a folder with neither, ENOENT_SERVER (with the scaffold command).
 */
export async function resolveServerFile(cwd: string, given?: string): Promise<string> {
  // A named file is read (and a single-file one refused) by readServerConfig; a named folder is searched.
  const dir = given === undefined ? path.resolve(cwd) : path.resolve(cwd, given);
  if (given !== undefined && !(await isFolder(dir))) return dir;
  const found = await serverFileIn(dir);
  if (found === undefined) {
    throw new MtlsError(
      'ENOENT_SERVER',
      `no ${serverFileName} in ${dir}: create one with mtls scaffold --out ${shellQuote(dir)} --platform cx|es|kore`,
    );
  }
  if (found.legacy) {
    const { text } = await readServerFile(found.file);
    refuseLegacyServer(found.file, text);
    // A server.ts that is no single-file server of ours: still point at server.mts.
    throw new MtlsError(
      'ENOENT_SERVER',
      `no ${serverFileName} in ${dir} (its ${legacyServerFileName} was not written by mtls scaffold): create one with mtls scaffold --out ${shellQuote(dir)}`,
    );
  }
  return found.file;
}
