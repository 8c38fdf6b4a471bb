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
 * - The body is base64; white space anywhere in it (long lines, indentation, spaces, a stray CR) is ignored, as
 *   OpenSSL does. Blank lines inside a body are skipped too, where OpenSSL stops reading.
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
const SPACE = /[ \t\v\f\r]+/g;

/** A block's body: from its first line after the headers to the start of its END line. */
interface BodyRange {
  readonly start: number;
  readonly end: number;
  /** 1-based line number of the body's first line. */
  readonly line: number;
}

// White space ignored inside a body, as OpenSSL's base64 decoder ignores it: spaces, tabs, CR and LF.
const BODY_SPACE = /[ \t\v\f\r\n]/g;
const WHOLE_B64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PADDING_TAIL = /^[= \t\v\f\r\n]*$/;

/**
 * Strict base64 of a block body. The common case (clean base64, padding only at the very end) is checked and
 * decoded in one pass over the body; anything else goes line by line, so the error names the file line.
 */
function decodeBody(text: string, body: BodyRange, index: number): { der?: Buffer; error?: PemBlock['error'] } {
  const raw = text.slice(body.start, body.end);
  const compact = raw.replace(BODY_SPACE, '');
  const pad = raw.indexOf('=');
  if (
    compact.length > 0 &&
    compact.length % 4 === 0 &&
    WHOLE_B64.test(compact) &&
    (pad < 0 || PADDING_TAIL.test(raw.slice(pad)))
  ) {
    return { der: Buffer.from(compact, 'base64') };
  }
  return decodeBodyByLine(text, body, index);
}

/** The line-by-line reading of a body that is not clean base64: the first fault, with its line. */
function decodeBodyByLine(text: string, body: BodyRange, index: number): { der?: Buffer; error?: PemBlock['error'] } {
  const parts: string[] = [];
  let padSeenAt = 0;
  let padding = 0;
  let lineNo = body.line;
  for (let p = body.start; p < body.end; lineNo++) {
    const nl = text.indexOf('\n', p);
    const stop = nl < 0 || nl >= body.end ? body.end : nl;
    const lineEnd = stop > p && text[stop - 1] === '\r' && stop === nl ? stop - 1 : stop;
    const t = text.slice(p, lineEnd).replace(SPACE, '');
    p = stop + 1;
    if (t === '') continue;
    if (!B64.test(t)) {
      const bad = [...t].findIndex((c) => !/[A-Za-z0-9+/=]/.test(c));
      const ch = t[bad];
      return {
        error: {
          code: 'pem-base64',
          line: lineNo,
          message: `PEM block ${index}: invalid base64 character ${JSON.stringify(ch)} at line ${lineNo}`,
        },
      };
    }
    if (padSeenAt) {
      // OpenSSL reads padding split over lines ("…=" then "="); anything else after padding is refused.
      if (/^=+$/.test(t) && padding + t.length <= 2) {
        padding += t.length;
        parts.push(t);
        continue;
      }
      return {
        error: {
          code: 'pem-base64',
          line: lineNo,
          message: `PEM block ${index}: base64 continues after its '=' padding at line ${padSeenAt}`,
        },
      };
    }
    const eq = t.indexOf('=');
    if (eq >= 0) {
      if (!/^=*$/.test(t.slice(eq)) || t.length - eq > 2) {
        return {
          error: {
            code: 'pem-base64',
            line: lineNo,
            message: `PEM block ${index}: misplaced '=' padding at line ${lineNo}`,
          },
        };
      }
      padSeenAt = lineNo;
      padding = t.length - eq;
    }
    parts.push(t);
  }
  const all = parts.join('');
  if (all.length === 0) return { error: { code: 'pem-base64', message: `PEM block ${index}: the block is empty` } };
  if (all.length % 4 !== 0) {
    return {
      error: {
        code: 'pem-base64',
        message: `PEM block ${index}: base64 ends early (${all.length} characters, not a multiple of 4 — the block is cut short)`,
      },
    };
  }
  return { der: Buffer.from(all, 'base64') };
}

/**
 * Scans text for PEM blocks, decoding each body; malformed blocks carry a precise error. Lines are walked in
 * place: only marker and header lines become strings, a body is kept as a range of the text.
 */
export function scanPem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let open:
    | {
        type: string;
        line: number;
        offset: number;
        bodyStart: number;
        bodyLine: number;
        headers: Record<string, string>;
        inHeaders: boolean;
      }
    | undefined;
  const closeTruncated = () => {
    if (!open) return;
    const index = blocks.length + 1;
    blocks.push({
      index,
      type: open.type,
      startLine: open.line,
      startOffset: open.offset,
      headers: open.headers,
      error: {
        code: 'pem-truncated',
        line: open.line,
        message: `PEM block ${index}: no END line (BEGIN ${open.type} at line ${open.line})`,
      },
    });
    open = undefined;
  };
  let lineNo = 0;
  let dashes = -1;
  for (let start = 0; start <= text.length;) {
    lineNo++;
    const nl = text.indexOf('\n', start);
    const stop = nl < 0 ? text.length : nl;
    const lineEnd = nl > start && text[nl - 1] === '\r' ? nl - 1 : stop;
    const offset = start;
    start = nl < 0 ? text.length + 1 : nl + 1;
    // Cheap pre-check: most lines in a big file are base64 or prose, never markers. The next run of dashes is
    // looked up once and reused until the walk passes it.
    if (dashes < offset) {
      const next = text.indexOf('-----', offset);
      dashes = next < 0 ? Infinity : next;
    }
    if (dashes < lineEnd) {
      const line = text.slice(offset, lineEnd);
      const b = BEGIN.exec(line);
      if (b) {
        closeTruncated();
        open = {
          type: b[1].trim(),
          line: lineNo,
          offset,
          bodyStart: start,
          bodyLine: lineNo + 1,
          headers: {},
          inHeaders: true,
        };
        continue;
      }
      const e = END.exec(line);
      if (e && open) {
        const index = blocks.length + 1;
        const endType = e[1].trim();
        const endOffset = offset + line.lastIndexOf('-----') + 5;
        const base = {
          index,
          type: open.type,
          startLine: open.line,
          endLine: lineNo,
          startOffset: open.offset,
          endOffset,
          headers: open.headers,
        };
        if (endType !== open.type) {
          blocks.push({
            ...base,
            error: {
              code: 'pem-truncated',
              line: lineNo,
              message: `PEM block ${index}: END ${endType} at line ${lineNo} does not match BEGIN ${open.type}`,
            },
          });
        } else {
          const bodyStart = open.inHeaders ? offset : open.bodyStart;
          blocks.push({
            ...base,
            ...decodeBody(
              text,
              { start: bodyStart, end: offset, line: open.inHeaders ? lineNo : open.bodyLine },
              index,
            ),
          });
        }
        open = undefined;
        continue;
      }
    }
    if (!open || !open.inHeaders) continue;
    const line = text.slice(offset, lineEnd);
    const h = /^\s*([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(line);
    if (h) {
      open.headers[h[1]] = h[2].trim();
      open.bodyStart = start;
      open.bodyLine = lineNo + 1;
      continue;
    }
    open.inHeaders = false;
    if (line.trim() === '' && Object.keys(open.headers).length > 0) {
      open.bodyStart = start;
      open.bodyLine = lineNo + 1;
      continue;
    }
    open.bodyStart = offset;
    open.bodyLine = lineNo;
  }
  closeTruncated();
  return blocks;
}

/** Locations of the complete PEM blocks in `text` (for hovers and code lenses). */
export function findPemBlocks(text: string): PemBlockLocation[] {
  const out: PemBlockLocation[] = [];
  for (const b of scanPem(text)) {
    if (b.endLine !== undefined && b.endOffset !== undefined) {
      out.push({
        type: b.type,
        startLine: b.startLine,
        endLine: b.endLine,
        startOffset: b.startOffset,
        endOffset: b.endOffset,
      });
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
    if (b.error)
      throw new InputError(
        `${what} is ${b.error.code === 'pem-truncated' ? 'truncated' : 'damaged'}: ${b.error.message}.`,
      );
    const bytes = b.der as Buffer;
    // Legacy encrypted keys (headers) hold ciphertext, not DER.
    if (Object.keys(b.headers).length === 0) {
      try {
        parseDer(bytes);
      } catch (e) {
        throw new InputError(
          `${what} is damaged or truncated: PEM block ${b.index} (${b.type}, line ${b.startLine}) is not valid DER (${(e as Error).message}).`,
          { cause: e },
        );
      }
    }
    if (CERTIFICATE_LABELS.has(b.type)) certs.push(bytes);
  }
  if (certs.length === 0)
    throw new InputError(`${what} holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----").`);
  return certs;
}

export { toPem } from '../asn1/pemArmor';
