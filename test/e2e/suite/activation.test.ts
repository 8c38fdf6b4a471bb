import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXT_ID = 'mtls-workbench.mtls-workbench';

describe('mTLS Workbench in a real extension host', () => {
  it('activates and logs to its own output channel', async () => {
    const ext = vscode.extensions.getExtension(EXT_ID);
    assert.ok(ext, `${EXT_ID} is not loaded`);
    await ext.activate();
    assert.equal(ext.isActive, true);
    console.log(`    VS Code ${vscode.version}, ${vscode.env.appName}, extension host node ${process.version}`);
  });

  it('registers every command the manifest contributes, each in the "mTLS" category', async () => {
    const ext = vscode.extensions.getExtension(EXT_ID)!;
    const contributed: { command: string; category?: string }[] = ext.packageJSON.contributes.commands;
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c.command)).map((c) => c.command);
    assert.deepEqual(missing, [], 'contributed but not registered');
    assert.deepEqual(contributed.filter((c) => c.category !== 'mTLS').map((c) => c.command), []);
  });

  it('never activates on startup (*)', () => {
    const ext = vscode.extensions.getExtension(EXT_ID)!;
    assert.ok(!(ext.packageJSON.activationEvents as string[]).includes('*'));
  });

  it('opens the Certificates view', async () => {
    await vscode.commands.executeCommand('mtls.certificates.focus');
  });

  it('shows the log channel', async () => {
    await vscode.commands.executeCommand('mtls.showLog');
  });
});
