/**
 * Putting untrusted text (a server's certificate subject, a SAN or URI from a file, a response body, an error
 * quoting them) on a terminal without the terminal acting on it: an ESC starts sequences that clear the screen,
 * set the window title, write the clipboard (OSC 52) or draw links (OSC 8); C1 controls do the same on terminals
 * that read them; bidirectional overrides make `gnp.exe` look like `exe.png`. Each becomes a visible escape.
 */

/*
 * C0 controls except tab and newline, DEL, C1 controls, and the bidirectional formatting characters: the
 * embeddings and overrides (U+202A–U+202E), the isolates (U+2066–U+2069) and the marks (U+200E, U+200F, U+061C).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_VALUE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * C0 controls as `\x1b`, the rest as `\u202e`: the output of `JSON.stringify` holds no raw C0 control, so what
 * this writes there is always a valid JSON escape and `--json` output stays parseable.
 */
function visible(c: string): string {
  const n = c.charCodeAt(0);
  return n < 0x20 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** Text for a terminal, lines and tabs kept: every other control and bidi character as a visible escape. */
export function terminalText(text: string): string {
  return text.replace(UNSAFE_IN_TEXT, visible);
}

/** One value for a line of terminal output: also its newlines, carriage returns and tabs, so it cannot forge a line. */
export function terminalValue(text: string): string {
  return text.replace(UNSAFE_IN_VALUE, visible);
}

/**
 * The same data with every string made a one-line terminal value (arrays and plain objects copied, anything else
 * such as a Date or a Buffer kept): for a report rendered from values a peer or a file chose.
 */
export function terminalValues<T>(data: T): T {
  if (typeof data === 'string') return terminalValue(data) as T;
  if (Array.isArray(data)) return data.map((x: unknown) => terminalValues(x)) as T;
  if (data !== null && typeof data === 'object') {
    const proto = Object.getPrototypeOf(data) as unknown;
    if (proto !== Object.prototype && proto !== null) return data;
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, terminalValues(v)])) as T;
  }
  return data;
}
