// Builds the release bundles and packs the VSIX with @vscode/vsce. Dependencies are bundled by esbuild,
// so the VSIX carries no node_modules (--no-dependencies). Prints the file list and size.
import { execFileSync } from 'node:child_process';
import { statSync, readFileSync } from 'node:fs';

const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
const out = process.argv[2] ?? `${name}-${version}.vsix`;
execFileSync(process.execPath, ['scripts/build.mjs', '--production'], { stdio: 'inherit' });
execFileSync(process.execPath, ['node_modules/@vscode/vsce/vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '-o', out], { stdio: ['ignore', 'pipe', 'inherit'] });
const listing = execFileSync(process.execPath, ['node_modules/@vscode/vsce/vsce', 'ls', '--no-dependencies'], { encoding: 'utf8' });
console.log(listing.trim().split('\n').map((l) => `  ${l}`).join('\n'));
console.log(`VSIX: ${out} — ${(statSync(out).size / 1024).toFixed(1)} KiB`);
