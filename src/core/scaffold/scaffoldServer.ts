import * as path from 'node:path';
import { writeFileSet } from '../files';
import { renderServer, type ServerTemplateOptions } from './renderServer';

/** Name of the generated file. */
export const serverFileName = 'server.ts';

/** Startup line printed by the generated server; group 1 is its URL. The VS Code layer waits for it. */
export const serverReadyLine = /^mTLS webhook listening on (https:\/\/\S+) \(client certificates required; CA: (.*)\)$/m;

/** Startup failure line of the generated server: group 1 is the code (EADDRINUSE, ENOENT_KEY, …). */
export const serverErrorLine = /^mtls-server error \[([A-Z0-9_]+)\]: (.*)$/m;

/** Writes DIR/server.ts (refusing to overwrite unless `overwrite`); resolves to its absolute path. */
export async function scaffoldServer(outDir: string, opts: ServerTemplateOptions = {}, write: { overwrite?: boolean } = {}): Promise<string> {
  await writeFileSet(outDir, [{ name: serverFileName, contents: renderServer(opts) }], { overwrite: write.overwrite ?? false });
  return path.resolve(outDir, serverFileName);
}
