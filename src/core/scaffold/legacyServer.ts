// server.ts files written before template versions were recorded (template 1): no handlers block and no
// template line. Their user parts are the config block and, per platform, the handler table and fallback
// (from "const cxHandlers" to the next "// ---- " section heading). Everything else must be exactly what
// template 1 wrote, which the fingerprints below (SHA-256 of the file with those parts emptied, per platform
// choice) vouch for; template 1 had two printings, before and after it became module-neutral.
import { emptyBlocks, machineryFingerprint, type BlockSpan } from './template/layout';
import { allPlatforms, type Platform } from './template/platforms';

const legacyFingerprints: Record<string, readonly string[]> = {
  cx: ['c35b966dccc033e2', '429621332c9940be'],
  es: ['27033822322af92b', '477faad282e7fc47'],
  kore: ['a63051ae6b8fec5a', '10bb77ee26567bf5'],
  'cx,es': ['27ddcc8afb53bb61', '5c1e2e3abb7adb7b'],
  'cx,kore': ['ac272d2228727b1d', '17440eaf7532a8ce'],
  'es,kore': ['f33e051f7eeeabcf', '42d4150a48588164'],
  'cx,es,kore': ['d198ee1a01273cb7', '1f6b46d9d5a4a999'],
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
    for (let i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) if (i === 0 || text[i - 1] === '\n') starts.push(i);
    if (starts.length === 0) continue;
    if (starts.length > 1) return `'${marker}' occurs more than once`;
    const next = text.indexOf('\n// ---- ', starts[0]!);
    if (next < 0) return `no section heading follows '${marker}'`;
    spans.set(p, { start: starts[0]!, end: next });
  }
  return spans.size === 0 ? 'no handler table (cxHandlers, esHandlers or koreHandler) found' : spans;
}

/** Fingerprint of a template-1 file with its config block and handler code emptied. */
export function legacyFingerprint(text: string, config: BlockSpan, handlers: ReadonlyMap<Platform, BlockSpan>): string {
  return machineryFingerprint(emptyBlocks(text, [config, ...handlers.values()]));
}

/** Whether `fingerprint` is what template 1 wrote for these platforms. */
export function isLegacyFingerprint(platforms: readonly Platform[], fingerprint: string): boolean {
  return legacyFingerprints[platforms.join(',')]?.includes(fingerprint) ?? false;
}
