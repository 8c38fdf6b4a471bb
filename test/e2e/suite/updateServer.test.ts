import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { UpdateServerResult } from '../../../src/extension/commands/server/updateServer';
import { ws, run } from './support';

// The repository: this file runs from out/test/e2e/suite.
const fixture = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'server-v1', 'server.ts');

describe('Update Webhook Server… (argument object): a single-file server.ts converted to server.mts + mtls-server/', () => {
  const dir = (...p: string[]): string => path.join(ws(), 'upd', ...p);
  const original = fs.readFileSync(fixture, 'utf8');

  before(() => {
    fs.rmSync(dir(), { recursive: true, force: true });
    fs.mkdirSync(dir());
    fs.writeFileSync(dir('server.ts'), original);
  });

  it('dryRun with showDiff opens the diff (server.ts ↔ the server.mts it becomes) and changes nothing', async () => {
    const r = await run<UpdateServerResult>('mtls.updateServer', {
      file: dir('server.ts'),
      dryRun: true,
      showDiff: true,
    });
    assert.deepEqual([r.kind, r.fromVersion, r.applied, r.upToDate], ['migrate', 1, false, false]);
    assert.ok(r.changes.length > 0);
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputTextDiff, `active tab: ${tab?.label}`);
    assert.equal(tab.input.original.fsPath, dir('server.ts'));
    const proposed = await vscode.workspace.openTextDocument(tab.input.modified);
    assert.match(proposed.getText(), /^import \{[^}]*startWebhookServer[^}]*\} from '\.\/mtls-server\/index\.mts';$/m);
    assert.equal(fs.readFileSync(dir('server.ts'), 'utf8'), original);
    assert.deepEqual(fs.readdirSync(dir()), ['server.ts'], 'nothing written');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('converts with a backup, keeping the handlers; then its machinery is up to date', async () => {
    const r = await run<UpdateServerResult>('mtls.updateServer', { file: dir('server.ts') });
    assert.equal(r.applied, true);
    assert.equal(r.backup, `${dir('server.ts')}.bak-v1`);
    assert.equal(fs.readFileSync(r.backup, 'utf8'), original);
    assert.equal(fs.existsSync(dir('server.ts')), false, 'the old file lives on as the backup only');
    const converted = fs.readFileSync(dir('server.mts'), 'utf8');
    assert.match(converted, /'check-balance': async \(req\) =>/);
    assert.ok(fs.existsSync(dir('mtls-server', 'manifest.json')));
    const again = await run<UpdateServerResult>('mtls.updateServer', { file: dir('server.mts') });
    assert.deepEqual([again.kind, again.upToDate, again.applied], ['machinery', true, false]);
  });

  it('refuses a hand-edited machinery file and leaves it untouched', async () => {
    const start = dir('mtls-server', 'start.mts');
    const mangled = fs.readFileSync(start, 'utf8').replace('rejectUnauthorized: true,', 'rejectUnauthorized: false,');
    fs.writeFileSync(start, mangled);
    await assert.rejects(
      run('mtls.updateServer', { file: dir('server.mts') }),
      /Cannot upgrade .*edited: start\.mts.*Nothing was changed/,
    );
    assert.equal(fs.readFileSync(start, 'utf8'), mangled);
  });
});
