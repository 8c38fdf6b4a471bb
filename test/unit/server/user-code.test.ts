// The user's own code in server.mts, on the real server (real TLS on 127.0.0.1, curl as the client): a route of
// their own, a check before every request, and the verified caller (the client certificate, the ID token's
// claims) inside a handler and a route.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { scaffoldServer } from '../../../src/core/scaffold/scaffoldServer';
import {
  createTestIdTokenIssuer,
  testServiceAgentEmail,
  type TestIdTokenIssuer,
} from '../../../src/core/idtoken/index';
import {
  cxRequest,
  curl,
  ensureBuilt,
  makePki,
  startServer,
  tempDir,
  type Pki,
  type RunningServer,
} from '../support/scaffold';
import { jwksServer, type JwksServer } from './idtoken-support';

const AUD = 'https://webhook.example.com/webhook';

/** Edits the scaffolded server.mts as its README invites: replaces one piece of text, which must be there. */
function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `server.mts has ${JSON.stringify(from)}`);
  writeFileSync(file, text.replace(from, to));
}

describe("the user's code in server.mts: routes, before-hooks and the verified caller", () => {
  let dir: string;
  let pki: Pki;
  let server: RunningServer;
  let idServer: RunningServer;
  let jwks: JwksServer;
  let issuer: TestIdTokenIssuer;
  const tlsClient = (): { cert: string; key: string; ca: string } => ({
    cert: pki.clientCrt,
    key: pki.clientKey,
    ca: pki.caCrt,
  });

  before(async () => {
    ensureBuilt();
    dir = tempDir('user-code');
    pki = makePki(path.join(dir, 'certs'));
    const file = await scaffoldServer(dir, { platform: 'cx' });
    edit(
      file,
      'routes: {',
      "routes: {\n    'GET /caller': (ctx) => ({ cn: ctx.caller.certificate.cn, sha256: ctx.caller.certificate.fingerprint256, email: ctx.caller.idToken?.['email'] ?? null }),\n    'POST /echo': (ctx) => ({ got: ctx.body }),",
    );
    edit(
      file,
      'before: [',
      "before: [\n    (req) => (req.headers['x-tenant'] === 'blocked' ? { status: 403, error: 'tenant blocked' } : undefined),",
    );
    edit(
      file,
      'const cxHandlers: Record<string, CxHandler> = {',
      "const cxHandlers: Record<string, CxHandler> = {\n  whoami: (req, ctx) => cxReply('You are ' + ctx.caller.certificate.cn + ' from ' + ctx.caller.certificate.org),",
    );
    const env = { MTLS_KEY: pki.serverKey, MTLS_CERT: pki.serverCrt, MTLS_CA: pki.caCrt };
    issuer = await createTestIdTokenIssuer();
    jwks = await jwksServer(JSON.stringify(issuer.jwks));
    [server, idServer] = await Promise.all([
      startServer(file, env),
      startServer(file, {
        ...env,
        MTLS_AUTH: 'google-id-token',
        MTLS_ID_TOKEN_AUDIENCE: AUD,
        MTLS_ID_TOKEN_EMAIL: testServiceAgentEmail,
        MTLS_GOOGLE_JWKS_URL: jwks.url,
      }),
    ]);
  });

  after(async () => {
    server?.proc.kill('SIGKILL');
    idServer?.proc.kill('SIGKILL');
    await jwks?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers a route of the user with the verified client certificate, and lists it at start-up', async () => {
    const r = await curl(`${server.url}/caller`, tlsClient());
    assert.equal(r.status, 200, r.body + r.stderr);
    const body = JSON.parse(r.body) as { cn: string; sha256: string; email: unknown };
    assert.equal(body.cn, 'Google LLC');
    assert.match(body.sha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(body.email, null);
    assert.match(server.output(), /routes: GET \/caller, POST \/echo, GET \/status/);
  });

  it('gives a POST route its JSON body, and refuses a client without a certificate before any route', async () => {
    const r = await curl(`${server.url}/echo`, tlsClient(), {
      method: 'POST',
      contentType: 'application/json',
      body: '{"n":42}',
    });
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { got: { n: 42 } });
    const anonymous = await curl(`${server.url}/caller`, { ca: pki.caCrt });
    assert.equal(anonymous.status, 0, 'no HTTP answer without a client certificate');
  });

  it('lets a before-hook refuse a request, for routes and webhook calls alike, and logs it', async () => {
    const route = await curl(`${server.url}/caller`, tlsClient(), { headers: ['x-tenant: blocked'] });
    assert.equal(route.status, 403);
    assert.deepEqual(JSON.parse(route.body), { error: 'tenant blocked' });
    const hook = await curl(`${server.url}/webhook`, tlsClient(), {
      contentType: 'application/json',
      body: cxRequest('hello'),
      headers: ['x-tenant: blocked'],
    });
    assert.equal(hook.status, 403);
    assert.match(server.output(), /refused by a before hook: 403 tenant blocked/);
    const allowed = await curl(`${server.url}/webhook`, tlsClient(), {
      contentType: 'application/json',
      body: cxRequest('hello'),
      headers: ['x-tenant: acme'],
    });
    assert.equal(allowed.status, 200);
  });

  it("hands a handler the caller's certificate", async () => {
    const r = await curl(`${server.url}/webhook`, tlsClient(), {
      contentType: 'application/json',
      body: cxRequest('whoami'),
    });
    assert.equal(r.status, 200, r.body);
    assert.match(r.body, /You are Google LLC from Google LLC/);
  });

  it("hands a route the ID token's verified claims", async () => {
    const token = issuer.sign({ audience: AUD });
    const r = await curl(`${idServer.url}/caller`, tlsClient(), { headers: [`authorization: Bearer ${token}`] });
    assert.equal(r.status, 200, r.body + idServer.output());
    assert.equal((JSON.parse(r.body) as { email: string }).email, testServiceAgentEmail);
    const without = await curl(`${idServer.url}/caller`, tlsClient());
    assert.equal(without.status, 401, 'a route is behind the same Authorization check as the webhook');
  });
});
