// The single-file server.ts of templates 1 to 4, read for its user parts (the config block and the handler
// code) so a migration can carry them into server.mts byte for byte.
//
// Templates 2 to 4 fence the user parts with marker lines and carry a template line whose fingerprint is the
// SHA-256 of the file with those parts emptied: a file whose machinery was edited no longer matches its own
// fingerprint. Template 1 (written before versions were recorded) has no handlers block and no template line.
// Its user parts are the config block and, per platform, the handler table and fallback (from "const
// cxHandlers" to the next "// ---- " section heading). Everything else must be exactly what template 1
// wrote, which the fingerprints below (per platform choice) vouch for. Template 1 had four printings: the
// first, module-neutral, with the @types/node reference, and with Google ID-token verification and
// public-root pinning.
import {
  emptyBlocks,
  findBlock,
  machineryFingerprint,
  markers,
  readTemplateLine,
  type BlockSpan,
} from './template/layout';
import { allPlatforms, type Platform } from '../webhook/platform';

const legacyFingerprints: Record<string, readonly string[]> = {
  cx: ['c35b966dccc033e2', '429621332c9940be', '7c91ed64ef6367e5', '44df5cea2cdcd100'],
  es: ['27033822322af92b', '477faad282e7fc47', '8132714993c50556', '3bfd62b4a39be85a'],
  kore: ['a63051ae6b8fec5a', '10bb77ee26567bf5', 'be7f31cdf9414cc0', '6943e1271ac810e2'],
  'cx,es': ['27ddcc8afb53bb61', '5c1e2e3abb7adb7b', 'd4e037368af0645b', '7c23de793afecafd'],
  'cx,kore': ['ac272d2228727b1d', '17440eaf7532a8ce', '27e9916b27ada4a2', 'eb5946e59e759e68'],
  'es,kore': ['f33e051f7eeeabcf', '42d4150a48588164', '42345a3161bb23aa', '16491de2cfeee839'],
  'cx,es,kore': ['d198ee1a01273cb7', '1f6b46d9d5a4a999', 'dd926a52088a0e93', '3ca835337bfddb3c'],
};

const tableStarts: Record<Platform, string> = {
  cx: 'const cxHandlers: Record<string, CxHandler> = {',
  es: 'const esHandlers: Record<string, EsHandler> = {',
  kore: 'const koreHandler: KoreHandler =',
};

/** A template-1 file's user parts: platform → handler code span; or why they cannot be told apart. */
export function legacyHandlerSpans(text: string): Map<Platform, BlockSpan> | string {
  const spans = new Map<Platform, BlockSpan>();
  for (const p of allPlatforms) {
    const marker = tableStarts[p];
    const starts: number[] = [];
    for (let i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1))
      if (i === 0 || text[i - 1] === '\n') starts.push(i);
    if (starts.length === 0) continue;
    if (starts.length > 1) return `'${marker}' occurs more than once`;
    const next = text.indexOf('\n// ---- ', starts[0]);
    if (next < 0) return `no section heading follows '${marker}'`;
    spans.set(p, { start: starts[0], end: next });
  }
  return spans.size === 0 ? 'no handler table (cxHandlers, esHandlers or koreHandler) found' : spans;
}

/** Fingerprint of a template-1 file with its config block and handler code emptied. */
function legacyFingerprint(text: string, config: BlockSpan, handlers: ReadonlyMap<Platform, BlockSpan>): string {
  return machineryFingerprint(emptyBlocks(text, [config, ...handlers.values()]));
}

/** Whether `fingerprint` is what template 1 wrote for these platforms. */
function isLegacyFingerprint(platforms: readonly Platform[], fingerprint: string): boolean {
  return legacyFingerprints[platforms.join(',')]?.includes(fingerprint) ?? false;
}

/** The last template that wrote a single-file server.ts. */
const lastSingleFileTemplate = 4;

/** A server.mts imports the machinery folder; a single-file server imports nothing from it. */
const importsMachinery = /^import[^;]*from\s+['"]\.\/mtls-server\//m;

/**
 * Which template wrote a single-file server.ts text (1–4; 1: before versions were recorded), or undefined
 * when it is not one (a server.mts, or a file mtls scaffold did not write).
 */
export function templateVersionOf(text: string): number | undefined {
  const t = text.replace(/\r\n/g, '\n');
  if (importsMachinery.test(t)) return undefined;
  const line = readTemplateLine(t);
  if (typeof line === 'object') return line.version;
  if (line === undefined && typeof findBlock(t, markers.configStart, markers.configEnd) === 'object') return 1;
  return undefined;
}

/** A single-file server.ts's user parts, with Unix line endings. */
export interface SingleFileServer {
  readonly version: number;
  readonly platforms: readonly Platform[];
  /** Interior of the mtls-config block, byte for byte. */
  readonly config: string;
  /** Handler code: the mtls-handlers block's interior (templates 2–4), or per platform the table and fallback (template 1). */
  readonly handlers: string | ReadonlyMap<Platform, string>;
}

/**
 * Reads the user parts of a single-file server.ts text (Unix line endings); a string says why they cannot
 * be told from the machinery, or that the machinery was edited.
 */
export function readSingleFileServer(t: string): SingleFileServer | string {
  const config = findBlock(t, markers.configStart, markers.configEnd);
  if (config === undefined)
    return 'it has no mtls-config block, so it was not written by mtls scaffold (or the block markers were removed)';
  if (typeof config === 'string') return config;
  const line = readTemplateLine(t);
  if (typeof line === 'string') return line;
  const configText = t.slice(config.start, config.end);
  if (line === undefined) {
    // Template 1: no handlers block; the handler tables sit between the platform types.
    if (findBlock(t, markers.handlersStart, markers.handlersEnd) !== undefined)
      return "it has an mtls-handlers block but no 'mtls-template:' line (was that line deleted?)";
    const spans = legacyHandlerSpans(t);
    if (typeof spans === 'string') return spans;
    const platforms = allPlatforms.filter((p) => spans.has(p));
    if (!isLegacyFingerprint(platforms, legacyFingerprint(t, config, spans))) {
      return 'code outside the config block and the handler tables (cxHandlers/cxFallback, esHandlers/esFallback, koreHandler) differs from what mtls scaffold wrote; move your changes into those parts, or scaffold a new server and copy your handlers over';
    }
    return {
      version: 1,
      platforms,
      config: configText,
      handlers: new Map(platforms.map((p) => [p, t.slice(spans.get(p)!.start, spans.get(p)!.end)])),
    };
  }
  if (line.version > lastSingleFileTemplate)
    return `its 'mtls-template:' line says template ${line.version}, which never wrote a single-file server`;
  const span = findBlock(t, markers.handlersStart, markers.handlersEnd);
  if (span === undefined) return 'its mtls-handlers block markers are missing';
  if (typeof span === 'string') return span;
  if (machineryFingerprint(emptyBlocks(t, [config, span])) !== line.fingerprint) {
    return 'the generated part (header or the machinery below "mtls-machinery") was edited since it was written; move your changes into the config block or the handlers, or restore that part';
  }
  return {
    version: line.version,
    platforms: line.platforms,
    config: configText,
    handlers: t.slice(span.start, span.end),
  };
}
