import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli/main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { ctx: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: {}, cwd: process.cwd() }, out, err };
}

const expected = ['selfsigned', 'chain', 'client', 'p12', 'trust-bundle', 'export-der', 'decode', 'scaffold', 'serve', 'send', 'probe', 'export-config', 'init'];

test('mtls --help lists every subcommand; each has its own --help', async () => {
  const c = capture();
  assert.equal(await main(['--help'], c.ctx), 0);
  for (const name of expected) assert.match(c.out.join('\n'), new RegExp(`^  ${name}\\s`, 'm'));
  for (const name of expected) {
    const h = capture();
    assert.equal(await main([name, '--help'], h.ctx), 0, name);
    assert.match(h.out.join('\n'), new RegExp(`Usage: mtls ${name}`), name);
  }
});

test('unknown flags, unknown commands and missing arguments print one error line plus usage, exit 2', async () => {
  for (const argv of [['chain', '--bogus'], ['nope'], ['decode']]) {
    const c = capture();
    assert.equal(await main(argv, c.ctx), 2, argv.join(' '));
    const lines = c.err.join('\n').split('\n');
    assert.match(lines[0], /^mtls/);
    assert.match(lines[1], /^Usage: mtls/);
  }
});

test('the bundled dist/cli.js runs as a real process with the same exit codes', async () => {
  const cli = path.resolve(__dirname, '../../../dist/cli.js');
  const ok = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  assert.equal(ok.status, 0);
  assert.match(ok.stdout, /Commands:/);
  const bad = spawnSync(process.execPath, [cli, 'chain', '--nope'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /Unknown option '--nope'/);
  // The front door answers these itself; what it prints must be what main() prints.
  const bare = spawnSync(process.execPath, [cli], { encoding: 'utf8' });
  assert.equal(bare.status, 2);
  assert.equal(bare.stdout, ok.stdout);
  const version = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8' });
  assert.equal(version.status, 0);
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string };
  assert.equal(version.stdout.trim(), pkg.version);
  const c = capture();
  await main(['--help'], c.ctx);
  assert.equal(`${c.out.join('\n')}\n`, ok.stdout);
});
