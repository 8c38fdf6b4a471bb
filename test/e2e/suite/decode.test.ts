import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DecodeResult } from '../../../src/extension/commands/decode/decodeCertificate';
import { ws, api, until, run } from './support';

describe('decoding in VS Code', () => {
  it('the tree shows a certificate with its fields under its file', async () => {
    const rows = await (await api()).treeUnder(path.join(ws(), 'certs', 'fixture-ca.pem'));
    assert.equal(rows.length, 1);
    assert.equal(rows[0].label, 'Fixture Root CA');
    assert.match(rows[0].contextValue ?? '', /^item:cert:root:ca/);
    const field = (l: string) => rows[0].children.find((c) => c.label === l)?.description;
    assert.match(field('Subject') ?? '', /CN=Fixture Root CA/);
    assert.match(field('Basic constraints') ?? '', /CA:TRUE/);
    assert.match(field('SHA-256 fingerprint') ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('a private key shows type and size only, and the certificate it matches', async () => {
    await (await api()).treeUnder(path.join(ws(), 'other', 'fixture-client.crt')); // decode the certificate first
    const rows = await (await api()).treeUnder(path.join(ws(), 'other', 'fixture-client-key.pem'));
    assert.equal(rows[0].label, 'Private key');
    assert.match(rows[0].description ?? '', /EC.*P-256/);
    assert.equal(rows[0].children.find((c) => c.label === 'Matches certificate')?.description, 'fixture-client.crt');
    assert.ok(!JSON.stringify(rows).includes('PRIVATE KEY-----'), 'no key material in the tree');
  });

  it('bad files get one precise error node each and never break the tree', async () => {
    const truncated = await (await api()).treeUnder(path.join(ws(), 'problems', 'truncated.pem'));
    assert.equal(truncated.length, 1);
    assert.match(truncated[0].label, /PEM block 1/);
    const garbage = await (await api()).treeUnder(path.join(ws(), 'problems', 'garbage.der'));
    assert.equal(garbage.length, 1);
    assert.match(garbage[0].label, /not|unrecognised|recognised/i);
    const ok = await (await api()).treeUnder(path.join(ws(), 'certs', 'fixture-ca.pem'));
    assert.equal(ok[0].label, 'Fixture Root CA');
  });

  it('an expired certificate is flagged in the tree and in the Problems panel', async () => {
    const file = path.join(ws(), 'problems', 'expired.pem');
    const rows = await (await api()).treeUnder(file);
    assert.ok(
      rows[0].children.some((c) => /expired/i.test(c.label)),
      JSON.stringify(rows[0].children.slice(0, 3)),
    );
    const diags = await until('diagnostics for expired.pem', async () => {
      const d = (await api()).diagnostics(file);
      return d.length ? d : undefined;
    });
    assert.ok(diags.some((d) => d.severity === 'Error' && /expired/.test(d.message)));
  });

  it('mtls.decodeCertificate on a file opens a read-only decoded document', async () => {
    const r = await vscode.commands.executeCommand<DecodeResult>('mtls.decodeCertificate', {
      file: path.join(ws(), 'certs', 'fixture-ca.pem'),
    });
    assert.equal(r.decoded.items[0].kind, 'certificate');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.document);
    assert.ok(doc, 'decoded document is open');
    assert.equal(doc.uri.scheme, 'mtls-decoded');
    assert.match(doc.getText(), /Fixture Root CA/);
    assert.match(doc.getText(), /SHA-256/);
  });

  it('mtls.decodeCertificate on an editor selection decodes just the selected PEM', async () => {
    const doc = await vscode.workspace.openTextDocument({
      content: `notes before\n${(await vscode.workspace.fs.readFile(vscode.Uri.file(path.join(ws(), 'other', 'fixture-client.crt')))).toString()}notes after\n`,
      language: 'plaintext',
    });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(1, 0, doc.lineCount - 1, 0);
    const r = await vscode.commands.executeCommand<DecodeResult>('mtls.decodeCertificate');
    assert.equal(r.file, undefined);
    assert.equal(r.decoded.items.length, 1);
    assert.match(JSON.stringify(r.decoded.items[0]), /fixture-client/);
  });

  it('hovering a PEM block shows subject, validity and SHA-256', async () => {
    const uri = vscode.Uri.file(path.join(ws(), 'certs', 'fixture-ca.pem'));
    await vscode.window.showTextDocument(uri);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      uri,
      new vscode.Position(3, 2),
    );
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /Fixture Root CA/);
    assert.match(text, /SHA-256/i);
  });

  it('a PKCS#12 file decodes with its passphrase, asks for one without, and says so when it is wrong', async () => {
    await run('mtls.generateSelfSigned', { folder: 'p12', keyType: 'ec256', overwrite: true });
    const out = path.join(ws(), 'p12', 'server.p12');
    await run('mtls.exportPkcs12', {
      cert: path.join(ws(), 'p12', 'server-crt.pem'),
      passphrase: 'pw-e2e',
      out,
      overwrite: true,
    });
    const locked = await run<DecodeResult>('mtls.decodeCertificate', { file: out, open: false });
    assert.equal(locked.decoded.needsPassphrase, true);
    const wrong = await run<DecodeResult>('mtls.decodeCertificate', { file: out, passphrase: 'nope', open: false });
    assert.equal(wrong.decoded.items.length, 0);
    assert.match(wrong.decoded.errors[0]?.message ?? '', /passphrase/i);
    const open = await run<DecodeResult>('mtls.decodeCertificate', { file: out, passphrase: 'pw-e2e', open: false });
    assert.deepEqual(open.decoded.items.map((i) => i.kind).sort(), ['certificate', 'privateKey']);
    assert.ok(!JSON.stringify(open.decoded).includes('PRIVATE KEY-----'), 'no key material in the result');
  });
});
