/**
 * The one PEM scanner: the decoder, the hovers and generation (reading a CA, a chain, a bundle) all read PEM
 * text through it. The grammar is RFC 7468's lax parsing, as OpenSSL accepts it, and a little more:
 *
 * - Text outside blocks is ignored: explanatory text (`openssl x509 -text` output, "Bag Attributes"), comments,
 *   other blocks' prose. Lines end in LF or CRLF.
 * - A block is a line `-----BEGIN LABEL-----`, its body, and a line `-----END LABEL-----` with the same label.
 *   Markers stand alone on their line; white space around them is allowed (indented PEM in YAML). A label is
 *   RFC 7468's: printable characters, single spaces or hyphens only between them (`CERTIFICATE`, `X9.42 DH PARAMETERS`).
 * - RFC 1421 headers right after BEGIN (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: …` of legacy encrypted keys) are
 *   kept, and the blank line after them skipped.
 * - The body is base64; white space anywhere in it (long lines, indentation, spaces) is ignored, as OpenSSL does.
 *
 * Strict where a file is damaged, with the line where it went wrong: a BEGIN with no END line (before the end
 * of text or the next BEGIN), an END whose label differs from its BEGIN, a character that is not base64,
 * base64 after its `=` padding, and a body that is empty or not a whole number of base64 quanta (cut short).
 * A damaged block is reported and the scan goes on, so the other blocks of a file are still read.
 */
import { parseDer } from '../asn1/der';
import { InputError } from '../errors';

/** Where a PEM block sits in its text: what hovers and the editor selection need. */
export interface PemBlockLocation {
  readonly type: string;
  /** 1-based line of the BEGIN line. */
  readonly startLine: number;
  /** 1-based line of the END line. */
  readonly endLine: number;
  /** Offset of the first character of the BEGIN line. */
  readonly startOffset: number;
  /** Offset one past the END line's last dash. */
  readonly endOffset: number;
}

/** One scanned block: its DER bytes, or why it could not be read. */
export interface PemBlock {
  /** 1-based block number in the file. */
  readonly index: number;
  readonly type: string;
  readonly startLine: number;
  readonly endLine?: number;
  readonly startOffset: number;
  readonly endOffset?: number;
  /** RFC 1421 headers (Proc-Type, DEK-Info) of legacy encrypted keys. */
  readonly headers: Readonly<Record<string, string>>;
  readonly der?: Buffer;
  readonly error?: { readonly code: 'pem-truncated' | 'pem-base64'; readonly message: string; readonly line?: number };
}

// RFC 7468 labelchar is any printable character but "-"; a label joins them with at most one space or hyphen.
const LABEL = '((?:[\\x21-\\x2C\\x2E-\\x7E]|[ -](?=[\\x21-\\x2C\\x2E-\\x7E]))*)';
const BEGIN = new RegExp(`^\\s*-----BEGIN ${LABEL}-----\\s*$`);
const END = new RegExp(`^\\s*-----END ${LABEL}-----\\s*$`);
const B64 = /^[A-Za-z0-9+/=]*$/;
const SPACE = /[ \t\v\f]+/g;

/** Splits text into lines, keeping each line's starting offset. */
function lines(text: string): { text: string; offset: number }[] {
  const out: { text: string; offset: number }[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      out.push({ text: text.slice(start), offset: start });
      return out;
    }
    out.push({ text: text.slice(start, nl > start && text[nl - 1] === '\r' ? nl - 1 : nl), offset: start });
    start = nl + 1;
  }
}

/** Strict base64 of a block body; errors name the file line. */
function decodeBody(body: { text: string; line: number }[], index: number): { der?: Buffer; error?: PemBlock['error'] } {
  const parts: string[] = [];
  let padSeenAt = 0;
  for (const l of body) {
    const t = l.text.replace(SPACE, '');
    if (t === '') continue;
    if (!B64.test(t)) {
      const bad = [...t].findIndex((c) => !/[A-Za-z0-9+/=]/.test(c));
      const ch = t[bad];
      return { error: { code: 'pem-base64', line: l.line, message: `PEM block ${index}: invalid base64 character ${JSON.stringify(ch)} at line ${l.line}` } };
    }
    if (padSeenAt) {
      return { error: { code: 'pem-base64', line: l.line, message: `PEM block ${index}: base64 continues after its '=' padding at line ${padSeenAt}` } };
    }
    const eq = t.indexOf('=');
    if (eq >= 0) {
      if (!/^=*$/.test(t.slice(eq)) || t.length - eq > 2) {
        return { error: { code: 'pem-base64', line: l.line, message: `PEM block ${index}: misplaced '=' padding at line ${l.line}` } };
      }
      padSeenAt = l.line;
    }
    parts.push(t);
  }
  const all = parts.join('');
  if (all.length === 0) return { error: { code: 'pem-base64', message: `PEM block ${index}: the block is empty` } };
  if (all.length % 4 !== 0) {
    return { error: { code: 'pem-base64', message: `PEM block ${index}: base64 ends early (${all.length} characters, not a multiple of 4 — the block is cut short)` } };
  }
  return { der: Buffer.from(all, 'base64') };
}

/** Scans text for PEM blocks, decoding each body; malformed blocks carry a precise error. */
export function scanPem(text: string): PemBlock[] {
  const ls = lines(text);
  const blocks: PemBlock[] = [];
  let open: { type: string; line: number; offset: number; body: { text: string; line: number }[]; headers: Record<string, string>; inHeaders: boolean } | undefined;
  const closeTruncated = () => {
    if (!open) return;
    const index = blocks.length + 1;
    blocks.push({
      index,
      type: open.type,
      startLine: open.line,
      startOffset: open.offset,
      headers: open.headers,
      error: { code: 'pem-truncated', line: open.line, message: `PEM block ${index}: no END line (BEGIN ${open.type} at line ${open.line})` },
    });
    open = undefined;
  };
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i];
    const lineNo = i + 1;
    // Cheap pre-check: most lines in a big file are base64 or prose, never markers.
    if (l.text.includes('-----')) {
      const b = BEGIN.exec(l.text);
      if (b) {
        closeTruncated();
        open = { type: b[1].trim(), line: lineNo, offset: l.offset, body: [], headers: {}, inHeaders: true };
        continue;
      }
      const e = END.exec(l.text);
      if (e && open) {
        const index = blocks.length + 1;
        const endType = e[1].trim();
        const endOffset = l.offset + l.text.lastIndexOf('-----') + 5;
        const base = { index, type: open.type, startLine: open.line, endLine: lineNo, startOffset: open.offset, endOffset, headers: open.headers };
        if (endType !== open.type) {
          blocks.push({ ...base, error: { code: 'pem-truncated', line: lineNo, message: `PEM block ${index}: END ${endType} at line ${lineNo} does not match BEGIN ${open.type}` } });
        } else {
          blocks.push({ ...base, ...decodeBody(open.body, index) });
        }
        open = undefined;
        continue;
      }
    }
    if (!open) continue;
    if (open.inHeaders) {
      const h = /^\s*([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(l.text);
      if (h) {
        open.headers[h[1]] = h[2].trim();
        continue;
      }
      open.inHeaders = false;
      if (l.text.trim() === '' && Object.keys(open.headers).length > 0) continue;
    }
    open.body.push({ text: l.text, line: lineNo });
  }
  closeTruncated();
  return blocks;
}

/** Locations of the complete PEM blocks in `text` (for hovers and code lenses). */
export function findPemBlocks(text: string): PemBlockLocation[] {
  const out: PemBlockLocation[] = [];
  for (const b of scanPem(text)) {
    if (b.endLine !== undefined && b.endOffset !== undefined) {
      out.push({ type: b.type, startLine: b.startLine, endLine: b.endLine, startOffset: b.startOffset, endOffset: b.endOffset });
    }
  }
  return out;
}

const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'TRUSTED CERTIFICATE', 'X509 CERTIFICATE']);

/**
 * The certificates (DER) in a PEM text, for generation reading a CA, a chain or a bundle. Stricter than the
 * decoder, because something will be built from the result: the first damaged block of any kind, or a block
 * whose bytes are not DER, throws an InputError naming `what` (a file name), so a truncated paste is caught
 * before anything is written; so does a text with no certificate.
 */
export function certificatesFromPem(text: string, what: string): Buffer[] {
  const certs: Buffer[] = [];
  for (const b of scanPem(text)) {
    if (b.error) throw new InputError(`${what} is ${b.error.code === 'pem-truncated' ? 'truncated' : 'damaged'}: ${b.error.message}.`);
    const bytes = b.der as Buffer;
    // Legacy encrypted keys (headers) hold ciphertext, not DER.
    if (Object.keys(b.headers).length === 0) {
      try {
        parseDer(bytes);
      } catch (e) {
        throw new InputError(`${what} is damaged or truncated: PEM block ${b.index} (${b.type}, line ${b.startLine}) is not valid DER (${(e as Error).message}).`, { cause: e });
      }
    }
    if (CERTIFICATE_LABELS.has(b.type)) certs.push(bytes);
  }
  if (certs.length === 0) throw new InputError(`${what} holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----").`);
  return certs;
}

export { toPem } from '../asn1/pemArmor';
