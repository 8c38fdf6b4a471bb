import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { commands } from '../../../src/cli/commands/index';

const root = path.resolve(__dirname, '../../../..');

test('each registry entry loads the command it names, with the same summary', async () => {
  for (const entry of commands) {
    const command = await entry.load();
    assert.equal(command.name, entry.name);
    assert.equal(command.summary, entry.summary, `${entry.name}: the registry summary differs from the command's own`);
  }
  assert.equal(new Set(commands.map((c) => c.name)).size, commands.length, 'duplicate command names');
});

test('mtls --help loads no subcommand module; running one loads only what it needs', () => {
  // A fresh process, so the module cache shows exactly what `--help` and `decode --help` pulled in.
  const script = `
    const { main } = require(${JSON.stringify(path.join(root, 'out/src/cli/main.js'))});
    const ctx = { out() {}, err() {}, env: {}, cwd: process.cwd() };
    const loaded = () => Object.keys(require.cache).filter((f) => f.includes('/cli/commands/') && !f.endsWith('index.js')).map((f) => require('node:path').basename(f));
    main(['--help'], ctx).then(async () => {
      const afterHelp = loaded();
      await main(['decode', '--help'], ctx);
      console.log(JSON.stringify({ afterHelp, afterDecode: loaded(), undici: Object.keys(require.cache).some((f) => f.includes('node_modules/undici/')) }));
    });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { afterHelp, afterDecode, undici } = JSON.parse(r.stdout) as {
    afterHelp: string[];
    afterDecode: string[];
    undici: boolean;
  };
  assert.deepEqual(afterHelp, []);
  assert.deepEqual(afterDecode, ['decode.js']);
  assert.equal(undici, false, 'undici was loaded by decode');
});
