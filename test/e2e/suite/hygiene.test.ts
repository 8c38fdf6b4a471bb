import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunningServer } from '../../../src/extension/server/serverManager';
import type { DecodeResult } from '../../../src/extension/commands/decode/decodeCertificate';
import { api, freePort, run, until, ws } from './support';

/** Closes the active editor without asking to save. */
const closeActive = () => vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');

describe('what the extension holds per document and per run goes when they end', function () {
  this.timeout(120_000);
  const dir = () => path.join(ws(), 'hyg');
  const certs = (name: string) => path.join(dir(), 'certs', name);
  /** Files the glob test writes at the workspace's root. */
  const rootFiles: string[] = [];

  before(async () => {
    await run('mtls.generateChain', { folder: 'hyg/certs', keyType: 'ec256', overwrite: true });
  });

  after(async () => {
    await vscode.workspace
      .getConfiguration('mtls')
      .update('certificateGlob', undefined, vscode.ConfigurationTarget.Workspace);
    fs.rmSync(dir(), { recursive: true, force: true });
    for (const f of rootFiles) fs.rmSync(f, { force: true });
  });

  it('the PEM hover scans a document once per version, and forgets it when the document closes', async () => {
    const a = await api();
    const before = a.held();
    const pem = fs.readFileSync(certs('client-crt.pem'), 'utf8');
    const doc = await vscode.workspace.openTextDocument({ content: `notes\n${pem}`, language: 'plaintext' });
    await vscode.window.showTextDocument(doc);
    const hover = async (line: number) => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        doc.uri,
        new vscode.Position(line, 1),
      );
      return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    };
    for (let i = 0; i < 3; i++) assert.match(await hover(2), /mtls-client/);
    assert.equal(a.held().hoverScans - before.hoverScans, 1, 'three hovers, one scan');
    assert.equal(a.held().hoverDocuments, before.hoverDocuments + 1);
    // An edit makes a new version: scanned again, and the block is found where it moved to.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(0, 0), 'more notes\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.match(await hover(3), /mtls-client/);
    assert.equal(await hover(0), '');
    assert.equal(a.held().hoverScans - before.hoverScans, 2);
    await closeActive();
    await until(
      "the closed document's scan dropped",
      () => (a.held().hoverDocuments === before.hoverDocuments ? true : undefined),
      30_000,
    );
  });

  it("a decoded result's text is dropped when its document closes", async () => {
    const a = await api();
    const before = a.held().decodedDocuments;
    const r = await run<DecodeResult>('mtls.decodeCertificate', { file: certs('client-crt.pem') });
    assert.equal(a.held().decodedDocuments, before + 1);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), r.document);
    await closeActive();
    await until('the decoded text dropped', () => (a.held().decodedDocuments === before ? true : undefined), 30_000);
  });

  it("a server terminal's events are released when the terminal closes", async () => {
    const a = await api();
    await run('mtls.scaffoldServer', { folder: 'hyg', overwrite: true, open: false });
    const before = a.held().terminals;
    const server = await run<RunningServer>('mtls.startServer', {
      file: path.join(dir(), 'server.mts'),
      port: await freePort(),
    });
    assert.equal(a.held().terminals, before + 1);
    await run('mtls.stopServer', { file: path.join(dir(), 'server.mts') });
    // Stopped, the terminal stays for its output; closing it releases the rest.
    assert.equal(a.held().terminals, before + 1);
    server.terminal.dispose();
    await until("the terminal's events released", () => (a.held().terminals === before ? true : undefined), 30_000);
  });

  it('a changed mtls.certificateGlob is watched at once: a new file of the new kind appears in the tree', async () => {
    const a = await api();
    const changed = new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeConfiguration(
        (e) => e.affectsConfiguration('mtls.certificateGlob') && (sub.dispose(), resolve()),
      );
    });
    await vscode.workspace
      .getConfiguration('mtls')
      .update('certificateGlob', '**/*.{pem,mtlscert}', vscode.ConfigurationTarget.Workspace);
    await changed;
    // The tree's own refresh for the new setting has run (and found no such file yet).
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(!(await a.certificateFolders()).some((f) => f.files.some((x) => x.endsWith('.mtlscert'))));
    // At the workspace's root, watched since the window opened: the file watcher can lose a folder created and
    // filled at once (hyg/certs, made by this suite's before hook), and then nothing written there reaches it.
    // A watcher starts listening a moment after it is created, later on a loaded machine: a new file is written
    // every 5 s until one is listed. With the watcher of the old glob none ever is.
    const written = rootFiles;
    let next = 0;
    await until(
      'a new .mtlscert file listed',
      async () => {
        if (Date.now() >= next) {
          const file = path.join(ws(), `hygiene-glob-${written.length}.mtlscert`);
          fs.writeFileSync(file, fs.readFileSync(certs('client-crt.pem')));
          written.push(file);
          next = Date.now() + 5_000;
        }
        return (await a.certificateFolders()).some((f) => f.files.some((x) => written.includes(x))) ? true : undefined;
      },
      30_000,
    );
  });

  it('a CA certificate without its key is a typed input error saying what to pass', async () => {
    const lonely = path.join(dir(), 'lonely', 'root-crt.pem');
    fs.mkdirSync(path.dirname(lonely), { recursive: true });
    fs.copyFileSync(certs('ca-root-crt.pem'), lonely);
    const inputError = (e: unknown) =>
      (e as Error).name === 'InputError' &&
      /^No private key found next to root-crt\.pem in .*: pass caKey \(the CA's private key file\)/.test(
        (e as Error).message,
      );
    await assert.rejects(run('mtls.generateClient', { caCert: lonely, folder: 'hyg/lonely/out' }), inputError);
    await assert.rejects(run('mtls.createKoreKit', { caCert: lonely, folder: 'hyg/lonely/kit' }), inputError);
  });
});
