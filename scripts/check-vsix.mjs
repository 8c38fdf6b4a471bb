// `node scripts/check-vsix.mjs <file.vsix>`: checks a packaged VSIX the way a user's VS Code will receive it.
// Fails (exit 1) when the file is over 1.5 MiB, or when an image that extension/readme.md references (Markdown
// `![alt](path)`, reference-style images, or `<img src="path">`) is not in the archive. Prints one line: the
// size and the image count. Also fails when a file the extension loads at run time is missing: the loader for
// Node 20, the decoder's worker, and every file of the webhook server's machinery (src/server/*.mts, which the
// scaffold copies into the user's workspace from dist/mtls-server/). Exit 2 when the file cannot be read as a zip. Node built-ins only: the zip's central
// directory is read here, so this runs before `npm ci` has finished and needs no unzip binary.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';

// 1.5 MiB. The benchmark's VSIX row is measured in decimal megabytes (≤ 1.5 MB = 1,500,000 bytes), which is
// stricter; this check is the hard limit.
const MAX_BYTES = 1.5 * 1024 * 1024;
const README = 'extension/readme.md';

/** The archive's entries from its central directory: name → where its data is and how it is stored. */
function zipEntries(zip) {
  // The end-of-central-directory record is in the last 22 bytes plus at most a 65,535-byte comment.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('no end-of-central-directory record: not a zip file');
  const count = zip.readUInt16LE(eocd + 10);
  const size = zip.readUInt32LE(eocd + 12);
  let at = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || size === 0xffffffff || at === 0xffffffff)
    throw new Error('a ZIP64 archive: not a VSIX vsce writes');
  if (at + size > eocd) throw new Error('the central directory lies outside the file');
  const entries = new Map();
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`central directory entry ${n + 1} is damaged`);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    entries.set(name, { method, compressedSize, localHeader });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The bytes of one entry (stored or deflated, the two methods vsce uses). */
function entryData(zip, entry) {
  const h = entry.localHeader;
  if (zip.readUInt32LE(h) !== 0x04034b50) throw new Error('a local file header is damaged');
  const start = h + 30 + zip.readUInt16LE(h + 26) + zip.readUInt16LE(h + 28);
  const raw = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return raw;
  if (entry.method === 8) return inflateRawSync(raw);
  throw new Error(`compression method ${entry.method} is not supported`);
}

/** Image targets in Markdown text, outside code blocks, code spans and HTML comments. */
function imageTargets(markdown) {
  const text = markdown
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/`[^`\n]*`/g, '');
  const targets = [];
  // ![alt](target "title") and ![alt](<target with spaces>)
  for (const m of text.matchAll(/!\[[^\]]*\]\(\s*(<[^>]*>|[^\s)]+)/g)) targets.push(m[1].replace(/^<|>$/g, ''));
  // ![alt][ref] / ![ref][] / ![ref], resolved through [ref]: target lines
  const definitions = new Map();
  for (const m of text.matchAll(/^ {0,3}\[([^\]]+)\]:\s*(<[^>]*>|\S+)/gm))
    definitions.set(m[1].toLowerCase(), m[2].replace(/^<|>$/g, ''));
  for (const m of text.matchAll(/!\[([^\]]*)\](?:\[([^\]]*)\])?(?!\()/g)) {
    const target = definitions.get((m[2] || m[1]).toLowerCase());
    if (target !== undefined) targets.push(target);
  }
  for (const m of text.matchAll(/<img\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi))
    targets.push(m[1] ?? m[2] ?? m[3]);
  return targets;
}

/** The archive path a README image target points at, or undefined for a URL (https:, data:, …). */
function archivePath(target) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return undefined;
  const bare = target.replace(/[?#].*$/, '');
  let file = bare;
  try {
    file = decodeURI(bare);
  } catch {
    // A malformed %-escape: look the path up as written (it will not be found, and is reported).
  }
  // A leading slash means the package root, as on GitHub; anything else is relative to the README.
  return path.posix.normalize(
    file.startsWith('/') ? `extension${file}` : path.posix.join(path.posix.dirname(README), file),
  );
}

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: node scripts/check-vsix.mjs <file.vsix>');
  process.exit(2);
}
let zip;
let entries;
let readme;
try {
  zip = readFileSync(file);
  entries = zipEntries(zip);
  const entry = entries.get(README);
  if (entry === undefined) throw new Error(`${README} is not in the archive`);
  readme = entryData(zip, entry).toString('utf8');
} catch (e) {
  console.error(`check-vsix: ${file}: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}

const problems = [];
if (zip.length > MAX_BYTES)
  problems.push(
    `the VSIX is ${zip.length.toLocaleString('en')} bytes, over 1.5 MiB (${MAX_BYTES.toLocaleString('en')} bytes)`,
  );
const targets = imageTargets(readme);
let local = 0;
for (const target of targets) {
  const inArchive = archivePath(target);
  if (inArchive === undefined) continue;
  local++;
  if (!inArchive.startsWith('extension/'))
    problems.push(`${README} shows "${target}", which points outside the extension folder`);
  else if (!entries.has(inArchive))
    problems.push(`${README} shows "${target}", but ${inArchive} is not in the archive`);
}
// What the extension reads from its own folder at run time (bundled code aside).
const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const runtimeFiles = [
  'dist/ts-loader.mjs',
  'dist/amaro.wasm.br',
  'dist/decodeWorker.js',
  ...readdirSync(path.join(repoRoot, 'src', 'server'))
    .filter((n) => n.endsWith('.mts'))
    .map((n) => `dist/mtls-server/${n}`),
];
for (const f of runtimeFiles)
  if (!entries.has(`extension/${f}`))
    problems.push(`${f} is not in the archive (the extension needs it at run time: check .vscodeignore)`);
const remote = targets.length - local;
console.log(
  `check-vsix: ${path.basename(file)} ${zip.length.toLocaleString('en')} bytes (limit ${MAX_BYTES.toLocaleString('en')} = 1.5 MiB), ` +
    `${targets.length} image${targets.length === 1 ? '' : 's'} in ${README}` +
    (remote > 0 ? ` (${remote} by URL, not checked)` : '') +
    `, ${runtimeFiles.length} run-time files` +
    (problems.length === 0
      ? ', all in the archive'
      : `: ${problems.length} problem${problems.length === 1 ? '' : 's'}`),
);
for (const p of problems) console.error(`  ${p}`);
process.exit(problems.length === 0 ? 0 : 1);
