// The five-step handshake timeline, provoked for real on 127.0.0.1: each failure (no server, wrong server CA,
// server name not in the SAN, no client certificate, client certificate from another CA, expired client
// certificate) must be marked at its step in `mtls send --json` and `mtls probe --json`, with the
// scaffolded server's own log line merged in when the server refused.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import {
  buildHandshakeTimeline,
  mergeServerLog,
  parseServerLog,
  sendWebhook,
  renderHandshakeTimeline,
  type HandshakeObservation,
  type HandshakeTimeline,
  type SendResult,
} from '../../../src/core/http/index';
import { explainTlsError } from '../../../src/core/http/explainTlsError';
import { generateChain } from '../../../src/core/pki/index';
import { scaffoldServer, serverFileName } from '../../../src/core/scaffold/scaffoldServer';
import { ensureBuilt, makePki, startServer, tempDir, type Pki, type RunningServer } from '../support/scaffold';
import { closedPort, httpsServer, type Running } from '../support/http';
import { capture } from '../support/cli';

const statuses = (t: HandshakeTimeline): string => t.steps.map((s) => s.status).join(' ');

describe('handshake timeline (real failures on 127.0.0.1, CLI --json)', () => {
  let dir: string;
  let pki: Pki;
  let server: RunningServer;
  let noIpSan: Running;
  const logFile = (): string => path.join(dir, 'server.log');

  before(async () => {
    ensureBuilt();
    dir = tempDir('timeline');
    pki = makePki(path.join(dir, 'certs'));
    const serverTs = path.join(dir, serverFileName);
    await scaffoldServer(dir);
    writeFileSync(logFile(), '');
    server = await startServer(serverTs, { MTLS_KEY: pki.serverKey, MTLS_CERT: pki.serverCrt, MTLS_CA: pki.caCrt });
    // What `mtls serve server.ts | tee server.log` gives a user.
    server.proc.stdout?.on('data', (d: Buffer) => appendFileSync(logFile(), d));
    // A server whose certificate names only DNS:webhook.example, called as https://127.0.0.1.
    const set = await generateChain({ keyType: 'ec256', server: { sans: ['DNS:webhook.example'] } });
    const f = Object.fromEntries(set.files.map((x) => [x.name, String(x.contents)]));
    writeFileSync(path.join(dir, 'san-root.pem'), f['ca-root-crt.pem']);
    noIpSan = await httpsServer({ key: f['server-key.pem'], cert: f['server-fullchain.pem'] });
  });

  after(async () => {
    // Output still in the pipe arrives after the kill: the copy into server.log must end before its folder goes.
    server?.proc.stdout?.removeAllListeners('data');
    server?.proc.kill('SIGKILL');
    await server?.exited();
    await noIpSan?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function send(url: string, args: string[]): Promise<SendResult> {
    const ctx = capture(dir);
    await main(['send', url, '--json', '--server-log', logFile(), '--timeout', '5000', ...args], ctx);
    assert.equal(ctx.stderr(), '');
    return JSON.parse(ctx.stdout()) as SendResult;
  }
  const good = (): string[] => ['--cert', pki.clientCrt, '--key', pki.clientKey, '--ca', pki.caCrt];
  const webhook = (): string => `${server.url}/webhook`;

  function assertShape(t: HandshakeTimeline): void {
    assert.deepEqual(
      t.steps.map((s) => s.step),
      [1, 2, 3, 4, 5],
    );
    for (const s of t.steps) {
      assert.equal(typeof s.name, 'string');
      assert.ok(['ok', 'failed', 'not-reached'].includes(s.status), s.status);
    }
    assert.ok(t.steps.filter((s) => s.status === 'failed').length <= 1);
  }

  it('a good request: five ok steps, what each side presented, TLS version, cipher, the signature algorithms allowed for the client', async () => {
    const r = await send(webhook(), good());
    assert.equal(r.status, 200, JSON.stringify(r.error));
    const t = r.handshake;
    assertShape(t);
    assert.equal(statuses(t), 'ok ok ok ok ok');
    assert.equal(t.outcome, 'ok');
    assert.match(t.protocol ?? '', /^TLSv1\.[23]$/);
    assert.ok(t.cipher);
    // What both sides allow for the client's signature (not one either side used), named as openssl names them.
    assert.ok(
      t.signatureAlgorithms?.some((s) => /ECDSA|RSA|ed25519/i.test(s)),
      String(t.signatureAlgorithms),
    );
    for (const s of t.signatureAlgorithms ?? []) assert.doesNotMatch(s, /UNDEF/);
    const header = renderHandshakeTimeline(t).split('\n')[0];
    assert.equal(
      header,
      `Handshake, in five steps (${t.protocol}, ${t.cipher}, client port ${t.clientPort}): completed`,
    );
    assert.equal(r.observation.certificateRequested, true);
    const s2 = t.steps[1];
    assert.equal(s2.presented?.[0]?.subject, 'CN=localhost');
    assert.equal(s2.presented?.[0]?.keyType, 'EC P-256');
    assert.match(s2.presented?.[0]?.sha256 ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.match(t.steps[3].presented?.[0]?.subject ?? '', /CN=Google LLC/);
    assert.equal(t.steps[3].presented?.[0]?.issuer, 'CN=mTLS Test Root CA');
    // Times go forward with the steps.
    const times = t.steps.map((s) => s.atMs ?? -1);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] >= times[i - 1], times.join(','));
    assert.ok(t.clientPort && t.clientPort > 0);
  });

  it('no server: step 1 failed, the rest not reached', async () => {
    const r = await send(`https://127.0.0.1:${await closedPort()}/webhook`, good());
    assert.equal(statuses(r.handshake), 'failed not-reached not-reached not-reached not-reached');
    assert.equal(r.handshake.steps[0].error?.code, 'ECONNREFUSED');
    assert.match(r.handshake.steps[0].error?.fix ?? '', /Start the webhook server/);
  });

  it("wrong server CA: step 3 failed with the verification error; the server logged the client's refusal", async () => {
    const r = await send(webhook(), [
      '--cert',
      pki.clientCrt,
      '--key',
      pki.clientKey,
      '--ca',
      path.join(pki.dir, 'other-ca-crt.pem'),
    ]);
    assert.equal(statuses(r.handshake), 'ok ok failed not-reached not-reached');
    const s3 = r.handshake.steps[2];
    assert.match(s3.error?.code ?? '', /UNABLE_TO|SELF_SIGNED|DEPTH_ZERO/);
    assert.equal(s3.error?.cause, explainTlsError({ code: s3.error?.code }).cause);
    assert.equal(
      r.handshake.steps[1].presented?.[0]?.subject,
      'CN=localhost',
      'what the server presented is shown even though it was refused',
    );
    assert.match(
      s3.server?.line ?? '',
      new RegExp(`refused handshake from 127\\.0\\.0\\.1:${r.observation.localPort} `),
    );
  });

  it('server name not in the SAN: step 3 failed with ERR_TLS_CERT_ALTNAME_INVALID', async () => {
    const r = await send(noIpSan.url, [
      '--cert',
      pki.clientCrt,
      '--key',
      pki.clientKey,
      '--ca',
      path.join(dir, 'san-root.pem'),
    ]);
    assert.equal(statuses(r.handshake), 'ok ok failed not-reached not-reached');
    assert.equal(r.handshake.steps[2].error?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.equal(r.handshake.steps[2].error?.action, 'regenerateWithSan');
  });

  it('no client certificate: step 4 failed; the server\'s "no client certificate was sent" is merged in', async () => {
    const r = await send(webhook(), ['--no-client-cert', '--ca', pki.caCrt]);
    assert.equal(statuses(r.handshake), 'ok ok ok failed not-reached');
    const s4 = r.handshake.steps[3];
    assert.ok(s4.error, 'the failed step carries the error');
    assert.equal(s4.server?.code, 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE');
    assert.equal(s4.server?.reason, 'no client certificate was sent');
    assert.equal(s4.server?.remotePort, r.observation.localPort);
  });

  it("client certificate from another CA: step 5 failed, with the server's verify error", async () => {
    const r = await send(webhook(), ['--cert', pki.otherClientCrt, '--key', pki.otherClientKey, '--ca', pki.caCrt]);
    assert.equal(statuses(r.handshake), 'ok ok ok ok failed');
    const s5 = r.handshake.steps[4];
    assert.match(s5.server?.code ?? '', /UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED/);
    assert.match(s5.server?.reason ?? '', /unknown CA/);
    assert.match(r.handshake.steps[3].presented?.[0]?.subject ?? '', /CN=Other Client/);
  });

  it('expired client certificate: step 5 failed, the server says CERT_HAS_EXPIRED; the text output shows both sides', async () => {
    const r = await send(webhook(), ['--cert', pki.expiredClientCrt, '--key', pki.clientKey, '--ca', pki.caCrt]);
    assert.equal(statuses(r.handshake), 'ok ok ok ok failed');
    assert.equal(r.handshake.steps[4].server?.code, 'CERT_HAS_EXPIRED');
    const ctx = capture(dir);
    await main(
      [
        'send',
        webhook(),
        '--cert',
        pki.expiredClientCrt,
        '--key',
        pki.clientKey,
        '--ca',
        pki.caCrt,
        '--server-log',
        logFile(),
      ],
      ctx,
    );
    const text = ctx.stdout();
    assert.match(text, /FAILED at step 5/);
    assert.match(text, /✖ 5 {2}Server verifies it, then the request/);
    assert.match(text, /server log: .*refused handshake from 127\.0\.0\.1:\d+ \[CERT_HAS_EXPIRED\]/);
    assert.match(text, /fix: /);
  });

  it('TLS 1.2 (the handshake in the clear, alerts before our side is done): the same steps fail', async () => {
    const base = {
      url: webhook(),
      body: '{}',
      maxTlsVersion: 'TLSv1.2' as const,
      caPem: readFileSync(pki.caCrt, 'utf8'),
      timeoutMs: 5000,
    };
    const noCert = await sendWebhook(base);
    const expired = await sendWebhook({
      ...base,
      certPem: readFileSync(pki.expiredClientCrt, 'utf8'),
      keyPem: readFileSync(pki.clientKey, 'utf8'),
    });
    const ok = await sendWebhook({
      ...base,
      certPem: readFileSync(pki.clientCrt, 'utf8'),
      keyPem: readFileSync(pki.clientKey, 'utf8'),
    });
    await mergeServerLog(() => server.output(), [noCert, expired]);
    assert.equal(ok.handshake.protocol, 'TLSv1.2');
    assert.equal(statuses(ok.handshake), 'ok ok ok ok ok');
    assert.equal(statuses(noCert.handshake), 'ok ok ok failed not-reached', JSON.stringify(noCert.error));
    assert.equal(noCert.handshake.steps[3].server?.code, 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE');
    assert.equal(statuses(expired.handshake), 'ok ok ok ok failed', JSON.stringify(expired.error));
    assert.equal(expired.handshake.steps[4].server?.code, 'CERT_HAS_EXPIRED');
    assert.equal(expired.observation.certificateRequested, true, 'the CertificateRequest was seen before the alert');
    assert.equal(expired.handshake.steps[1].presented?.[0]?.subject, 'CN=localhost');
  });

  it('mtls probe --json: every row carries its timeline; the refused rows fail at the step that refused them', async () => {
    const ctx = capture(dir);
    const code = await main(
      [
        'probe',
        webhook(),
        '--cert',
        pki.clientCrt,
        '--key',
        pki.clientKey,
        '--ca',
        pki.caCrt,
        '--server-log',
        logFile(),
        '--json',
      ],
      ctx,
    );
    assert.equal(code, 0, ctx.stdout());
    const r = JSON.parse(ctx.stdout()) as { rows: { id: string; handshake: HandshakeTimeline }[] };
    const byId = Object.fromEntries(r.rows.map((x) => [x.id, x.handshake]));
    assert.equal(statuses(byId['no-cert']), 'ok ok ok failed not-reached');
    for (const id of ['self-signed', 'unknown-ca', 'expired', 'no-client-auth']) {
      assert.equal(byId[id].failedStep, 5, `${id}: ${statuses(byId[id])}`);
      assert.ok(byId[id].steps[4].server, `${id}: server line merged`);
    }
    assert.equal(statuses(byId['valid']), 'ok ok ok ok ok');
  });
});

describe('buildHandshakeTimeline (pure)', () => {
  const base: HandshakeObservation = {
    startedAt: '2026-11-30T02:00:00.000Z',
    host: '127.0.0.1',
    port: 4433,
    reusedConnection: false,
    localPort: 50000,
    marks: { connectedMs: 1, serverFlightMs: 3, handshakeDoneMs: 4, endMs: 6 },
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384',
    signatureAlgorithms: ['ECDSA+SHA256'],
    certificateRequested: true,
    serverChain: [],
    verification: 'verified',
    client: { source: 'pem', chain: [] },
  };
  const reset = {
    code: 'ECONNRESET',
    message: 'read ECONNRESET',
    explanation: explainTlsError({ code: 'ECONNRESET' }),
  };
  const log = (port: number, at: string, code: string): string =>
    `${at} refused handshake from 127.0.0.1:${port} [${code}]: reason for ${code}`;

  it("a vague client error takes the step of the server's reason, only for the same port and time", () => {
    const lines = parseServerLog(
      [
        log(50001, '2026-11-30T02:00:00.002Z', 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE'),
        log(50000, '2026-11-30T01:00:00.000Z', 'CERT_HAS_EXPIRED'),
        log(50000, '2026-11-30T02:00:00.004Z', 'CERT_HAS_EXPIRED'),
        'unrelated line',
      ].join('\n'),
    );
    assert.equal(lines.length, 3);
    const t = buildHandshakeTimeline({ ...base, error: reset }, lines);
    assert.equal(t.failedStep, 5);
    assert.equal(t.steps[4].server?.at, '2026-11-30T02:00:00.004Z');
    assert.equal(buildHandshakeTimeline({ ...base, localPort: 50002, error: reset }, lines).steps[4].server, undefined);
  });

  it('a server that did not ask for a certificate is said to not enforce mTLS', () => {
    const t = buildHandshakeTimeline({
      ...base,
      certificateRequested: false,
      signatureAlgorithms: [],
      status: 200,
      marks: { ...base.marks, responseMs: 5 },
    });
    assert.equal(t.outcome, 'ok');
    assert.match(t.steps[1].details.join('\n'), /did NOT ask for a client certificate/);
    assert.match(t.steps[3].summary, /not requested/);
  });

  it('credentials that do not load fail step 4 before any connection', () => {
    const e = new Error('error:05800074:x509 certificate routines::key values mismatch');
    const t = buildHandshakeTimeline({
      ...base,
      marks: { endMs: 1 },
      localPort: undefined,
      error: { code: 'KEY_MISMATCH', message: e.message, explanation: explainTlsError(e) },
    });
    assert.equal(statuses(t), 'not-reached not-reached not-reached failed not-reached');
    assert.match(renderHandshakeTimeline(t), /FAILED at step 4/);
  });

  it('HTTP 403 after the handshake fails step 5 (refused by the application)', () => {
    const t = buildHandshakeTimeline({ ...base, status: 403 });
    assert.equal(t.failedStep, 5);
    assert.match(t.steps[4].summary, /application refused/);
  });
});
