import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ReadinessReport } from '../../../src/core/readiness';
import { run, freePort, ws } from './support';

type Result = ReadinessReport & { document?: string; buttons: string[] };

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe('go-live readiness (mtls.checkReadiness with an argument object)', () => {
  let port = 0;
  before(async () => {
    port = await freePort();
    await run('mtls.generateChain', { folder: 'golive/certs', keyType: 'ec256', overwrite: true });
    await run('mtls.scaffoldServer', { folder: 'golive', port, overwrite: true, open: false });
  });

  it('starts the server in a terminal, measures it, stops it, and reports every row with fix buttons', async function () {
    // A whole check: start in a terminal, six probe handshakes with fresh certificates, the sample, stop.
    this.timeout(180_000);
    const r = await run<Result>('mtls.checkReadiness', { platform: 'cx', folder: 'golive' });
    const status = (id: string) => r.rows.find((x) => x.id === id)?.status;
    assert.equal(status('server-running'), 'pass');
    assert.match(r.rows.find((x) => x.id === 'server-running')?.message ?? '', /Started server\.mts for the check/);
    assert.equal(status('mtls-enforced'), 'pass');
    assert.equal(status('sample-response'), 'pass');
    // A dev chain is not what Dialogflow CX trusts, and the dev CA is not Dialogflow's client root.
    assert.equal(status('server-public-trust'), 'fail');
    assert.equal(status('client-roots'), 'fail');
    assert.equal(r.verdict, 'not-ready');
    assert.deepEqual(r.buttons, ['Export CA as DER', 'Create Trust Bundle']);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.document);
    assert.match(doc?.getText() ?? '', /^Go-live readiness for Dialogflow CX: .*golive/);
    assert.match(doc?.getText() ?? '', /FAIL {2}client-roots: /);
    assert.match(r.rows.find((x) => x.id === 'server-running')?.message ?? '', new RegExp(`:${port}`));
    assert.equal(await listening(port), false, 'the server started for the check is stopped');
  });

  it("a client certificate the server does not trust: the failing row carries its handshake, step 5 failed with the server's refusal, in the result and the document", async function () {
    this.timeout(180_000);
    await run('mtls.generateChain', {
      folder: 'golive-untrusted/certs',
      keyType: 'ec256',
      overwrite: true,
      gitignore: false,
    });
    await run('mtls.generateChain', {
      folder: 'golive-other/certs',
      keyType: 'ec256',
      org: 'Another Org',
      overwrite: true,
      gitignore: false,
    });
    await run('mtls.scaffoldServer', {
      folder: 'golive-untrusted',
      port: await freePort(),
      overwrite: true,
      open: false,
    });
    // The CX custom client certificate, issued by a CA the server's bundle does not hold.
    const file = (...p: string[]) => path.join(ws(), ...p);
    copyFileSync(file('golive-other', 'certs', 'client-fullchain.pem'), file('golive-untrusted', 'cx-client-crt.pem'));
    copyFileSync(file('golive-other', 'certs', 'client-key.pem'), file('golive-untrusted', 'cx-client-key.pem'));
    const r = await run<Result>('mtls.checkReadiness', { platform: 'cx', folder: 'golive-untrusted' });
    const sample = r.rows.find((x) => x.id === 'sample-response');
    assert.equal(sample?.status, 'fail');
    assert.equal(sample?.handshake?.failedStep, 5);
    assert.deepEqual(
      sample?.handshake?.steps.map((s) => s.status),
      ['ok', 'ok', 'ok', 'ok', 'failed'],
    );
    // The server was started in a VS Code terminal for the check: its own line for that connection is merged in.
    assert.match(sample?.handshake?.steps[4]?.server?.line ?? '', /refused handshake from 127\.0\.0\.1:\d+ \[/);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.document);
    assert.match(doc?.getText() ?? '', /^ {10}✖ 5 {2}Server verifies it, then the request .*FAILED/m);
    assert.match(doc?.getText() ?? '', /^ {15}server log: .*refused handshake from/m);
  });

  it('a folder without server.mts is one failing row with a Scaffold Server button', async () => {
    const r = await run<Result>('mtls.checkReadiness', { platform: 'kore', folder: 'golive/certs', open: false });
    assert.deepEqual(
      r.rows.map((x) => [x.id, x.status]),
      [['server-file', 'fail']],
    );
    assert.deepEqual(r.buttons, ['Scaffold Server']);
  });

  it('a folder with a single-file server.ts of an earlier template is one failing row with an Update Server button', async () => {
    mkdirSync(path.join(ws(), 'golive-legacy'), { recursive: true });
    copyFileSync(
      path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'server-v4', 'kore', 'server.ts'),
      path.join(ws(), 'golive-legacy', 'server.ts'),
    );
    const r = await run<Result>('mtls.checkReadiness', { platform: 'kore', folder: 'golive-legacy', open: false });
    assert.deepEqual(
      r.rows.map((x) => [x.id, x.status]),
      [['server-file', 'fail']],
    );
    assert.match(r.rows[0]?.fix ?? '', /mtls scaffold --upgrade /);
    assert.deepEqual(r.buttons, ['Update Server']);
  });
});
