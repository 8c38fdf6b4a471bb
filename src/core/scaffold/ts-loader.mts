// Node 20 cannot run .ts files. This module-hooks file, bundled with amaro (Node's own type stripper, the
// swc wasm build that Node >= 22.6 embeds) into dist/ts-loader.mjs, gives Node 20 the same behaviour.
// planLaunch registers it from a tiny data: URL (--import "data:…register(…ts-loader.mjs)"), so only the
// hooks thread parses this 3.5 MB file, not the main thread too (measured: saves ~0.3 s per start).
// Strip-only, like Node: erasable syntax only, no type checking, positions preserved (stack traces line up).
//
// Stripped output is cached by the SHA-256 of the source in the user's cache folder (0700): an unchanged
// server.ts then starts without instantiating amaro's wasm (~0.3 s and ~50 MiB of RSS saved per start).
// MTLS_TS_CACHE=0 turns the cache off.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

interface LoadContext {
  format?: string | null;
}
interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult>;
type Stripper = { transformSync(source: string, options: { mode: 'strip-only' }): { code: string } };

// amaro's version, written in by scripts/build.mjs from the amaro it bundles; unbundled (tsc output, tests),
// read from the installed package.
declare const MTLS_AMARO_VERSION: string | undefined;

function amaroVersion(): string {
  if (typeof MTLS_AMARO_VERSION === 'string') return MTLS_AMARO_VERSION;
  const main = createRequire(import.meta.url).resolve('amaro'); // <amaro>/dist/index.js
  return (JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

// Part of the cache key: a new stripper (or a change to how we call it) must not reuse old output.
const stripperId = `amaro@${amaroVersion()} strip-only v1`;

let stripper: Promise<Stripper> | undefined;

function loadStripper(): Promise<Stripper> {
  // Loaded on the first cache miss: compiling the wasm costs ~0.2 s.
  // @ts-expect-error amaro ships no type declarations; esbuild bundles it into dist/ts-loader.mjs.
  stripper ??= import('amaro').then((m: { default?: Stripper } & Stripper) => m.default ?? m);
  return stripper;
}

function cacheDir(): string | undefined {
  if (process.env['MTLS_TS_CACHE'] === '0') return undefined;
  const base =
    process.env['XDG_CACHE_HOME'] ||
    (process.platform === 'win32' ? process.env['LOCALAPPDATA'] : undefined) ||
    join(homedir(), '.cache');
  return join(base, 'mtls-workbench', 'ts-strip');
}

/** Our own folder only: never execute cached code from a folder someone else could write to. */
async function usableDir(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const s = await stat(dir);
    return (
      process.platform === 'win32' ||
      ((s.mode & 0o022) === 0 && (typeof process.getuid !== 'function' || s.uid === process.getuid()))
    );
  } catch {
    return false;
  }
}

async function strip(source: string): Promise<string> {
  const dir = cacheDir();
  const file =
    dir === undefined
      ? undefined
      : join(dir, `${createHash('sha256').update(stripperId).update('\0').update(source).digest('hex')}.js`);
  if (dir !== undefined && file !== undefined && (await usableDir(dir))) {
    try {
      return await readFile(file, 'utf8');
    } catch {
      /* miss */
    }
    const { code } = (await loadStripper()).transformSync(source, { mode: 'strip-only' });
    try {
      // Write-then-rename: a concurrent start never reads half a file.
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, code, { mode: 0o600 });
      await rename(tmp, file);
    } catch {
      /* a read-only cache is only slower */
    }
    return code;
  }
  return (await loadStripper()).transformSync(source, { mode: 'strip-only' }).code;
}

/**
 * Module hook: strip TypeScript types from .ts/.mts files, leave everything else to Node. Always run as an ES
 * module, whatever package.json's "type" says: server.ts is module-neutral (no import/require), and Node 20
 * cannot take CommonJS source from a hook for the main entry anyway.
 */
export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  if (url.startsWith('file:') && /\.m?ts$/.test(new URL(url).pathname)) {
    const source = await readFile(new URL(url), 'utf8');
    return { format: 'module', source: await strip(source), shortCircuit: true };
  }
  return nextLoad(url, context);
}
