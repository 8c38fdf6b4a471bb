import * as path from 'node:path';
import { writeFileSet } from '../files';
import { renderServer, type ServerTemplateOptions } from './renderServer';

/** Name of the generated file. */
export const serverFileName = 'server.ts';

/** Writes DIR/server.ts (refusing to overwrite unless `overwrite`); resolves to its absolute path. */
export async function scaffoldServer(outDir: string, opts: ServerTemplateOptions = {}, write: { overwrite?: boolean; within?: string } = {}): Promise<string> {
  await writeFileSet(outDir, [{ name: serverFileName, contents: renderServer(opts) }], { overwrite: write.overwrite ?? false, within: write.within });
  return path.resolve(outDir, serverFileName);
}
