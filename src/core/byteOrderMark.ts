// Windows Notepad (and some other Windows tools) start the UTF-8 files they save with a byte order mark.
// OpenSSL and VS Code read such files as if it were absent; so do we.

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The bytes without a leading UTF-8 byte order mark (the same buffer when there is none). */
export function stripUtf8Bom(bytes: Buffer): Buffer {
  return bytes.subarray(0, 3).equals(UTF8_BOM) ? bytes.subarray(3) : bytes;
}

/** Text without a leading byte order mark (U+FEFF), as decoded from UTF-8. */
export function stripBomText(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** True when the text starts with a byte order mark. */
export function hasBomText(text: string): boolean {
  return text.charCodeAt(0) === 0xfeff;
}
