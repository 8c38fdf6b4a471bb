/**
 * Reading a file the user named (a certificate, key, bundle or settings file). Only regular files are read
 * (a FIFO would block forever, /dev/zero would never end), and only up to MAX_INPUT_BYTES.
 */
import { constants, promises as fs, type Stats } from 'node:fs';
import { stripUtf8Bom } from './byteOrderMark';
import { InputError } from './errors';

/**
 * The largest input file read. Certificates, keys and bundles are kilobytes; a dump of every public root
 * store is a few MiB. 64 MiB leaves ample room and still refuses a disk image or a log given by mistake.
 */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** What kind of thing a non-regular path is, in words. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** Why a file of `size` bytes is not read, or undefined when it is small enough. */
export function inputSizeProblem(size: number, file: string): string | undefined {
  if (size <= MAX_INPUT_BYTES) return undefined;
  return `${file} is ${mib(size)}, over the ${MAX_INPUT_BYTES / 1048576} MiB limit for the files this tool reads (certificates, keys and bundles are kilobytes): is it the right file?`;
}

function pathProblem(st: Stats, file: string): string | undefined {
  if (!st.isFile())
    return `${file} is ${kindOf(st)}, not a file: give the path of the certificate, key or bundle file itself`;
  return inputSizeProblem(st.size, file);
}

/** How errors name the file: `what` it is ("the CA certificate") and its path as the user gave it. */
export interface InputFileName {
  what?: string;
  shown?: string;
}

/**
 * A user-named file's bytes. Throws InputError when it is missing, not a regular file (after following
 * links) or larger than MAX_INPUT_BYTES.
 */
export async function readInputFile(file: string, name: InputFileName = {}): Promise<Buffer> {
  const shown = name.shown ?? file;
  const named = name.what ? `${name.what} ${shown}` : shown;
  // Sentences that start with the name: "The CA certificate ca.pem is …", or the path exactly as given.
  const Named = name.what ? `${name.what.charAt(0).toUpperCase()}${name.what.slice(1)} ${shown}` : shown;
  let st: Stats;
  try {
    st = await fs.stat(file);
  } catch (e) {
    throw new InputError(
      `Cannot read ${named}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      { cause: e },
    );
  }
  const before = pathProblem(st, Named);
  if (before) throw new InputError(before);
  // O_NONBLOCK: should the path become a FIFO between stat and open, opening it cannot hang (no-op for files).
  const handle = await fs.open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)).catch((e: unknown) => {
    throw new InputError(`Cannot read ${named}: ${(e as Error).message}`, { cause: e });
  });
  try {
    const now = await handle.stat();
    const after = pathProblem(now, Named);
    if (after) throw new InputError(after);
    // Read to the end, but never past one byte over the limit: a file that grows while being read is refused too.
    let buf = Buffer.alloc(Math.min(now.size, MAX_INPUT_BYTES) + 1);
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        if (length > MAX_INPUT_BYTES) throw new InputError(inputSizeProblem(length, Named) ?? '');
        const bigger = Buffer.alloc(Math.min(buf.length * 2, MAX_INPUT_BYTES + 1));
        buf.copy(bigger, 0, 0, length);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, length, buf.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buf.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** `readInputFile` as UTF-8 text, without a leading byte order mark. */
export async function readInputText(file: string, name: InputFileName = {}): Promise<string> {
  return stripUtf8Bom(await readInputFile(file, name)).toString('utf8');
}
