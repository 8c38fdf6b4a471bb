import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { UpdateServerResult } from '../../../src/extension/commands/server/updateServer';
import { ws, run } from './support';

// The repository: this file runs from out/test/e2e/suite.
const fixture = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'server-v1', 'server.ts');

describe('Update Webhook Server… (argument object)', () => {
  const file = (): string => path.join(ws(), 'upd', 'server.ts');
  const original = fs.readFileSync(fixture, 'utf8');

  before(() => {
    fs.rmSync(path.join(ws(), 'upd'), { recursive: true, force: true });
    fs.mkdirSync(path.join(ws(), 'upd'));
    fs.writeFileSync(file(), original);
  });

  it('dryRun with showDiff opens the diff editor and changes nothing', async () => {
    const r = await run<UpdateServerResult>('mtls.updateServer', { file: file(), dryRun: true, showDiff: true });
    assert.deepEqual([r.fromVersion, r.applied, r.upToDate], [1, false, false]);
    assert.ok(r.changes.length > 0);
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputTextDiff, `active tab: ${tab?.label}`);
    assert.equal((tab.input as vscode.TabInputTextDiff).original.fsPath, file());
    const proposed = await vscode.workspace.openTextDocument((tab.input as vscode.TabInputTextDiff).modified);
    assert.match(proposed.getText(), /^\/\/ mtls-template: v\d+ /m);
    assert.equal(fs.readFileSync(file(), 'utf8'), original);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('applies the update with a backup, keeping the handlers; then reports up to date', async () => {
    const r = await run<UpdateServerResult>('mtls.updateServer', { file: file() });
    assert.equal(r.applied, true);
    assert.equal(r.backup, `${file()}.bak-v1`);
    assert.equal(fs.readFileSync(r.backup!, 'utf8'), original);
    const updated = fs.readFileSync(file(), 'utf8');
    assert.match(updated, /'check-balance': async \(req\) =>/);
    assert.match(updated, /^\/\/ ==== mtls-machinery/m);
    const again = await run<UpdateServerResult>('mtls.updateServer', { file: file() });
    assert.deepEqual([again.upToDate, again.applied], [true, false]);
  });

  it('refuses a hand-edited machinery and leaves the file untouched', async () => {
    const mangled = fs.readFileSync(file(), 'utf8').replace('rejectUnauthorized: true,', 'rejectUnauthorized: false,');
    fs.writeFileSync(file(), mangled);
    await assert.rejects(run('mtls.updateServer', { file: file() }), /Cannot upgrade .*was edited.*Nothing was changed/);
    assert.equal(fs.readFileSync(file(), 'utf8'), mangled);
  });
});
