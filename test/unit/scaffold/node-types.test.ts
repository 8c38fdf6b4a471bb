// The follow-up step after scaffolding: which npm command adds @types/node, and when it is not needed.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { hasNodeTypes, nodeTypesInstall } from '../../../src/core/scaffold/nodeTypes';
import { tempDir } from '../support/scaffold';

describe('adding @types/node', () => {
  it('is a dev dependency installed by npm, shown as the command a user would type', () => {
    const i = nodeTypesInstall(undefined, 'linux');
    assert.deepEqual(
      [i.command, i.args, i.display, i.shell],
      [
        'npm',
        ['install', '--save-dev', '--no-audit', '--no-fund', '@types/node'],
        'npm install --save-dev @types/node',
        false,
      ],
    );
    const w = nodeTypesInstall('/tmp/types-node-20.tgz', 'win32');
    assert.deepEqual([w.command, w.args.at(-1), w.shell], ['npm.cmd', '/tmp/types-node-20.tgz', true]);
  });

  it('is not offered when node_modules/@types/node exists in the folder or a parent', () => {
    const dir = tempDir('types');
    try {
      const app = path.join(dir, 'app', 'webhook');
      mkdirSync(app, { recursive: true });
      assert.equal(hasNodeTypes(app), false);
      mkdirSync(path.join(dir, 'app', 'node_modules', '@types', 'node'), { recursive: true });
      assert.equal(hasNodeTypes(app), false, 'an empty folder is not an installed package');
      writeFileSync(path.join(dir, 'app', 'node_modules', '@types', 'node', 'package.json'), '{"name":"@types/node"}');
      assert.equal(hasNodeTypes(app), true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
