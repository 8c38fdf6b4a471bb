// Builds dist/ with esbuild. `--production`: minified, no sourcemaps (the VSIX); otherwise sourcemaps.
// Start-up cost decides the layout: each entry loads only what its first screen needs.
//   dist/extension.js  the extension's entry (the host loads it with require; `vscode` is provided by the
//                      host): one line that requires dist/ext/extension.js.
//   dist/ext/          the extension split into CommonJS chunks: activation loads the tree view, the decoder
//                      service, the hover and the command registrations; each command's module (and the
//                      decoder, the server template, undici…) is required on first use.
//   dist/cli.js        the `mtls` bin: a small CommonJS front door that answers `--help` / `--version` from
//                      the command registry and otherwise requires dist/cli/mtls.js.
//   dist/cli/          the CLI split the same way: each subcommand's chunk is required when it runs.
// esbuild splits only ES modules, so a split is built as ES modules and each chunk converted to CommonJS:
// Node's require cache then shares every chunk (classes stay one, instanceof works), and nothing pays for
// the ES module loader.
//   dist/undici.js     undici, shared by the extension and the CLI, required only by the commands that send.
//   dist/ts-loader.mjs + dist/amaro.wasm.br   Node 20's type stripper for server.mts (see ts-loader.mts), its wasm
//                      brotli-compressed (0.64 MB instead of 0.89 MB deflated in the VSIX; 9 ms to expand on a cache miss).
//   dist/mtls-server/  the webhook server's machinery (src/server/*.mts), copied as it is: the scaffold writes
//                      these files into the user's workspace.
import { build } from 'esbuild';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlibConstants } from 'node:zlib';

const production = process.argv.includes('--production');
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// The amaro bundled into dist/ts-loader.mjs: its version is part of the loader's cache key.
const amaroPackage = new URL('../node_modules/amaro/package.json', import.meta.url);
const amaroVersion = JSON.parse(readFileSync(amaroPackage, 'utf8')).version;
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  define: { MTLS_VERSION: JSON.stringify(version) },
  // jsonc-parser's "main" is a UMD build whose internal requires esbuild cannot follow (the bundle would
  // throw "Cannot find module './impl/format'"): bundle its ES module build instead.
  alias: { 'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js' },
};

// `require('undici')` becomes a require of dist/undici.js, relative to the file that asks for it.
const undiciBeside = (relative) => ({
  name: 'undici-beside',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: relative, external: true }));
  },
});

// amaro embeds its 2.6 MB wasm as a base64 string (3.5 MB of JavaScript that compresses badly). Ship the
// wasm as a file next to the loader instead: a third smaller in the VSIX, and read only on a cache miss.
let amaroWasm;
const amaroWasmFile = {
  name: 'amaro-wasm-file',
  setup(b) {
    b.onLoad({ filter: /[\\/]amaro[\\/]dist[\\/]index\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const literal = /Buffer2?\.from\("([A-Za-z0-9+/=]{100000,})", "base64"\)/.exec(source);
      if (!literal)
        throw new Error('amaro: embedded wasm not found (amaro changed its build; update scripts/build.mjs)');
      amaroWasm = Buffer.from(literal[1], 'base64');
      return { contents: source.replace(literal[0], '__mtlsAmaroWasm()'), loader: 'js' };
    });
  },
};

// ES module outputs get a real `require` (for bundled CommonJS such as amaro, and for dist/undici.js)
// and `__dirname` (core code finds dist/ts-loader.mjs from it).
const esmBanner = [
  "import { createRequire as __mtlsCreateRequire } from 'node:module';",
  "import { fileURLToPath as __mtlsFileURLToPath } from 'node:url';",
  'const require = __mtlsCreateRequire(import.meta.url);',
  "const __dirname = require('node:path').dirname(__mtlsFileURLToPath(import.meta.url));",
].join(' ');

// The front door bundles the registry's names and summaries only: the ES module CLI and each command's module
// stay outside it (the registry's loaders are never called there).
const frontDoorExternals = {
  name: 'front-door-externals',
  setup(b) {
    b.onResolve({ filter: /^\.\/mtls\.js$/ }, () => ({ path: './cli/mtls.js', external: true }));
    b.onResolve({ filter: /^\.\/[a-z0-9-]+\.js$/ }, (args) =>
      /[\\/]cli[\\/]commands$/.test(args.resolveDir) ? { path: args.path, external: true } : undefined,
    );
  },
};

/**
 * One entry point as CommonJS chunks in `outdir` that load on first use (see the layout above): built as ES
 * modules with splitting in a scratch folder, then each chunk converted to CommonJS, import() included.
 */
async function buildSplitCommonJs(entryPoints, outdir, extra = {}) {
  const esm = mkdtempSync(join(tmpdir(), 'mtls-split-'));
  try {
    await build({
      ...common,
      format: 'esm',
      splitting: true,
      // Inline, so the CommonJS pass below reads them and its maps point at the TypeScript sources.
      sourcemap: production ? false : 'inline',
      entryPoints,
      outdir: esm,
      chunkNames: '[name]-[hash]',
      plugins: [undiciBeside('../undici.js')],
      ...extra,
    });
    // Each chunk on its own (no bundling: the split stays as it is), so no aliases or defines either.
    const { alias: _alias, define: _define, ...perFile } = common;
    await build({
      ...perFile,
      bundle: false,
      entryPoints: readdirSync(esm).map((f) => join(esm, f)),
      outdir,
      // import() of a chunk becomes require(): every chunk then lives in one module cache.
      supported: { 'dynamic-import': false },
    });
  } finally {
    rmSync(esm, { recursive: true, force: true });
  }
}

const t0 = Date.now();
rmSync('dist/cli', { recursive: true, force: true });
rmSync('dist/ext', { recursive: true, force: true });
rmSync('dist/extension.js.map', { force: true });
rmSync('dist/cli.js.map', { force: true });
mkdirSync('dist', { recursive: true });
await Promise.all([
  buildSplitCommonJs({ extension: 'src/extension/extension.ts' }, 'dist/ext', { external: ['vscode'] }),
  buildSplitCommonJs({ mtls: 'src/cli/cli.ts' }, 'dist/cli'),
  build({
    ...common,
    sourcemap: false,
    entryPoints: ['src/cli/front.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [frontDoorExternals],
  }),
  build({ ...common, entryPoints: ['undici'], outfile: 'dist/undici.js' }),
  // The extension decodes workspace files in this worker thread, so a costly file cannot block the extension host.
  build({ ...common, entryPoints: ['src/core/decodeWorker/worker.ts'], outfile: 'dist/decodeWorker.js' }),
  // Node 20 runs a scaffolded server.ts through these module hooks (registered by planLaunch): ESM, with
  // amaro (Node's own type stripper) bundled in, because node_modules is not shipped.
  build({
    ...common,
    format: 'esm',
    entryPoints: ['src/core/scaffold/ts-loader.mts'],
    outfile: 'dist/ts-loader.mjs',
    plugins: [amaroWasmFile],
    define: { ...common.define, MTLS_AMARO_VERSION: JSON.stringify(amaroVersion) },
    banner: {
      js: `${esmBanner} const __mtlsAmaroWasm = () => require('node:zlib').brotliDecompressSync(require('node:fs').readFileSync(require('node:path').join(__dirname, 'amaro.wasm.br')));`,
    },
  }),
]);
// Brotli at its best for the VSIX (4.5 s); a development build takes a quicker setting (0.1 s, 15% larger).
rmSync('dist/amaro.wasm', { force: true });
writeFileSync(
  'dist/amaro.wasm.br',
  brotliCompressSync(amaroWasm, {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: production ? 11 : 5,
      [zlibConstants.BROTLI_PARAM_LGWIN]: 24,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: amaroWasm.length,
    },
  }),
);
rmSync('dist/mtls-server', { recursive: true, force: true });
mkdirSync('dist/mtls-server', { recursive: true });
for (const name of readdirSync('src/server').filter((n) => n.endsWith('.mts')))
  copyFileSync(join('src/server', name), join('dist/mtls-server', name));
writeFileSync(
  'dist/extension.js',
  "'use strict';\n// The extension is split into chunks that load on first use: see dist/ext/.\nmodule.exports = require('./ext/extension.js');\n",
);
chmodSync('dist/cli.js', 0o755);
console.log(
  `esbuild: dist/extension.js + dist/ext/, dist/cli.js + dist/cli/, dist/undici.js, dist/decodeWorker.js, dist/ts-loader.mjs + dist/amaro.wasm.br, dist/mtls-server/ (${production ? 'production' : 'dev'}) in ${Date.now() - t0} ms`,
);
