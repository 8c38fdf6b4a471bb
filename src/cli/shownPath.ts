import * as path from 'node:path';
import { shellQuote } from '../core/shellQuote';

/** A path as printed for the user: relative to the working directory when inside it, absolute otherwise. */
export function shownPath(cwd: string, p: string): string {
  const r = path.relative(cwd, p);
  return r === '' ? '.' : r.startsWith('..') || path.isAbsolute(r) ? p : r;
}

/** `shownPath`, shell-quoted: a word for a printed command the user copies. */
export function shownArg(cwd: string, p: string): string {
  return shellQuote(shownPath(cwd, p));
}
