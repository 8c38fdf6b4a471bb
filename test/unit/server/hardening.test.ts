// The generated server against hostile configurations and clients, with real sockets on 127.0.0.1: an auth
// mode without a secret, connections that never start TLS, more connections than the cap, request targets
// that are malformed, absolute-form, '//host/path' or with a backslash, stalled and oversized requests, a
// damaged CA bundle and a certificate file in the wrong order.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { scaffoldServer, serverFileName } from '../../../src/core/scaffold/scaffoldServer';
import { configuredAuthorization } from '../../../src/core/scaffold/serverConfig';
import { runServerFlag } from '../../../src/core/scaffold/runServerFlag';
import {
  cxRequest,
  curl,
  ensureBuilt,
  loaderPath,
  makePki,
  runCommand,
  runToExit,
  startOutcome,
  startServer,
  tempDir,
  type Pki,
  type RunningServer,
} from '../support/scaffold';

/** Sends one raw HTTP/1.1 request over mTLS (so the request target is exactly `target`); resolves to the status. */
function rawRequest(port: number, pki: Pki, target: string, body = cxRequest('hello')): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      {
        host: '127.0.0.1',
        port,
        ca: readFileSync(pki.caCrt),
        cert: readFileSync(pki.clientCrt),
        key: readFileSync(pki.clientKey),
        servername: 'localhost',
      },
      () => {
        socket.end(
          `POST ${target} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      },
    );
    let data = '';
    const status = (): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('end', () => resolve(status()));
    // A server that answers before reading the body (400, 404) closes with the body unread, which may reach
    // us as a reset right after the status line: the answer is what counts.
    socket.on('error', (e: Error) => (status() !== 0 ? resolve(status()) : reject(e)));
  });
}

/**
 * An mTLS connection that writes `head` (and nothing more); resolves to what the server sent back and how long
 * until it closed the connection.
 */
function stalledRequest(port: number, pki: Pki, head: string): Promise<{ response: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let response = '';
    const socket = tls.connect(
      {
        host: '127.0.0.1',
        port,
        ca: readFileSync(pki.caCrt),
        cert: readFileSync(pki.clientCrt),
        key: readFileSync(pki.clientKey),
        servername: 'localhost',
      },
      () => socket.write(head),
    );
    socket.on('data', (d: Buffer) => (response += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ response, ms: Date.now() - started }));
  });
}

/**
 * An mTLS connection that finishes its handshake and then sends nothing: once it resolves, the server has
 * accepted (and counts) it. `close()` ends it and resolves when the server has closed its side too.
 */
function heldConnection(port: number, pki: Pki): Promise<{ close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      {
        host: '127.0.0.1',
        port,
        ca: readFileSync(pki.caCrt),
        cert: readFileSync(pki.clientCrt),
        key: readFileSync(pki.clientKey),
        servername: 'localhost',
      },
      () => {
        socket.off('error', reject);
        socket.on('error', () => undefined);
        const closed = new Promise<void>((r) => socket.once('close', () => r()));
        resolve({ close: () => (socket.end(), closed) });
      },
    );
    socket.once('error', reject);
  });
}

/** A plain TCP connection that sends nothing; resolves to how long until the server closed it. */
function idleConnection(port: number): { closed: Promise<number>; socket: net.Socket } {
  const started = Date.now();
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)));
  return { closed, socket };
}

describe('scaffolded server.ts hardening (real sockets)', () => {
  let dir: string;
  let pki: Pki;
  let serverTs: string;
  const certs = (): Record<string, string> => ({
    MTLS_KEY: pki.serverKey,
    MTLS_CERT: pki.serverCrt,
    MTLS_CA: pki.caCrt,
  });

  before(async () => {
    ensureBuilt();
    dir = tempDir('harden');
    pki = makePki(path.join(dir, 'certs'));
    serverTs = path.join(dir, serverFileName);
    await scaffoldServer(dir);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses to start with auth 'Bearer' or 'Basic' and no secret, naming the problem and not the secret", async () => {
    for (const auth of ['Bearer', 'Basic', 'bearer   ', 'Basic nocolon', 'Token abc']) {
      const r = await runToExit(serverTs, { ...certs(), MTLS_PORT: '0', MTLS_AUTH: auth });
      assert.equal(r.code, 1, `${auth}: ${r.output}`);
      assert.match(r.output, /^mtls-server error \[BAD_AUTH\]: /m, auth);
      assert.doesNotMatch(r.output, /listening on/);
    }
    // With a secret it starts and checks it.
    const server = await startServer(serverTs, { ...certs(), MTLS_AUTH: 'Bearer s3cret-token' });
    try {
      const client = { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt };
      const body = { contentType: 'application/json', body: cxRequest('hello') };
      assert.equal(
        (await curl(`${server.url}/webhook`, client, { ...body, headers: ['authorization: Bearer '] })).status,
        401,
      );
      assert.equal(
        (await curl(`${server.url}/webhook`, client, { ...body, headers: ['authorization: Bearer s3cret-token'] }))
          .status,
        200,
      );
      assert.doesNotMatch(server.output(), /s3cret-token/);
    } finally {
      server.proc.kill('SIGKILL');
    }
  });

  describe('with a short handshake timeout and a cap of 2 connections', () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(serverTs, { ...certs(), MTLS_HANDSHAKE_TIMEOUT_MS: '400', MTLS_MAX_CONNECTIONS: '2' });
    });
    after(() => server?.proc.kill('SIGKILL'));

    it('drops a connection that never starts TLS after the handshake timeout, and logs why', async () => {
      const idle = idleConnection(server.port);
      const ms = await idle.closed;
      assert.ok(ms >= 300 && ms < 8000, `closed after ${ms} ms`);
      await server.waitFor(/refused handshake from 127\.0\.0\.1:\d+ \[ERR_TLS_HANDSHAKE_TIMEOUT\]/);
    });

    it('drops connections beyond the cap at once and logs it; serves again once below it', async () => {
      // Two connections the server has accepted (their handshakes finished), held open without a request.
      const [a, b] = await Promise.all([heldConnection(server.port, pki), heldConnection(server.port, pki)]);
      const third = idleConnection(server.port);
      const ms = await third.closed;
      assert.ok(ms < 300, `the third connection was closed after ${ms} ms, before the handshake timeout`);
      await server.waitFor(
        /connection cap reached \(maxConnections 2, MTLS_MAX_CONNECTIONS\): dropped 127\.0\.0\.1:\d+/,
      );
      // Ended by the client and closed by the server: both connections are gone on the server's side too.
      await Promise.all([a.close(), b.close()]);
      assert.equal(await rawRequest(server.port, pki, '/webhook'), 200);
    });
  });

  describe('request targets', () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(serverTs, certs());
    });
    after(() => server?.proc.kill('SIGKILL'));

    it('answers 400 to a malformed target, without a handler error', async () => {
      assert.equal(await rawRequest(server.port, pki, 'http://['), 400);
      assert.equal(await rawRequest(server.port, pki, 'webhook'), 400);
      assert.doesNotMatch(server.output(), /handler error|TypeError/);
    });

    it('matches webhook paths exactly after normalisation: absolute-form and //host/path get 404', async () => {
      assert.equal(await rawRequest(server.port, pki, `https://127.0.0.1:${server.port}/webhook`), 404);
      assert.equal(await rawRequest(server.port, pki, '//evil.example/webhook'), 404);
      assert.equal(await rawRequest(server.port, pki, '/webhookx'), 404);
      assert.equal(await rawRequest(server.port, pki, '/other/../webhook?x=1'), 200);
      assert.equal(await rawRequest(server.port, pki, '/webhook'), 200);
      // A webhook URL configured with a trailing slash is the same webhook.
      assert.equal(await rawRequest(server.port, pki, '/webhook/'), 200);
    });

    it('a backslash in the path gets 404 like //host/path (URL parsers read \\ as /), %5C included', async () => {
      // Read by the URL parser as //evil.example/webhook: the authority moves, as with '//'.
      assert.equal(await rawRequest(server.port, pki, '/\\evil.example/webhook'), 404);
      assert.equal(await rawRequest(server.port, pki, '/\\\\evil.example/webhook'), 404);
      assert.equal(await rawRequest(server.port, pki, '/\\/evil.example/webhook'), 404);
      // Elsewhere in the path it would be a separator to the URL parser only: /status\..\webhook is not /webhook.
      assert.equal(await rawRequest(server.port, pki, '/status\\..\\webhook'), 404);
      assert.equal(await rawRequest(server.port, pki, '/webhook\\'), 404);
      // Percent-encoded, it is a character of a segment for every parser, never a separator.
      assert.equal(await rawRequest(server.port, pki, '/%5Cevil.example/webhook'), 404);
      assert.equal(await rawRequest(server.port, pki, '/%5cwebhook'), 404);
      // In the query string it is data, as any other character there.
      assert.equal(await rawRequest(server.port, pki, '/webhook?next=\\evil.example'), 200);
    });

    it('answers curl --http1.0 (ALPN http/1.0)', async () => {
      const r = await curl(
        `${server.url}/webhook`,
        { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt },
        { contentType: 'application/json', body: cxRequest('hello'), headers: [] },
      );
      assert.equal(r.status, 200);
      const old = await runCommand('curl', [
        '-sS',
        '--http1.0',
        '--max-time',
        '15',
        '--cacert',
        pki.caCrt,
        '--cert',
        pki.clientCrt,
        '--key',
        pki.clientKey,
        '-H',
        'content-type: application/json',
        '--data-binary',
        cxRequest('hello'),
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        `${server.url}/webhook`,
      ]);
      assert.equal(old.stdout, '200', old.stderr);
    });
  });

  describe('with a request timeout of half a second in the config block', () => {
    let server: RunningServer;
    before(async () => {
      // The user's config block with a shorter deadline than the template's 4500 ms (headersTimeout follows it):
      // the same 408 and 413 paths, a few seconds sooner.
      const file = await scaffoldServer(path.join(dir, 'short-timeout'));
      const text = readFileSync(file, 'utf8');
      const shorter = text.replace(/^(\s*requestTimeoutMs:) \d[\d_]*,/m, '$1 500,');
      assert.notEqual(shorter, text, 'the config block has requestTimeoutMs');
      writeFileSync(file, shorter);
      server = await startServer(file, certs());
    });
    after(() => server?.proc.kill('SIGKILL'));

    it("a stalled request is answered 408 and closed within a second of its timeout (not Node's 30 s check), and logged", async () => {
      const r = await stalledRequest(
        server.port,
        pki,
        'POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n',
      );
      assert.match(r.response, /^HTTP\/1\.1 408 Request Timeout\r\n/);
      assert.ok(r.ms < 10_000, `closed after ${r.ms} ms`);
      await server.waitFor(
        /closed the connection from 127\.0\.0\.1:\d+ with 408 \[ERR_HTTP_REQUEST_TIMEOUT\]: the request was not complete in time/,
      );
    });

    it('a body declared larger than the limit gets one answer, 413, and a client that keeps sending is cut off at the request timeout', async () => {
      const r = await stalledRequest(
        server.port,
        pki,
        `POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${100 * 2 ** 30}\r\n\r\n{"a":`,
      );
      assert.match(r.response, /^HTTP\/1\.1 413 /);
      assert.equal(r.response.match(/HTTP\/1\.1 \d{3}/g)?.length, 1, r.response);
      assert.ok(r.ms < 10_000, `closed after ${r.ms} ms`);
      await server.waitFor(
        /closed the connection from 127\.0\.0\.1:\d+ \[ERR_HTTP_REQUEST_TIMEOUT\]: still sending a request body \d+ ms after it was answered/,
      );
    });
  });

  it('refuses to start with a damaged certificate in the CA bundle, or a certificate file that lists an intermediate first', async () => {
    const good = readFileSync(pki.caCrt, 'utf8');
    const damaged = path.join(dir, 'damaged-ca.pem');
    writeFileSync(damaged, good + '-----BEGIN CERTIFICATE-----\nAAAAbroken\n-----END CERTIFICATE-----\n');
    const bad = await runToExit(serverTs, { ...certs(), MTLS_CA: damaged, MTLS_PORT: '0' });
    assert.notEqual(bad.code, 0);
    assert.match(
      bad.output,
      /^mtls-server error \[BAD_CA\]: certificate 2 of 2 in the CA bundle .*damaged-ca\.pem is damaged or truncated/m,
    );
    const reversed = path.join(dir, 'reversed-chain.pem');
    writeFileSync(reversed, readFileSync(pki.caCrt, 'utf8') + readFileSync(pki.serverCrt, 'utf8'));
    const order = await runToExit(serverTs, { ...certs(), MTLS_CERT: reversed, MTLS_PORT: '0' });
    assert.notEqual(order.code, 0);
    assert.match(
      order.output,
      /^mtls-server error \[CERT_ORDER\]: the certificate file .*reversed-chain\.pem does not start with the server certificate: CN=localhost \(the one the private key belongs to\) must come first, then its intermediates/m,
    );
  });

  it('checks TRUSTED CERTIFICATE and X509 CERTIFICATE blocks of the CA bundle too: damaged trust settings or a cut-short block refuse to start', async () => {
    const good = readFileSync(pki.caCrt, 'utf8');
    // The certificate intact, then trust settings that are not DER: Node stops reading the bundle there.
    const der = new X509Certificate(good).raw;
    const brokenAux = Buffer.concat([der, Buffer.from([0x30, 0x05, 0x01, 0x02])])
      .toString('base64')
      .replace(/.{64}/g, '$&\n');
    const cases: Record<string, string> = {
      'trusted-bad-aux': `${good}-----BEGIN TRUSTED CERTIFICATE-----\n${brokenAux}\n-----END TRUSTED CERTIFICATE-----\n`,
      'x509-cut-short': good + good.replace(/(BEGIN|END) CERTIFICATE-----/g, '$1 X509 CERTIFICATE-----').slice(0, 200),
    };
    for (const [name, text] of Object.entries(cases)) {
      const file = path.join(dir, `${name}.pem`);
      writeFileSync(file, text);
      const output = await startOutcome(serverTs, { ...certs(), MTLS_CA: file });
      assert.doesNotMatch(output, /listening on/, name);
      assert.match(
        output,
        new RegExp(
          `^mtls-server error \\[BAD_CA\\]: certificate 2 of 2 in the CA bundle .*${name}\\.pem is damaged or truncated`,
          'm',
        ),
        name,
      );
    }
  });

  it('never prints an auth secret: a tab between scheme and secret, a typo such as Bearer:secret, --print-config', async () => {
    const secret = `S3cret-${randomBytes(6).toString('hex')}`;
    const client = { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt };
    const body = { contentType: 'application/json', body: cxRequest('hello') };
    // A tab is as good a separator as a space: the server starts, checks the secret and names only the scheme.
    const server = await startServer(serverTs, { ...certs(), MTLS_AUTH: `Bearer\t${secret}` });
    try {
      assert.equal(await server.waitFor(/authorization required: .*\n/), 'authorization required: Bearer\n');
      assert.equal(
        (await curl(`${server.url}/webhook`, client, { ...body, headers: [`authorization: Bearer ${secret}`] })).status,
        200,
      );
      assert.equal(
        (await curl(`${server.url}/webhook`, client, { ...body, headers: ['authorization: Bearer wrong'] })).status,
        401,
      );
      assert.ok(!server.output().includes(secret), server.output());
    } finally {
      server.proc.kill('SIGKILL');
    }
    // Mistyped values still hold the secret: refused without quoting them.
    for (const typo of [`Bearer:${secret}`, `bearer=${secret}`, `Basic:bob:${secret}`, `Token ${secret}`, secret]) {
      const output = await startOutcome(serverTs, { ...certs(), MTLS_AUTH: typo });
      assert.match(
        output,
        /^mtls-server error \[BAD_AUTH\]: auth \(MTLS_AUTH or CONFIG\.auth\) must be empty, .*\(the value is not shown, as it may hold a secret\)$/m,
        typo,
      );
      assert.ok(!output.includes(secret), output);
      if (/^(bearer|basic)[:=]/i.test(typo))
        assert.match(output, /: put a space between (Bearer|bearer|Basic) and the secret/, typo);
    }
    // --print-config says whether a secret is set; --print-authorization is for the local client that must send it.
    const env = { PATH: process.env['PATH'] ?? '', ...certs() };
    for (const auth of [`Bearer\t${secret}`, `Bearer:${secret}`]) {
      const printed = await runServerFlag(serverTs, '--print-config', { ...env, MTLS_AUTH: auth }, { loaderPath });
      assert.ok(!printed.includes(secret), printed);
      assert.deepEqual(
        (JSON.parse(printed) as { auth: unknown }).auth,
        auth.includes('\t') ? { mode: 'bearer', hasSecret: true } : { mode: 'unknown', hasSecret: false },
      );
    }
    assert.equal(
      await configuredAuthorization(serverTs, { ...env, MTLS_AUTH: `Bearer\t${secret}` }, { loaderPath }),
      `Bearer\t${secret}`,
    );
  });

  it('"basic user:password" in lower case gets a Basic challenge', async () => {
    const server = await startServer(serverTs, { ...certs(), MTLS_AUTH: 'basic bob:pw' });
    try {
      const r = await runCommand('curl', [
        '-sS',
        '-D',
        '-',
        '-o',
        '/dev/null',
        '--max-time',
        '15',
        '--cacert',
        pki.caCrt,
        '--cert',
        pki.clientCrt,
        '--key',
        pki.clientKey,
        '-H',
        'content-type: application/json',
        '--data-binary',
        cxRequest('hello'),
        `${server.url}/webhook`,
      ]);
      assert.match(r.stdout, /^HTTP\/1\.1 401 /);
      assert.match(r.stdout, /^www-authenticate: Basic realm="webhook"\r$/im);
      const ok = await curl(
        `${server.url}/webhook`,
        { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt },
        {
          contentType: 'application/json',
          body: cxRequest('hello'),
          headers: [`authorization: Basic ${Buffer.from('bob:pw').toString('base64')}`],
        },
      );
      assert.equal(ok.status, 200);
    } finally {
      server.proc.kill('SIGKILL');
    }
  });
});
