// server.ts files written before template versions were recorded (template 1): no handlers block and no
// template line. Their user parts are the config block and, per platform, the handler table and fallback
// (from "const cxHandlers" to the next "// ---- " section heading). Everything else must be exactly what
// template 1 wrote, which the fingerprints below (SHA-256 of the file with those parts emptied, per platform
// choice) vouch for. Template 1 had four printings: the first, module-neutral, with the @types/node
// reference, and with Google ID-token verification and public-root pinning.
import { emptyBlocks, machineryFingerprint, type BlockSpan } from './template/layout';
import { allPlatforms, type Platform } from './template/platforms';

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
