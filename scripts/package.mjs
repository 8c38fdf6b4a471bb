// Builds the release bundles and packs the VSIX with @vscode/vsce. Dependencies are bundled by esbuild,
// so the VSIX carries no node_modules (--no-dependencies). The README keeps its relative links
// (--no-rewrite-relative-links): vsce would otherwise point them at a repository, which package.json does not
// name; its images ship in the VSIX (media/readme/). Prints the file list, then checks the size and that every
// README image is in the archive (scripts/check-vsix.mjs), failing if not.
import { execFileSync } from 'node:child_process';
import { statSync, readFileSync } from 'node:fs';

const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
const out = process.argv[2] ?? `${name}-${version}.vsix`;
execFileSync(process.execPath, ['scripts/build.mjs', '--production'], { stdio: 'inherit' });
execFileSync(
  process.execPath,
  [
    'node_modules/@vscode/vsce/vsce',
    'package',
    '--no-dependencies',
    '--allow-missing-repository',
    '--skip-license',
    '--no-rewrite-relative-links',
    '-o',
    out,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const listing = execFileSync(process.execPath, ['node_modules/@vscode/vsce/vsce', 'ls', '--no-dependencies'], {
  encoding: 'utf8',
});
console.log(
  listing
    .trim()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n'),
);
console.log(`VSIX: ${out} — ${(statSync(out).size / 1024).toFixed(1)} KiB`);
execFileSync(process.execPath, ['scripts/check-vsix.mjs', out], { stdio: 'inherit' });
