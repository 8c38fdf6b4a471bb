// `npm run bench`: compiles, builds, runs every bench/*.bench.ts (as out/bench/*.bench.js) one after the
// other, and collects their `BENCH {json}` lines into bench/RESULTS.md with the date and the machine.
// Each benchmark measures itself against a reference in the same run (openssl, curl, the express demo).
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], { stdio: 'inherit' });
execFileSync(process.execPath, ['scripts/build.mjs', '--production'], { stdio: 'inherit' });
const only = process.argv.slice(2);
const files = readdirSync('out/bench')
  .filter((f) => f.endsWith('.bench.js') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
const rows = [];
let failures = 0;
for (const f of files) {
  console.log(`\n=== ${f}`);
  const r = spawnSync(process.execPath, [`out/bench/${f}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 600_000,
  });
  process.stdout.write(r.stdout ?? '');
  if (r.status !== 0) failures++;
  for (const line of (r.stdout ?? '').split('\n')) if (line.startsWith('BENCH ')) rows.push(JSON.parse(line.slice(6)));
}
const fmt = (v) => (typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)) : (v ?? ''));
const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout.trim();
// RESULTS.md is the table, then a hand-written "## Notes" section that explains the rows: a run rewrites the
// table and keeps the notes as they are.
const previous = existsSync('bench/RESULTS.md') ? readFileSync('bench/RESULTS.md', 'utf8') : '';
const notesAt = previous.search(/^## Notes$/m);
const notes = notesAt < 0 ? '' : previous.slice(notesAt);
const previousTable = notesAt < 0 ? previous : previous.slice(0, notesAt);
// A run of some benchmarks (`npm run bench -- decode startup`) replaces only their areas' rows in RESULTS.md.
const produced = new Set(rows.map((r) => r.area));
const kept =
  only.length === 0
    ? []
    : previousTable
        .split('\n')
        .filter((l) => /^\| [^|]+ \|/.test(l) && !/^\| (area|---)/.test(l) && !produced.has(l.split('|')[1].trim()));
const table = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${openssl}.`,
  '',
  '| area | benchmark | ours | reference | reference value | ratio | target | pass |',
  '|---|---|---|---|---|---|---|---|',
  ...kept,
  ...rows.map(
    (r) =>
      `| ${r.area} | ${r.name} | ${fmt(r.ours_ms ?? r.ours)}${r.ours_ms !== undefined ? ' ms' : ''} | ${r.reference} | ${fmt(r.reference_ms ?? r.reference_value)}${r.reference_ms !== undefined ? ' ms' : ''} | ${fmt(r.ratio)} | ${r.target} | ${r.pass === null ? '—' : r.pass ? 'yes' : '**no**'} |`,
  ),
].join('\n');
writeFileSync('bench/RESULTS.md', `# Benchmark results\n\n${table}\n${notes === '' ? '' : `\n${notes.trimEnd()}\n`}`);
console.log(`\n${table}\n\nwritten to bench/RESULTS.md`);
// A row with `pass: null` reports a measurement that explains others (no target of its own).
process.exit(failures || rows.some((r) => r.pass === false) ? 1 : 0);
