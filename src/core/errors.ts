import type { MtlsErrorCode } from './errorCodes';

/**
 * Base class for every failure the user can act on. `message` is the user-facing sentence (what went
 * wrong and what to do); `code` is stable so callers (CLI exit codes, VS Code actions) can branch on it.
 */
export class MtlsError extends Error {
  constructor(
    readonly code: MtlsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MtlsError';
  }
}

/** The user's input is wrong (bad flag value, bad SAN, unknown key type): nothing was done. */
export class InputError extends MtlsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_INPUT', message, options);
    this.name = 'InputError';
  }
}

/** Node's file-system error codes a user can act on: what happened, and what to do about it. */
const FILE_SYSTEM_ERRORS: Readonly<Record<string, readonly [what: string, todo: string]>> = {
  ENOENT: ['no such file or folder', 'check the path'],
  EACCES: ['permission denied', 'choose a folder you can write to, or change its permissions'],
  EPERM: ['operation not permitted', 'choose a folder you can write to, or change its permissions'],
  EROFS: ['the file system is read-only', 'choose a folder on a writable disk'],
  ENOSPC: ['no space left on the device', 'free some space, or choose another disk'],
  EDQUOT: ['the disk quota is used up', 'free some space, or choose another disk'],
  ENAMETOOLONG: ['the name is too long for the file system', 'choose a shorter name'],
  ENOTDIR: ['a part of the path is a file, not a folder', 'check the path'],
  EISDIR: ['it is a folder, not a file', 'give a file name'],
  ELOOP: ['too many symbolic links in the path', 'give the real path'],
  EMFILE: ['too many files are open', 'close some programs and try again'],
  EBUSY: ['the file is busy', 'close the program that holds it and try again'],
};

const FILE_SYSTEM_VERBS: Readonly<Record<string, string>> = {
  open: 'open',
  read: 'read',
  lstat: 'reach',
  stat: 'reach',
  mkdir: 'create the folder',
  rename: 'write',
  write: 'write',
  unlink: 'remove',
  rmdir: 'remove',
  scandir: 'list',
  opendir: 'list',
  realpath: 'reach',
};

/**
 * A file-system failure (one of Node's system errors: a code, a syscall, usually a path) as an MtlsError that
 * names the path, says what happened and what to do; anything else is returned as it is.
 */
export function fromFileSystemError(e: unknown): unknown {
  if (!(e instanceof Error) || e instanceof MtlsError) return e;
  const { code, syscall, path } = e as NodeJS.ErrnoException;
  const known = code === undefined ? undefined : FILE_SYSTEM_ERRORS[code];
  if (!known || syscall === undefined) return e;
  const verb = FILE_SYSTEM_VERBS[syscall] ?? syscall;
  return new MtlsError(
    `E_FS_${code}`,
    `cannot ${verb}${path ? ` ${path}` : ''}: ${known[0]} (${code}). ${known[1][0].toUpperCase()}${known[1].slice(1)}.`,
    { cause: e },
  );
}
