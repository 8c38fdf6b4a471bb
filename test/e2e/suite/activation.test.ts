import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MtlsWorkbenchApi } from '../../../src/extension/extension';
import { until } from './support';

const EXT_ID = 'mtls-workbench.mtls-workbench';

describe('mTLS Workbench in a real extension host', () => {
  it('activates and logs to its own output channel', async () => {
    const ext = vscode.extensions.getExtension(EXT_ID);
    assert.ok(ext, `${EXT_ID} is not loaded`);
    const api = (await ext.activate()) as MtlsWorkbenchApi;
    assert.equal(ext.isActive, true);
    assert.ok(api.activationMs > 0, 'activate() did not report its duration');
    console.log(
      `    VS Code ${vscode.version}, ${vscode.env.appName}, extension host node ${process.version}, activate() ${api.activationMs.toFixed(1)} ms`,
    );
    // The channel is a document of scheme "output" once shown; its text is what a user reads in the panel.
    await vscode.commands.executeCommand('mtls.showLog');
    const text = await until('the mTLS output channel to show the activation line', () => {
      const doc = vscode.workspace.textDocuments.find(
        (d) => d.uri.scheme === 'output' && /mTLS/.test(d.uri.path) && /activated in/.test(d.getText()),
      );
      return doc?.getText();
    });
    assert.match(
      text,
      new RegExp(
        `mTLS Workbench ${(ext.packageJSON as { version: string }).version.replace(/\./g, '\\.')} activated in [\\d.]+ ms`,
      ),
    );
  });

  it('registers every command the manifest contributes, each in the "mTLS" category', async () => {
    const ext = vscode.extensions.getExtension(EXT_ID)!;
    const contributed = (ext.packageJSON as { contributes: { commands: { command: string; category?: string }[] } })
      .contributes.commands;
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c.command)).map((c) => c.command);
    assert.deepEqual(missing, [], 'contributed but not registered');
    assert.deepEqual(
      contributed.filter((c) => c.category !== 'mTLS').map((c) => c.command),
      [],
    );
  });

  it('never activates on startup (*)', () => {
    const ext = vscode.extensions.getExtension(EXT_ID)!;
    assert.ok(!(ext.packageJSON as { activationEvents: string[] }).activationEvents.includes('*'));
  });

  it('opens the Certificates view', async () => {
    const api = (await vscode.extensions.getExtension(EXT_ID)!.activate()) as MtlsWorkbenchApi;
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    assert.equal(api.certificatesViewVisible(), false);
    await vscode.commands.executeCommand('mtls.certificates.focus');
    await until('the Certificates view to become visible', () => (api.certificatesViewVisible() ? true : undefined));
  });
});
