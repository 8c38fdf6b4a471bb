import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../errors';
import { writeFileSet } from '../files';
import type { Jwks } from './testIdToken';

/** True when `text` is a JWKS (a JSON object with a `keys` array): the only kind of file we replace unasked. */
function isJwks(text: string): boolean {
  try {
    const doc = JSON.parse(text) as unknown;
    return typeof doc === 'object' && doc !== null && Array.isArray((doc as { keys?: unknown }).keys);
  } catch {
    return false;
  }
}

/**
 * Writes the test JWKS atomically (a server re-reads it while running). An earlier JWKS is replaced, since
 * every send makes a new key; any other existing file is kept unless `force`.
 */
export async function writeJwks(file: string, jwks: Jwks, force = false): Promise<string> {
  const abs = path.resolve(file);
  const old = await fs.readFile(abs, 'utf8').catch(() => undefined);
  if (old !== undefined && !force && !isJwks(old))
    throw new InputError(`${file} exists and is not a JWKS: nothing was written (choose another file, or --force).`);
  await writeFileSet(
    path.dirname(abs),
    [{ name: path.basename(abs), contents: `${JSON.stringify(jwks, null, 2)}\n` }],
    { overwrite: true },
  );
  return abs;
}
