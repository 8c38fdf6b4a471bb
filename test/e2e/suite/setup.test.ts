import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SetupSummary } from '../../../src/core/setup';
import { ws, run, freePort } from './support';

describe('Set Up Webhook Project (the whole flow, driven by an argument object)', () => {
  it('goes from an empty folder to a running, verified Kore.ai webhook and lists what it created', async () => {
    const port = await freePort();
    const s = await run<SetupSummary & { document?: string }>('mtls.setupProject', {
      platform: 'kore',
      folder: 'setup-demo',
      keyType: 'ec256',
      port,
    });
    try {
      assert.equal(s.ok, true, s.error);
      assert.equal(s.probe?.verdict, 'enforced');
      assert.equal(s.send?.status, 200);
      assert.equal(s.serverRunning, true);
      assert.ok(vscode.window.terminals.some((t) => t.name === 'mTLS server: setup-demo/server.mts'));
      for (const f of ['server.mts', 'certs/ca-crt.pem', 'certs/client-fullchain.pem'])
        assert.ok(fs.existsSync(path.join(ws(), 'setup-demo', f)), f);
      // The chain (11 files), server.mts, tsconfig.json and every file of mtls-server/.
      const machinery = fs
        .readdirSync(path.join(ws(), 'setup-demo', 'mtls-server'))
        .map((f) => path.join(ws(), 'setup-demo', 'mtls-server', f));
      assert.ok(
        machinery.some((f) => f.endsWith('manifest.json')) && machinery.some((f) => f.endsWith('index.mts')),
        machinery.join(', '),
      );
      assert.deepEqual(
        [...s.created].sort(),
        [
          ...s.created.filter((f) => f.includes(`${path.sep}certs${path.sep}`)),
          path.join(ws(), 'setup-demo', 'server.mts'),
          path.join(ws(), 'setup-demo', 'tsconfig.json'),
          ...machinery,
        ].sort(),
      );
      assert.equal(s.created.filter((f) => f.includes(`${path.sep}certs${path.sep}`)).length, 11);
      assert.match(
        vscode.workspace.textDocuments.find((d) => d.uri.toString() === s.document)?.getText() ?? '',
        /Next steps:[\s\S]*Kore\.ai/,
      );
    } finally {
      await run('mtls.stopServer', { file: path.join(ws(), 'setup-demo', 'server.mts') });
    }
  });

  it('a rerun in the same folder reuses every file instead of overwriting', async () => {
    const key = fs.readFileSync(path.join(ws(), 'setup-demo', 'certs', 'client-key.pem'));
    const s = await run<SetupSummary>('mtls.setupProject', {
      platform: 'kore',
      folder: 'setup-demo',
      port: await freePort(),
      open: false,
    });
    try {
      assert.equal(s.ok, true, s.error);
      assert.equal(s.created.length, 0);
      assert.equal(s.reused.length, 12, 'the chain (11 files) and server.mts');
      assert.deepEqual(fs.readFileSync(path.join(ws(), 'setup-demo', 'certs', 'client-key.pem')), key);
    } finally {
      await run('mtls.stopServer', { file: path.join(ws(), 'setup-demo', 'server.mts') });
    }
  });
});
