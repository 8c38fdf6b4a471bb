/**
 * Quoting for the command lines we print for users to copy into a POSIX shell (bash, zsh, sh): every path,
 * URL or value goes through here, so a name with spaces, quotes or `$(…)` is passed as it is, never run.
 */

/** One shell word: left bare when it is plainly safe, else single-quoted (`'` written as `'\''`). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A file for curl's `--cert`, which reads `FILE[:PASSWORD]` and takes `\` as an escape: `\` and `:` in the
 * file name are escaped (`\\`, `\:`), as curl's manual says. Shell-quote the result (or append `:PASSWORD`
 * first). `--key`, `--cacert` and the other options take the name as it is.
 */
export function curlCertFile(file: string): string {
  return file.replace(/[\\:]/g, (c) => `\\${c}`);
}
