// One esbuild bundle per entry point. `--production`: minified, no sourcemaps (the VSIX);
// otherwise sourcemaps for debugging. `vscode` is provided by the extension host.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const production = process.argv.includes('--production');
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
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
const t0 = Date.now();
await Promise.all([
  build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['src/cli/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  // The extension decodes workspace files in this worker thread, so a costly file cannot block the extension host.
  build({ ...common, entryPoints: ['src/core/decodeWorker/worker.ts'], outfile: 'dist/decodeWorker.js' }),
  // Node 20 runs a scaffolded server.ts through these module hooks (registered by planLaunch): ESM, with
  // amaro (Node's own type stripper) bundled in, because node_modules is not shipped. amaro is CommonJS
  // and requires 'util': give the ESM bundle a real `require`.
  build({
    ...common,
    format: 'esm',
    entryPoints: ['src/core/scaffold/ts-loader.mts'],
    outfile: 'dist/ts-loader.mjs',
    banner: { js: "import { createRequire as __mtlsCreateRequire } from 'node:module'; const require = __mtlsCreateRequire(import.meta.url);" },
  }),
]);
console.log(`esbuild: dist/extension.js, dist/cli.js, dist/decodeWorker.js (${production ? 'production' : 'dev'}) in ${Date.now() - t0} ms`);
