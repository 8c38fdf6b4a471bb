import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fromFileSystemError, MtlsError } from '../errors';

/** A scaffolded server file (server.mts, or a single-file server.ts), read whole: its absolute path and text, or ENOENT_SERVER saying how to make one. */
export async function readServerFile(file: string): Promise<{ abs: string; text: string }> {
  const abs = path.resolve(file);
  try {
    return { abs, text: await fs.readFile(abs, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR')
      throw new MtlsError(
        'ENOENT_SERVER',
        `${abs} is a folder: give the server file in it (e.g. ${path.join(abs, 'server.mts')}), or create one with: mtls scaffold --out ${abs}`,
        { cause: e },
      );
    if (code !== 'ENOENT') throw fromFileSystemError(e);
    throw new MtlsError('ENOENT_SERVER', `server file not found: ${abs} (create it with: mtls scaffold --out DIR)`, {
      cause: e,
    });
  }
}
