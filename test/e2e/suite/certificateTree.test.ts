import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ws, api, until } from './support';

describe('Certificates view', () => {
  it('lists the workspace certificate files grouped by folder, and nothing else', async () => {
    const folders = await (await api()).certificateFolders();
    assert.deepEqual(folders.map((f) => f.label).sort(), ['certs', 'other', 'problems']);
    const all = folders.flatMap((f) => f.files.map((x) => path.relative(ws(), x))).sort();
    assert.deepEqual(all, [
      'certs/fixture-ca.pem',
      'other/fixture-client-key.pem',
      'other/fixture-client.crt',
      'problems/expired.pem',
      'problems/garbage.der',
      'problems/truncated.pem',
    ]);
  });

  it('picks up a new certificate file without a manual refresh', async () => {
    const file = path.join(ws(), 'certs', 'added-later.crt');
    fs.copyFileSync(path.join(ws(), 'certs', 'fixture-ca.pem'), file);
    try {
      await until('the new file in the tree', async () => {
        const folders = await (await api()).certificateFolders();
        return folders.some((f) => f.files.includes(file)) ? true : undefined;
      });
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
