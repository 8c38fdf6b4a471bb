// Where the user's parts of a server file are (the fenced config and handlers blocks, which server.mts keeps
// too), and the line with which templates 2–4 recorded what wrote the rest of a single-file server.ts: its
// version, platforms and the machinery's fingerprint (SHA-256 of the file with the user's blocks emptied), so
// a migration can tell whether anything outside the user's blocks was edited.
import { createHash } from 'node:crypto';
import { allPlatforms, type Platform } from '../../webhook/platform';

export const markers = {
  configStart: '// ---- mtls-config',
  configEnd: '// ---- end mtls-config ----',
  handlersStart: '// ---- mtls-handlers',
  handlersEnd: '// ---- end mtls-handlers ----',
  machinery: '// ==== mtls-machinery',
} as const;

/** The interior of a fenced block: from the line after the start marker to the start of the end marker line. */
export interface BlockSpan {
  readonly start: number;
  readonly end: number;
}

/** Offsets of every line starting with `prefix`. */
function linesStartingWith(text: string, prefix: string): number[] {
  const found: number[] = [];
  for (let i = text.indexOf(prefix); i >= 0; i = text.indexOf(prefix, i + 1)) {
    if (i === 0 || text[i - 1] === '\n') found.push(i);
  }
  return found;
}

/**
 * The block between the two markers; undefined when either is missing; a string (why) when a marker occurs
 * more than once or the end comes first, since then the user's part cannot be told from the rest.
 */
export function findBlock(text: string, startMarker: string, endMarker: string): BlockSpan | string | undefined {
  const starts = linesStartingWith(text, startMarker);
  const ends = linesStartingWith(text, endMarker);
  if (starts.length === 0 || ends.length === 0)
    return starts.length + ends.length === 0
      ? undefined
      : `only one of the markers '${startMarker}' and '${endMarker}' is there`;
  if (starts.length > 1 || ends.length > 1)
    return `the marker '${starts.length > 1 ? startMarker : endMarker}' occurs more than once`;
  const startLineEnd = text.indexOf('\n', starts[0]);
  if (startLineEnd < 0 || ends[0] <= startLineEnd) return `'${endMarker}' comes before '${startMarker}'`;
  return { start: startLineEnd + 1, end: ends[0] };
}

const templateLineRe = /^\/\/ mtls-template: v(\d+) platforms=([a-z,]+) machinery=sha256:([0-9a-f]{16})$/m;
const templateLinePrefix = '// mtls-template:';

/** What the template line says. */
export interface TemplateLine {
  readonly version: number;
  readonly platforms: Platform[];
  readonly fingerprint: string;
}

/** Reads the template line; undefined when there is none (a file from before versions were recorded). */
export function readTemplateLine(text: string): TemplateLine | string | undefined {
  const count = linesStartingWith(text, templateLinePrefix).length;
  if (count === 0) return undefined;
  const m = templateLineRe.exec(text);
  if (count > 1 || m === null) return `the '${templateLinePrefix}' line was edited or repeated`;
  const platforms = (m[2] ?? '').split(',') as Platform[];
  if (platforms.length === 0 || platforms.some((p) => !allPlatforms.includes(p)))
    return `the '${templateLinePrefix}' line names an unknown platform`;
  return { version: Number(m[1]), platforms, fingerprint: m[3] ?? '' };
}

/** Empties the interiors of the given blocks (sorted, not overlapping). */
export function emptyBlocks(text: string, spans: readonly BlockSpan[]): string {
  let out = '';
  let at = 0;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    out += text.slice(at, s.start) + '\u0000';
    at = s.end;
  }
  return out + text.slice(at);
}

/** SHA-256 (first 16 hex digits) of everything that is not the user's: the text with the user's blocks emptied and no fingerprint. */
export function machineryFingerprint(skeleton: string): string {
  const normalised = skeleton.replace(/\r\n/g, '\n').replace(/(machinery=sha256:)[0-9a-f]{16}/, '$1');
  return createHash('sha256').update(normalised).digest('hex').slice(0, 16);
}
