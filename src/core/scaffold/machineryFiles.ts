// The webhook server's machinery: the files of src/server, which the scaffold copies into the user's workspace
// (mtls-server/) with a manifest of their SHA-256, so an upgrade can tell an edited file from ours.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MtlsError } from '../errors';

/** The folder the machinery is written to, beside the user's server.mts. */
export const machineryFolder = 'mtls-server';

/** The manifest's name inside {@link machineryFolder}. */
export const manifestName = 'manifest.json';

/** What the manifest records: the template version and each file's SHA-256 (hex). */
export interface MachineryManifest {
  readonly template: number;
  readonly files: Readonly<Record<string, string>>;
}

/** One machinery file, by its name inside the folder. */
export interface MachineryFile {
  readonly name: string;
  readonly contents: string;
}

/**
 * Where the machinery sources are: dist/mtls-server beside the running bundle (the VSIX, the CLI), or, in the
 * repository, src/server itself (before dist/, whose copy is only as fresh as the last build).
 */
function machinerySource(from = __dirname): string {
  let dir = from;
  for (;;) {
    for (const candidate of [
      path.join(dir, machineryFolder),
      path.join(dir, 'src', 'server'),
      path.join(dir, 'dist', machineryFolder),
    ]) {
      if (fs.existsSync(path.join(candidate, 'index.mts'))) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new MtlsError(
        'E_NO_MACHINERY',
        `the webhook server's machinery (${machineryFolder}/index.mts) is missing beside ${from}: rebuild (npm run build)`,
      );
    dir = parent;
  }
}

let cached: MachineryFile[] | undefined;

/** Every machinery file, sorted by name. */
export function machineryFiles(): MachineryFile[] {
  if (cached === undefined) {
    const dir = machinerySource();
    cached = fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.mts'))
      .sort()
      .map((name) => ({ name, contents: fs.readFileSync(path.join(dir, name), 'utf8') }));
  }
  return cached;
}

/** SHA-256 (hex) of a file's bytes, as the manifest records it. */
export function fileDigest(contents: string | Uint8Array): string {
  return createHash('sha256').update(contents).digest('hex');
}

/** The version the machinery declares (its config.mts `templateVersion`). */
export function machineryVersion(files: readonly MachineryFile[] = machineryFiles()): number {
  const config = files.find((f) => f.name === 'config.mts')?.contents ?? '';
  const m = /^export const templateVersion = (\d+);$/m.exec(config);
  if (!m) throw new MtlsError('E_NO_MACHINERY', 'the machinery does not declare its templateVersion (config.mts)');
  return Number(m[1]);
}

/** The manifest of the given files (default: the current machinery). */
export function machineryManifest(files: readonly MachineryFile[] = machineryFiles()): MachineryManifest {
  return {
    template: machineryVersion(files),
    files: Object.fromEntries(files.map((f) => [f.name, fileDigest(f.contents)])),
  };
}
