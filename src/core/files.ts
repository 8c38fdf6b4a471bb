import { promises as fs, constants as fsc, type Stats } from 'node:fs';
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

/** An output path (or a folder on the way to it) is a symbolic link: writing would land wherever it points. */
export class SymlinkRefusedError extends MtlsError {
  constructor(readonly link: string) {
    super(
      'E_SYMLINK',
      `${link} is a symbolic link; nothing was written (a link could send a key or certificate anywhere it points). Remove the link or give the real path.`,
    );
    this.name = 'SymlinkRefusedError';
  }
}

export interface WriteResult {
  readonly written: readonly string[];
  /** The files of `written` that replaced an existing file. */
  readonly replaced: readonly string[];
}

export interface WriteOptions {
  /** Replace existing files (never through a symbolic link). */
  readonly overwrite?: boolean;
  /**
   * The folder the user works in (the workspace root, the CLI's working directory): no path component below
   * it down to each file may be a symbolic link, so a link planted in a repository (a certs folder pointing at
   * ~/.ssh) is refused. The folder itself, and an output folder outside it, are taken as given: they are the
   * user's choice, and links there are ordinary (macOS's /tmp and /var, a home folder on another disk).
   * Default: the output folder. The files themselves are never written through a link.
   */
  readonly within?: string;
}

/**
 * Folders we create are 0755 whatever the umask: never group/world writable (whoever can write the
 * folder can swap a certificate or key for their own), but still listable and readable, so a server
 * running as another user can read the certificates; confidentiality comes from each key file's 0600.
 */
const FOLDER_MODE = 0o755;

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR')
      return undefined;
    throw e;
  }
}

/** The files of `files` that already exist in `dir` (absolute paths). */
/** Whether anything (a file, a folder, a link) is at `p`; a link is not followed. */
export function pathExists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

export async function existingFiles(dir: string, files: readonly OutputFile[]): Promise<string[]> {
  const found: string[] = [];
  for (const f of files) {
    const p = path.resolve(dir, f.name);
    if (await lstatOrUndefined(p)) found.push(p);
  }
  return found;
}

const isInside = (parent: string, p: string) => {
  const rel = path.relative(parent, p);
  return !rel.startsWith('..') && !path.isAbsolute(rel);
};

/** Throws SymlinkRefusedError when `target`, or any folder below `top` on the way to it, is a link. */
async function refuseLinks(top: string, target: string): Promise<void> {
  if (!isInside(top, target)) throw new MtlsError('E_INPUT', `${target} is outside ${top}; nothing was written.`);
  let p = top;
  for (const part of path.relative(top, target).split(path.sep).filter(Boolean)) {
    p = path.join(p, part);
    if ((await lstatOrUndefined(p))?.isSymbolicLink()) throw new SymlinkRefusedError(p);
  }
}

/** Refuses (SymlinkRefusedError) when any file of the set would be written through a symbolic link; returns the absolute targets. */
export async function checkNoLinks(dir: string, files: readonly OutputFile[], within?: string): Promise<string[]> {
  dir = path.resolve(dir);
  const safe = within ? path.resolve(within) : undefined;
  const top = safe && isInside(safe, dir) ? safe : dir;
  const finals = files.map((f) => path.resolve(dir, f.name));
  for (const final of finals) await refuseLinks(top, final);
  return finals;
}

/** mkdir -p with FOLDER_MODE on every folder it creates (mkdir's mode is filtered by the umask). */
async function makeFolder(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let p = path.resolve(dir); !(await lstatOrUndefined(p)); p = path.dirname(p)) {
    missing.unshift(p);
    if (path.dirname(p) === p) break;
  }
  for (const p of missing) {
    try {
      await fs.mkdir(p, { mode: FOLDER_MODE });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      continue; // made by someone else meanwhile: not ours to chmod
    }
    await fs.chmod(p, FOLDER_MODE);
  }
}

const tempName = (final: string, kind: 'tmp' | 'old') =>
  path.join(path.dirname(final), `.${path.basename(final)}.${randomBytes(6).toString('hex')}.${kind}`);

/**
 * Writes a set of files all-or-nothing. Refuses up front if any target exists (unless `overwrite`) or is
 * reached through a symbolic link (always); writes each to a temporary sibling with its final mode and
 * fsyncs it; then moves the old files aside and the new ones in. If any step fails, everything already
 * replaced is put back, so a set (a CA and the leaves it signed) is never left half old, half new.
 */
export async function writeFileSet(
  dir: string,
  files: readonly OutputFile[],
  opts: WriteOptions = {},
): Promise<WriteResult> {
  dir = path.resolve(dir);
  const finals = await checkNoLinks(dir, files, opts.within);
  const existing = await existingFiles(dir, files);
  if (existing.length > 0 && !opts.overwrite) {
    // Overwriting would not help a folder where a file should go: say that instead of offering it.
    for (const p of existing) {
      if ((await lstatOrUndefined(p))?.isDirectory())
        throw new MtlsError(
          'E_INPUT',
          `${p} is a folder; nothing was written. Give the path of a file, not of a folder.`,
        );
    }
    throw new FilesExistError(existing);
  }
  try {
    await makeFolder(dir);
  } catch (e) {
    throw new MtlsError(
      'E_WRITE',
      `Could not create the folder ${dir}: ${(e as Error).message}. Nothing was written.`,
      { cause: e },
    );
  }
  // Stage every file in parallel (each fsync'd), then rename them all: the slow part, the syncs, overlap.
  const stage = async (f: OutputFile, final: string): Promise<{ tmp: string; final: string }> => {
    await makeFolder(path.dirname(final));
    const tmp = tempName(final, 'tmp');
    const mode = f.secret ? 0o600 : 0o644;
    const handle = await fs.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | (fsc.O_NOFOLLOW ?? 0), mode);
    try {
      await handle.writeFile(f.contents);
      await handle.chmod(mode); // exact mode whatever the umask
      await handle.sync();
    } finally {
      await handle.close();
    }
    return { tmp, final };
  };
  const settled = await Promise.allSettled(files.map((f, i) => stage(f, finals[i])));
  const staged = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(staged.map((s) => fs.rm(s.tmp, { force: true })));
    const e = failed.reason as Error;
    throw e instanceof MtlsError
      ? e
      : new MtlsError('E_WRITE', `Could not write into ${dir}: ${e.message}. Nothing was written.`, { cause: e });
  }

  // Replace: the old file goes aside (regular files only; a folder in the way makes the rename fail),
  // then the new one in. `done` records each step so a failure can undo exactly what happened.
  const done: { final: string; old?: string }[] = [];
  const replaced: string[] = [];
  let failure: { file: string; error: Error } | undefined;
  for (const s of staged) {
    let old: string | undefined;
    try {
      const st = await lstatOrUndefined(s.final);
      if (st?.isSymbolicLink()) throw new SymlinkRefusedError(s.final); // appeared since the check
      if (st?.isFile()) {
        old = tempName(s.final, 'old');
        await fs.rename(s.final, old);
      }
      await fs.rename(s.tmp, s.final);
      done.push({ final: s.final, old });
      if (old) replaced.push(s.final);
    } catch (e) {
      if (old) await fs.rename(old, s.final).catch(() => undefined);
      failure = { file: s.final, error: e as Error };
      break;
    }
  }
  if (failure) {
    const stuck: string[] = [];
    for (const d of done.reverse()) {
      try {
        if (d.old) await fs.rename(d.old, d.final);
        else await fs.rm(d.final, { force: true });
      } catch {
        stuck.push(d.old ? `${d.final} (old version kept as ${d.old})` : d.final);
      }
    }
    await Promise.all(staged.map((s) => fs.rm(s.tmp, { force: true })));
    const { file, error } = failure;
    const why =
      (error as NodeJS.ErrnoException).code === 'EISDIR' ||
      (error as NodeJS.ErrnoException).code === 'ENOTEMPTY' ||
      (error as NodeJS.ErrnoException).code === 'EEXIST'
        ? 'a folder is in the way'
        : error.message;
    const n = done.length;
    const undone =
      n === 0
        ? 'nothing had been replaced yet, so nothing changed'
        : stuck.length === 0
          ? `the ${n} file${n === 1 ? '' : 's'} of the set already written ${n === 1 ? 'was' : 'were'} rolled back, so nothing changed`
          : `rolling back failed for ${stuck.join('; ')}`;
    throw new MtlsError('E_WRITE', `Could not replace ${file} (${why}); ${undone}.`, { cause: error });
  }
  // Committed: the old versions are no longer needed.
  await Promise.all(done.filter((d) => d.old).map((d) => fs.rm(d.old!, { force: true })));
  return { written: staged.map((s) => s.final), replaced };
}

/** Writes one file through writeFileSet: the same refusals (exists, symbolic link) and atomic replace. */
export async function writeOneFile(
  file: string,
  contents: string | Buffer,
  opts: WriteOptions & { secret?: boolean } = {},
): Promise<WriteResult> {
  const abs = path.resolve(file);
  return writeFileSet(path.dirname(abs), [{ name: path.basename(abs), contents, secret: opts.secret }], {
    overwrite: opts.overwrite,
    within: opts.within,
  });
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
  await writeOneFile(file, `${current}${prefix}# private keys (mTLS Workbench)\n${add.join('\n')}\n`, {
    overwrite: true,
    within: root,
  });
  return add;
}
