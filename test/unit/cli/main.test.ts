import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    ctx: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: {}, cwd: process.cwd() },
    out,
    err,
  };
}

const expected = [
  'selfsigned',
  'chain',
  'client',
  'p12',
  'trust-bundle',
  'export-der',
  'decode',
  'scaffold',
  'serve',
  'send',
  'probe',
  'export-config',
  'init',
];

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
  // A value that starts with a dash: how to write it, not parseArgs's "argument is ambiguous".
  const c = capture();
  assert.equal(await main(['selfsigned', '--out', 'x', '--days', '-5'], c.ctx), 2);
  assert.equal(
    c.err.join('\n').split('\n')[0],
    'mtls selfsigned: --days needs a value; one that starts with a dash is written --days=VALUE',
  );
});

test('a file-system failure is one line naming the path, what happened and what to do, exit 1 (never "unexpected error")', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtls-fs-'));
  try {
    const setup = capture();
    assert.equal(await main(['selfsigned', '--out', '.'], { ...setup.ctx, cwd: dir }), 0, setup.err.join('\n'));
    const tooLong = 'x'.repeat(300);
    const runs = [
      ['selfsigned', '--out', tooLong],
      [
        'p12',
        '--cert',
        'server-crt.pem',
        '--key',
        'server-key.pem',
        '--passphrase-env',
        'P',
        '--out',
        `${tooLong}.p12`,
      ],
    ];
    for (const argv of runs) {
      const r = capture();
      assert.equal(await main(argv, { ...r.ctx, cwd: dir, env: { P: 'secret' } }), 1, argv[0]);
      const text = r.err.join('\n');
      assert.doesNotMatch(text, /unexpected error|\n\s+at /, argv[0]);
      assert.ok(text.startsWith(`mtls ${argv[0]}: cannot `), text);
      assert.ok(text.includes(`${dir}${path.sep}${tooLong}`), text);
      assert.ok(
        text.endsWith(': the name is too long for the file system (ENAMETOOLONG). Choose a shorter name.'),
        text,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the bundled dist/cli.js runs as a real process with the same exit codes', async () => {
  const cli = path.resolve(__dirname, '../../../../dist/cli.js');
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
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../package.json'), 'utf8')) as {
    version: string;
  };
  assert.equal(version.stdout.trim(), pkg.version);
  const c = capture();
  await main(['--help'], c.ctx);
  assert.equal(`${c.out.join('\n')}\n`, ok.stdout);
});
