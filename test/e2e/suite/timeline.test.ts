import * as assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunningServer } from '../../../src/extension/server/serverManager';
import type { SendRequestResult } from '../../../src/extension/commands/send/sendRequest';
import type { HandshakeTimeline, ProbeResult } from '../../../src/core/http';
import { leafFrom, pastWindow } from '../../../src/core/testIdentities/throwawayCerts';
import { ws, run, freePort } from './support';

const statuses = (t: HandshakeTimeline): string => t.steps.map((s) => s.status).join(' ');

describe('handshake timeline (servers started by the extension, failures provoked for real)', () => {
  let server: RunningServer;
  let sanServer: RunningServer;
  const dir = (...p: string[]) => path.join(ws(), 'tl', ...p);
  const good = () => ({
    cert: dir('certs', 'client-crt.pem'),
    key: dir('certs', 'client-key.pem'),
    ca: dir('certs', 'ca-root-crt.pem'),
  });
  const send = (url: string, args: Record<string, unknown>) =>
    run<SendRequestResult>('mtls.sendRequest', { url, sample: 'cx', open: false, ...args });

  before(async () => {
    await run('mtls.generateChain', { folder: 'tl/certs', keyType: 'ec256', overwrite: true, gitignore: false });
    await run('mtls.generateChain', {
      folder: 'tl/other/certs',
      keyType: 'ec256',
      org: 'Another Org',
      overwrite: true,
      gitignore: false,
    });
    await run('mtls.generateChain', {
      folder: 'tl/san/certs',
      keyType: 'ec256',
      serverSans: 'DNS:webhook.example',
      overwrite: true,
      gitignore: false,
    });
    await run('mtls.scaffoldServer', { folder: 'tl', overwrite: true, open: false });
    await run('mtls.scaffoldServer', { folder: 'tl/san', overwrite: true, open: false });
    server = await run<RunningServer>('mtls.startServer', { file: dir('server.mts'), port: await freePort() });
    sanServer = await run<RunningServer>('mtls.startServer', {
      file: dir('san', 'server.mts'),
      port: await freePort(),
    });
    // An expired client certificate from the server's own CA: only its dates are wrong.
    const expired = await leafFrom(
      {
        certPem: readFileSync(dir('certs', 'ca-intermediate-crt.pem'), 'utf8'),
        keyPem: readFileSync(dir('certs', 'ca-intermediate-key.pem'), 'utf8'),
      },
      { role: 'client', cn: 'expired client', keyType: 'ec256', ...pastWindow() },
    );
    writeFileSync(dir('certs', 'expired-crt.pem'), expired.certPem);
    writeFileSync(dir('certs', 'expired-key.pem'), expired.keyPem, { mode: 0o600 });
  });
  after(async () => {
    await run('mtls.stopServer', { file: dir('server.mts') });
    await run('mtls.stopServer', { file: dir('san', 'server.mts') });
  });

  it('a good request: five ok steps, and the document shows them', async () => {
    const r = await send(`https://127.0.0.1:${server.port}/`, { ...good(), open: true });
    assert.equal(r.status, 200, JSON.stringify(r.error));
    assert.equal(statuses(r.handshake), 'ok ok ok ok ok');
    assert.equal(r.observation.certificateRequested, true);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.document);
    assert.match(doc?.getText() ?? '', /Handshake, in five steps .*: completed/);
    assert.match(doc?.getText() ?? '', /✔ 4 {2}Platform presents its client certificate/);
  });

  it('no server: step 1', async () => {
    const r = await send(`https://127.0.0.1:${await freePort()}/`, good());
    assert.equal(r.handshake.failedStep, 1);
    assert.equal(statuses(r.handshake), 'failed not-reached not-reached not-reached not-reached');
  });

  it("wrong server CA: step 3, with the server's side of it", async () => {
    const r = await send(`https://127.0.0.1:${server.port}/`, {
      ...good(),
      ca: dir('other', 'certs', 'ca-root-crt.pem'),
    });
    assert.equal(r.handshake.failedStep, 3);
    assert.ok(r.handshake.steps[2].error?.fix);
    assert.match(r.handshake.steps[2].server?.line ?? '', /refused handshake from/);
  });

  it('server name not in the SAN: step 3 (ERR_TLS_CERT_ALTNAME_INVALID)', async () => {
    const r = await send(`https://127.0.0.1:${sanServer.port}/`, {
      cert: dir('san', 'certs', 'client-crt.pem'),
      key: dir('san', 'certs', 'client-key.pem'),
      ca: dir('san', 'certs', 'ca-root-crt.pem'),
    });
    assert.equal(r.handshake.failedStep, 3);
    assert.equal(r.handshake.steps[2].error?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('no client certificate: step 4, the server says none was sent', async () => {
    const r = await send(`https://127.0.0.1:${server.port}/`, { ca: good().ca });
    assert.equal(statuses(r.handshake), 'ok ok ok failed not-reached');
    assert.equal(r.handshake.steps[3].server?.code, 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE');
  });

  it('client certificate from another CA: step 5, the server says unknown CA', async () => {
    const r = await send(`https://127.0.0.1:${server.port}/`, {
      cert: dir('other', 'certs', 'client-crt.pem'),
      key: dir('other', 'certs', 'client-key.pem'),
      ca: good().ca,
    });
    assert.equal(statuses(r.handshake), 'ok ok ok ok failed');
    assert.match(r.handshake.steps[4].server?.reason ?? '', /unknown CA/);
  });

  it('expired client certificate: step 5, the server says CERT_HAS_EXPIRED; the failed step is highlighted in the document', async () => {
    const r = await send(`https://127.0.0.1:${server.port}/`, {
      cert: dir('certs', 'expired-crt.pem'),
      key: dir('certs', 'expired-key.pem'),
      ca: good().ca,
      open: true,
    });
    assert.equal(statuses(r.handshake), 'ok ok ok ok failed');
    assert.equal(r.handshake.steps[4].server?.code, 'CERT_HAS_EXPIRED');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.document)!;
    assert.match(doc.getText(), /✖ 5 {2}Server verifies it, then the request .*FAILED/);
    assert.match(doc.getText(), /server log: .*\[CERT_HAS_EXPIRED\]/);
  });

  it("the probe gives every row its timeline, merged with the server's log", async () => {
    const r = await run<ProbeResult>('mtls.probeEndpoint', {
      url: `https://127.0.0.1:${server.port}/`,
      ...good(),
      open: false,
    });
    assert.equal(r.verdict, 'enforced');
    const noCert = r.rows.find((x) => x.id === 'no-cert')!;
    assert.equal(noCert.handshake.failedStep, 4);
    assert.ok(noCert.handshake.steps[3].server);
    assert.equal(r.rows.find((x) => x.id === 'valid')!.handshake.outcome, 'ok');
  });
});
