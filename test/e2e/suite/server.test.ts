import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunningServer } from '../../../src/extension/server/serverManager';
import { ws, api, run, freePort } from './support';

/** The part of a CX WebhookResponse the test reads. */
type CxReply = { fulfillmentResponse?: { messages?: unknown } };

function post(
  port: number,
  body: unknown,
  client?: { cert: Buffer; key: Buffer },
): Promise<{ status: number; json: CxReply }> {
  const certs = path.join(ws(), 'srv', 'certs');
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ca: fs.readFileSync(path.join(certs, 'ca-root-crt.pem')),
        ...client,
      },
      (res) => {
        let data = '';
        res.on('data', (c) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(data) as CxReply }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('webhook server: scaffold, start in a terminal, stop', () => {
  let server: RunningServer;
  const cx = {
    detectIntentResponseId: 'e2e-1',
    fulfillmentInfo: { tag: 'order-shirt' },
    sessionInfo: { session: 'projects/p/locations/l/agents/a/sessions/s', parameters: { size: 'large' } },
    text: 'I want a shirt',
    languageCode: 'en',
  };

  before(async () => {
    await run('mtls.generateChain', { folder: 'srv/certs', keyType: 'ec256', overwrite: true });
    await run('mtls.scaffoldServer', { folder: 'srv', platform: 'all', overwrite: true, open: false });
  });

  it('starts server.mts in a terminal named after it and shows the port in the status bar', async () => {
    const port = await freePort();
    server = await run<RunningServer>('mtls.startServer', { file: path.join(ws(), 'srv', 'server.mts'), port });
    assert.equal(server.port, port);
    assert.ok(
      vscode.window.terminals.some((t) => t.name === 'mTLS server: srv/server.mts'),
      vscode.window.terminals.map((t) => t.name).join(', '),
    );
    assert.equal((await api()).serverStatus(), `$(server-process) mTLS :${port}`);
  });

  it('answers a Dialogflow CX call from a client with a certificate of the chain, and refuses one without', async () => {
    const certs = path.join(ws(), 'srv', 'certs');
    const ok = await post(server.port, cx, {
      cert: fs.readFileSync(path.join(certs, 'client-crt.pem')),
      key: fs.readFileSync(path.join(certs, 'client-key.pem')),
    });
    assert.equal(ok.status, 200);
    assert.ok(Array.isArray(ok.json.fulfillmentResponse?.messages), JSON.stringify(ok.json));
    await assert.rejects(post(server.port, cx), /certificate|socket|ECONNRESET|alert/i);
  });

  it('stop ends the process and clears the status bar', async () => {
    const r = await run<{ stopped: string[] }>('mtls.stopServer', { file: path.join(ws(), 'srv', 'server.mts') });
    assert.deepEqual(r.stopped, [path.join(ws(), 'srv', 'server.mts')]);
    assert.throws(() => process.kill(server.pid, 0), /ESRCH/);
    assert.equal((await api()).serverStatus(), undefined);
  });

  it('a port in use is reported before starting, with the port in the message', async () => {
    const blocker = net.createServer();
    const port = await new Promise<number>((r) =>
      blocker.listen(0, '127.0.0.1', () => r((blocker.address() as net.AddressInfo).port)),
    );
    try {
      await assert.rejects(
        run('mtls.startServer', { file: path.join(ws(), 'srv', 'server.mts'), port }),
        new RegExp(`${port}.*in use|in use.*${port}`, 'i'),
      );
    } finally {
      blocker.close();
    }
  });

  it('a single-file server.ts of an earlier template is not started: the error gives the conversion', async () => {
    const legacy = path.join(ws(), 'srv-legacy', 'server.ts');
    fs.mkdirSync(path.dirname(legacy), { recursive: true });
    fs.copyFileSync(
      path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'server-v4', 'cx', 'server.ts'),
      legacy,
    );
    await assert.rejects(
      run('mtls.startServer', { file: legacy, port: await freePort() }),
      /single-file server written by an earlier mTLS Workbench \(template 4\).*mtls scaffold --upgrade/,
    );
    assert.equal((await api()).serverStatus(), undefined);
  });

  it('missing certificate files are reported by name, nothing is started', async () => {
    await run('mtls.scaffoldServer', { folder: 'srv-empty', overwrite: true, open: false });
    await assert.rejects(
      run('mtls.startServer', { file: path.join(ws(), 'srv-empty', 'server.mts'), port: await freePort() }),
      /server-key\.pem|not found/i,
    );
    assert.equal((await api()).serverStatus(), undefined);
  });
});
