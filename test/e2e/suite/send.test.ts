import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunningServer } from '../../../src/extension/server/serverManager';
import type { SendRequestResult } from '../../../src/extension/commands/send/sendRequest';
import type { ProbeResult } from '../../../src/core/http';
import { ws, run, freePort } from './support';

describe('send and probe (a real server started by the extension)', () => {
  let server: RunningServer;
  const certs = () => path.join(ws(), 'snd', 'certs');
  const creds = () => ({
    cert: path.join(certs(), 'client-crt.pem'),
    key: path.join(certs(), 'client-key.pem'),
    ca: path.join(certs(), 'ca-root-crt.pem'),
  });

  before(async () => {
    await run('mtls.generateChain', { folder: 'snd/certs', keyType: 'ec256', overwrite: true });
    await run('mtls.scaffoldServer', { folder: 'snd', overwrite: true, open: false });
    server = await run<RunningServer>('mtls.startServer', {
      file: path.join(ws(), 'snd', 'server.mts'),
      port: await freePort(),
    });
  });
  after(async () => {
    await run('mtls.stopServer', { file: path.join(ws(), 'snd', 'server.mts') });
  });

  it('sends the Dialogflow CX sample with the client certificate and returns status, TLS details, timing and checks', async () => {
    const r = await run<SendRequestResult>('mtls.sendRequest', {
      url: `https://localhost:${server.port}/`,
      sample: 'cx',
      ...creds(),
    });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.status, 200);
    assert.match(r.tls?.protocol ?? '', /^TLSv1\.[23]$/);
    assert.equal(r.tls?.verification, 'verified');
    assert.ok(r.timing.totalMs > 0 && (r.timing.tlsMs ?? 0) > 0);
    assert.deepEqual(
      r.checks.filter((c) => c.severity === 'error'),
      [],
    );
    assert.match(r.curl, /curl .*--cert .*client-crt\.pem/);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.document);
    assert.match(doc?.getText() ?? '', /HTTP 200/);
    // The server's chain is in the document as PEM, so the PEM hover decodes it in place.
    const line = doc!
      .getText()
      .split('\n')
      .findIndex((l) => l.startsWith('-----BEGIN CERTIFICATE-----'));
    assert.ok(line > 0, 'server chain PEM in the result document');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      doc!.uri,
      new vscode.Position(line + 1, 1),
    );
    assert.match(
      hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n'),
      /localhost/,
    );
  });

  it('Send as Dialogflow attaches a test ID token and writes its JWKS where jwksOut says', async () => {
    const jwksFile = path.join(ws(), 'snd', 'certs', 'df-jwks.json');
    const r = await run<SendRequestResult>('mtls.sendRequest', {
      url: `https://localhost:${server.port}/webhook`,
      asDialogflow: true,
      jwksOut: 'snd/certs/df-jwks.json',
      ca: creds().ca,
    });
    const t = r.dialogflowTestIdToken;
    assert.ok(t, 'an ID token was attached');
    assert.equal(t.audience, `https://localhost:${server.port}/webhook`);
    assert.match(t.email, /^service-\d+@gcp-sa-dialogflow\.iam\.gserviceaccount\.com$/);
    assert.equal(t.jwksFile, jwksFile);
    const jwks = JSON.parse(fs.readFileSync(jwksFile, 'utf8')) as { keys: { kid: string; kty: string }[] };
    assert.deepEqual(
      jwks.keys.map((k) => [k.kid, k.kty]),
      [[t.kid, 'RSA']],
    );
    assert.match(
      t.serverEnv,
      new RegExp(`MTLS_AUTH=google-id-token .*MTLS_GOOGLE_JWKS_URL=${jwksFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    assert.equal(r.request.headers['authorization'], 'Bearer [redacted]', 'the token is never shown');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.document);
    assert.match(doc?.getText() ?? '', /Attached a TEST Google ID token/);
  });

  it('the probe with idToken adds the bad-token rows and flags a server that does not verify tokens', async () => {
    const r = await run<ProbeResult>('mtls.probeEndpoint', {
      url: `https://localhost:${server.port}/webhook`,
      ...creds(),
      idToken: true,
      open: false,
    });
    assert.deepEqual(
      r.rows.filter((x) => x.id.startsWith('id-token-')).map((x) => x.id),
      ['id-token-none', 'id-token-expired', 'id-token-wrong-audience', 'id-token-unknown-key', 'id-token-alg-none'],
    );
    assert.equal(r.verdict, 'not-enforced');
    assert.match(r.summary, /NOT VERIFYING THE ID TOKEN/);
  });

  it('a dead server gets a plain-language explanation with a Start Server fix', async () => {
    const r = await run<SendRequestResult>('mtls.sendRequest', {
      url: `https://127.0.0.1:${await freePort()}/`,
      sample: 'es',
      ...creds(),
      open: false,
    });
    assert.equal(r.status, undefined);
    assert.equal(r.error?.explanation.action, 'startServer');
    assert.match(r.error?.explanation.cause ?? '', /running|listen/i);
  });

  it('the probe finds that the scaffolded server enforces mTLS', async () => {
    const r = await run<ProbeResult>('mtls.probeEndpoint', {
      url: `https://localhost:${server.port}/`,
      ...creds(),
      open: false,
    });
    assert.equal(r.verdict, 'enforced', JSON.stringify(r.rows.map((x) => [x.id, x.observed])));
    assert.equal(r.rows.find((x) => x.id === 'no-cert')?.pass, true);
    assert.equal(r.rows.find((x) => x.id === 'valid')?.observed, 'accepted');
  });
});
