import { promises as fs, constants as fsc } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { MtlsError } from './errors';

/** One file of a set to write. Secrets (private keys, PKCS#12) get mode 0600, everything else 0644. */
export interface OutputFile {
  /** File name relative to the output folder. */
  readonly name: string;
  readonly contents: string | Buffer;
  readonly secret?: boolean;
}

export class FilesExistError extends MtlsError {
  constructor(readonly existing: readonly string[]) {
    super(
      'E_EXISTS',
      `${existing.length === 1 ? 'File already exists' : `${existing.length} files already exist`}: ${existing.join(', ')}. ` +
        'Nothing was written. Choose another folder, or confirm overwriting (CLI: --force).',
    );
    this.name = 'FilesExistError';
  }
}

export interface WriteResult {
  readonly written: readonly string[];
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** The files of `files` that already exist in `dir` (absolute paths). */
export async function existingFiles(dir: string, files: readonly OutputFile[]): Promise<string[]> {
  const found: string[] = [];
  for (const f of files) {
    const p = path.resolve(dir, f.name);
    if (await exists(p)) found.push(p);
  }
  return found;
}

/**
 * Writes a set of files all-or-nothing: refuses up front if any exists (unless `overwrite`), writes each
 * to a temporary sibling with its final mode, then renames into place, so a crash never leaves a
 * half-written key and an existing file is replaced in one step.
 */
export async function writeFileSet(dir: string, files: readonly OutputFile[], opts: { overwrite?: boolean } = {}): Promise<WriteResult> {
  const existing = await existingFiles(dir, files);
  if (existing.length > 0 && !opts.overwrite) throw new FilesExistError(existing);
  await fs.mkdir(dir, { recursive: true });
  // Stage every file in parallel (each fsync'd), then rename them all: the slow part, the syncs, overlap.
  const stage = async (f: OutputFile): Promise<{ tmp: string; final: string }> => {
    const final = path.resolve(dir, f.name);
    await fs.mkdir(path.dirname(final), { recursive: true });
    const tmp = path.join(path.dirname(final), `.${path.basename(final)}.${randomBytes(6).toString('hex')}.tmp`);
    const mode = f.secret ? 0o600 : 0o644;
    const handle = await fs.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, mode);
    try {
      await handle.writeFile(f.contents);
      await handle.chmod(mode); // exact mode whatever the umask
      await handle.sync();
    } finally {
      await handle.close();
    }
    return { tmp, final };
  };
  const settled = await Promise.allSettled(files.map(stage));
  const staged = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    for (const s of staged) await fs.rename(s.tmp, s.final);
  } catch (e) {
    await Promise.all(staged.map((s) => fs.rm(s.tmp, { force: true })));
    if (e instanceof MtlsError) throw e;
    throw new MtlsError('E_WRITE', `Could not write into ${dir}: ${(e as Error).message}`, { cause: e });
  }
  return { written: staged.map((s) => s.final) };
}

/** Key-file patterns to suggest for .gitignore. */
export const secretPatterns = ['*-key.pem', '*.key', '*.p12', '*.pfx'] as const;

/**
 * Adds `patterns` (relative to `root`) to root/.gitignore unless already present. Returns the lines
 * it added. Used only after the user agreed (VS Code) or asked (CLI).
 */
export async function addToGitignore(root: string, patterns: readonly string[]): Promise<string[]> {
  const file = path.join(root, '.gitignore');
  let current = '';
  try {
    current = await fs.readFile(file, 'utf8');
  } catch {
    /* no .gitignore yet */
  }
  const have = new Set(current.split(/\r?\n/).map((l) => l.trim()));
  const add = patterns.filter((p) => !have.has(p));
  if (add.length === 0) return [];
  const prefix = current.length === 0 || current.endsWith('\n') ? '' : '\n';
  await fs.writeFile(file, `${current}${prefix}# private keys (mTLS Workbench)\n${add.join('\n')}\n`);
  return add;
}
