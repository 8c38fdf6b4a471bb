// The generated server.ts, run for real on this Node through planLaunch, against curl and openssl s_client.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { writeFileSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { scaffoldServer, serverFileName } from '../../../src/core/scaffold/scaffoldServer';
import {
  cxRequest,
  curl,
  ensureBuilt,
  esRequest,
  makePki,
  runCommand,
  startServer,
  tempDir,
  type Pki,
  type RunningServer,
} from '../support/scaffold';

describe('scaffolded server.ts (real TLS on 127.0.0.1)', () => {
  let dir: string;
  let pki: Pki;
  let server: RunningServer;
  let serverTs: string;
  const client = (): { cert: string; key: string; ca: string } => ({
    cert: pki.clientCrt,
    key: pki.clientKey,
    ca: pki.caCrt,
  });

  before(async () => {
    ensureBuilt();
    dir = tempDir('server');
    pki = makePki(path.join(dir, 'certs'));
    serverTs = path.join(dir, serverFileName);
    // A developer's edits, as the file invites them: a handler that throws, one that is too slow, and a
    // short deadline so the test does not wait 4.5 s.
    await scaffoldServer(dir);
    const source = readFileSync(serverTs, 'utf8')
      .replace(
        '  hello: (req) =>',
        "  boom: () => {\n    throw new Error('handler bug');\n  },\n  slow: async () => {\n    await new Promise((r) => setTimeout(r, 1500));\n    return cxReply('too late');\n  },\n  hello: (req) =>",
      )
      .replace('requestTimeoutMs: 4500', 'requestTimeoutMs: 500');
    assert.match(source, /boom: \(\) =>/);
    writeFileSync(serverTs, source);
    // MTLS_CA points at a bundle of two roots: the first issued the client leaf, the second the intermediate.
    server = await startServer(serverTs, { MTLS_KEY: pki.serverKey, MTLS_CERT: pki.serverCrt, MTLS_CA: pki.caBundle });
  });

  after(() => {
    server?.proc.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints one machine-detectable startup line naming the URL and the CA', () => {
    const lines = server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('mTLS webhook listening on '));
    assert.equal(lines.length, 1);
    assert.equal(
      lines[0],
      `mTLS webhook listening on https://127.0.0.1:${server.port} (client certificates required; CA: ${pki.caBundle})`,
    );
    assert.ok(server.port > 0);
  });

  it('refuses a client without a certificate at the handshake and logs why', async () => {
    const r = await curl(
      `${server.url}/webhook`,
      { ca: pki.caCrt },
      { contentType: 'application/json', body: cxRequest('hello') },
    );
    assert.notEqual(r.exit, 0);
    assert.equal(r.status, 0, 'no HTTP response at all');
    await server.waitFor(
      /refused handshake from 127\.0\.0\.1:\d+ \[ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE\]: no client certificate was sent/,
    );
  });

  it('answers a Dialogflow CX request from a trusted client with a valid CX WebhookResponse', async () => {
    const r = await curl(`${server.url}/webhook`, client(), {
      contentType: 'application/json',
      body: cxRequest('order-status'),
    });
    assert.equal(r.status, 200, r.stderr + r.body);
    const body = JSON.parse(r.body) as {
      fulfillmentResponse: { messages: { text: { text: string[] } }[] };
      sessionInfo?: { parameters: Record<string, unknown> };
    };
    assert.equal(body.fulfillmentResponse.messages.length, 1);
    assert.deepEqual(body.fulfillmentResponse.messages[0], { text: { text: ['Order A-42 is on its way.'] } });
    assert.deepEqual(body.sessionInfo, { parameters: { last_checked_order: 'A-42' } });
  });

  it('logs who connected for an accepted request, and never key material', async () => {
    await curl(`${server.url}/webhook`, client(), {
      contentType: 'application/json',
      body: cxRequest('hello', 'log me'),
    });
    const line = await server.waitFor(/^.* POST \/webhook 200 [\d.]+ms client CN="Google LLC" .*$/m);
    assert.match(
      line,
      /O="Google LLC" L="Mountain View" emailAddress="webhook-test@example\.com" issuer="CN=mTLS Test Root CA"/,
    );
    assert.match(line, /serial=[0-9A-F]+ valid=\w{3} .+ \.\. \w{3} .+ sha256=([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    const fp = (await runCommand('openssl', ['x509', '-in', pki.clientCrt, '-noout', '-fingerprint', '-sha256'])).stdout
      .split('=')[1]
      ?.trim();
    assert.ok(fp && line.includes(`sha256=${fp}`), `fingerprint ${fp} in ${line}`);
    assert.doesNotMatch(server.output(), /PRIVATE KEY|BEGIN/);
  });

  it('answers a Dialogflow ES request with fulfillmentText and fulfillmentMessages', async () => {
    const r = await curl(`${server.url}/webhook`, client(), {
      contentType: 'application/json',
      body: esRequest('order.status'),
    });
    assert.equal(r.status, 200);
    const body = JSON.parse(r.body) as { fulfillmentText: string; fulfillmentMessages: unknown[] };
    assert.equal(body.fulfillmentText, 'Order B-7 is on its way.');
    assert.deepEqual(body.fulfillmentMessages, [{ text: { text: ['Order B-7 is on its way.'] } }]);
  });

  it('routes an unknown CX tag to the fallback and a Kore.ai body to the Kore handler', async () => {
    const cx = await curl(`${server.url}/webhook`, client(), {
      contentType: 'application/json',
      body: cxRequest('no-such-tag'),
    });
    assert.equal(cx.status, 200);
    assert.match(cx.body, /no handler for tag \\"no-such-tag\\"/);
    const kore = await curl(`${server.url}/webhook`, client(), {
      contentType: 'application/json',
      body: '{"userId":"u1","message":"hi"}',
    });
    assert.equal(kore.status, 200);
    assert.deepEqual(JSON.parse(kore.body), {
      status: 'ok',
      message: 'Hello from your mTLS webhook!',
      receivedKeys: ['userId', 'message'],
    });
  });

  it('answers openssl s_client sending the client certificate', async () => {
    const body = cxRequest('hello', 'via s_client');
    const request = `POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
    const r = await runCommand(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${server.port}`,
        '-cert',
        pki.clientCrt,
        '-key',
        pki.clientKey,
        '-CAfile',
        pki.caCrt,
        '-verify_return_error',
        '-quiet',
        '-ign_eof',
      ],
      process.env,
      request,
    );
    assert.match(r.stdout, /^HTTP\/1\.1 200 OK/m);
    assert.match(
      r.stdout,
      /"fulfillmentResponse":\{"messages":\[\{"text":\{"text":\["Hello from your mTLS webhook! You said: via s_client"\]\}\}\]\}/,
    );
  });

  it('refuses a client certificate from another CA, and an expired one, with the reason logged', async () => {
    const other = await curl(
      `${server.url}/webhook`,
      { cert: pki.otherClientCrt, key: pki.otherClientKey, ca: pki.caCrt },
      { contentType: 'application/json', body: '{}' },
    );
    assert.equal(other.status, 0);
    await server.waitFor(/refused handshake from .* \[UNABLE_TO_VERIFY_LEAF_SIGNATURE\]: unknown CA/);
    const expired = await curl(
      `${server.url}/webhook`,
      { cert: pki.expiredClientCrt, key: pki.clientKey, ca: pki.caCrt },
      { contentType: 'application/json', body: '{}' },
    );
    assert.equal(expired.status, 0);
    await server.waitFor(/refused handshake from .* \[CERT_HAS_EXPIRED\]: the client certificate .*has expired/);
  });

  it('accepts a depth-2 client chain (leaf + intermediate) and refuses the leaf without its intermediate', async () => {
    const full = await curl(
      `${server.url}/webhook`,
      { cert: pki.chainClientCrtWithIntermediate, key: pki.chainClientKey, ca: pki.caCrt },
      { contentType: 'application/json', body: esRequest('Default Welcome Intent') },
    );
    assert.equal(full.status, 200, full.stderr);
    assert.equal(
      (JSON.parse(full.body) as { fulfillmentText: string }).fulfillmentText,
      'Hello from your mTLS webhook!',
    );
    await server.waitFor(
      /POST \/webhook 200 .* CN="chain\.example\.com" O="Chain Org" .* issuer="CN=Client Intermediate CA"/,
    );
    const leafOnly = await curl(
      `${server.url}/webhook`,
      { cert: pki.chainClientLeafOnly, key: pki.chainClientKey, ca: pki.caCrt },
      { contentType: 'application/json', body: '{}' },
    );
    assert.equal(leafOnly.status, 0);
  });

  it('answers malformed JSON with 400 and a JSON error', async () => {
    const r = await curl(`${server.url}/webhook`, client(), {
      contentType: 'application/json',
      body: '{"detectIntentResponseId": ',
    });
    assert.equal(r.status, 400);
    assert.match((JSON.parse(r.body) as { error: string }).error, /^malformed JSON/);
  });

  it('answers a 2 MB body with 413', async () => {
    const big = path.join(dir, 'big.json');
    writeFileSync(big, JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) }));
    const r = await curl(`${server.url}/webhook`, client(), { contentType: 'application/json', bodyFile: big });
    assert.equal(r.status, 413);
  });

  it('answers text/plain with 415, GET with 405, an unknown path with 404', async () => {
    assert.equal(
      (await curl(`${server.url}/webhook`, client(), { contentType: 'text/plain', body: '{}' })).status,
      415,
    );
    const get = await curl(`${server.url}/webhook`, client());
    assert.equal(get.status, 405);
    assert.equal(
      (await curl(`${server.url}/elsewhere`, client(), { contentType: 'application/json', body: '{}' })).status,
      404,
    );
    assert.equal((await curl(`${server.url}/healthz`, client())).status, 200);
  });

  it('answers 500 when a handler throws, and 503 before the deadline when it is too slow', async () => {
    const boom = await curl(`${server.url}/webhook`, client(), {
      contentType: 'application/json',
      body: cxRequest('boom'),
    });
    assert.equal(boom.status, 500);
    await server.waitFor(/handler error: Error: handler bug/);
    const t0 = Date.now();
    const slow = await curl(`${server.url}/webhook`, client(), {
      contentType: 'application/json',
      body: cxRequest('slow'),
    });
    assert.equal(slow.status, 503);
    assert.ok(Date.now() - t0 < 1400, 'answered at the 500 ms deadline, not after the 1.5 s handler');
  });

  it('is still serving after all of the above, then exits cleanly on SIGTERM', async () => {
    const r = await curl(`${server.url}/webhook`, client(), {
      contentType: 'application/json',
      body: cxRequest('hello'),
    });
    assert.equal(r.status, 200);
    assert.equal(server.proc.exitCode, null);
    server.proc.kill('SIGTERM');
    assert.equal(await server.exited(), 0);
    assert.match(server.output(), /SIGTERM: closing[\s\S]*stopped/);
    // Sanity: the files we ran are the ones we generated (not a stale copy): the user's, and the machinery's TLS options.
    assert.match(readFileSync(serverTs, 'utf8'), /boom: \(\) =>/);
    assert.match(
      readFileSync(path.join(dir, 'mtls-server', 'start.mts'), 'utf8'),
      /requestCert: true,\s+rejectUnauthorized: true,/,
    );
  });
});

describe('scaffolded server.ts with pinned identities and Authorization', () => {
  let dir: string;
  let pki: Pki;
  let server: RunningServer;

  before(async () => {
    ensureBuilt();
    dir = tempDir('pinned');
    pki = makePki(path.join(dir, 'certs'));
    await scaffoldServer(dir, { platform: 'cx' });
    server = await startServer(path.join(dir, serverFileName), {
      MTLS_CA: pki.caBundle,
      MTLS_ALLOWED_CLIENTS: 'Google LLC,*.dialogflow.com',
      MTLS_AUTH: 'Bearer s3cret-token',
    });
  });

  after(() => {
    server?.proc.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the server key and certificate in certs/ next to server.ts, whatever the working folder', () => {
    // No MTLS_KEY / MTLS_CERT were given and the process runs in the repository, not in dir.
    assert.ok(server.port > 0);
    assert.ok(server.output().includes(`CA: ${pki.caBundle})`));
  });

  it('answers 403 and logs it when a trusted certificate is not a pinned identity', async () => {
    const r = await curl(
      `${server.url}/webhook`,
      { cert: pki.chainClientCrtWithIntermediate, key: pki.chainClientKey, ca: pki.caCrt },
      {
        contentType: 'application/json',
        body: cxRequest('hello'),
        headers: ['authorization: Bearer s3cret-token'],
      },
    );
    assert.equal(r.status, 403);
    await server.waitFor(/forbidden: client CN="chain\.example\.com" sha256=[0-9A-F:]+ is not in allowedClients/);
  });

  it('answers 401 without the shared secret and 200 with it, for the pinned identity', async () => {
    const tls = { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt };
    const none = await curl(`${server.url}/webhook`, tls, {
      contentType: 'application/json',
      body: cxRequest('hello'),
    });
    assert.equal(none.status, 401);
    const wrong = await curl(`${server.url}/webhook`, tls, {
      contentType: 'application/json',
      body: cxRequest('hello'),
      headers: ['authorization: Bearer nope'],
    });
    assert.equal(wrong.status, 401);
    const ok = await curl(`${server.url}/webhook`, tls, {
      contentType: 'application/json',
      body: cxRequest('hello'),
      headers: ['authorization: Bearer s3cret-token'],
    });
    assert.equal(ok.status, 200);
    assert.doesNotMatch(server.output(), /s3cret-token/, 'the secret is never logged');
  });

  it('answers an ES request with 400 when generated for CX only', async () => {
    const r = await curl(
      `${server.url}/webhook`,
      { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt },
      {
        contentType: 'application/json',
        body: esRequest('Default Welcome Intent'),
        headers: ['authorization: Bearer s3cret-token'],
      },
    );
    assert.equal(r.status, 400);
    assert.match(r.body, /without Dialogflow ES handlers/);
  });
});
