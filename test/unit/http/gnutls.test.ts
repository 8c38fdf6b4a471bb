// The client against GnuTLS's own server (gnutls-serv): its refusals are other alerts than OpenSSL's and Node's
// (49 access denied for every certificate it cannot verify, 50 decode error for a missing one on TLS 1.2), and its
// --http mode answers a POST with a page that has no status line. Each is read and explained for what it is.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { renderSendResult, sendWebhook, type SendOptions, type SendResult } from '../../../src/core/http/index';
import { leafFrom, pastWindow } from '../../../src/core/testIdentities/throwawayCerts';
import { makeChain, tempDir, writeChain, type ChainFiles, type Running } from '../support/http';
import { gnutlsMissing, gnutlsServer } from './gnutls-support';

const body = { detectIntentResponseId: 'x', fulfillmentInfo: { tag: 't' } };
const files = [
  '--x509certfile',
  'server-fullchain.pem',
  '--x509keyfile',
  'server-key.pem',
  '--x509cafile',
  'ca-root-crt.pem',
];
// gnutls-serv requests a client certificate unless told not to; these make it require and verify one.
const strict = [...files, '--require-client-cert', '--verify-client-cert', '--http'];

/** The refusal as OpenSSL reported the alert, explained as `code`, failing at `step`. */
function refusedWith(r: SendResult, code: string, alert: number, step: number): void {
  assert.equal(r.status, undefined);
  assert.ok(r.error, 'expected a refusal');
  assert.match(r.error.message, new RegExp(`SSL alert number ${alert}\\b`), 'the alert came from gnutls-serv');
  assert.equal(r.error.code, code, `${r.error.code}: ${r.error.explanation.title}`);
  assert.equal(r.error.explanation.code, code);
  assert.match(r.error.explanation.title, new RegExp(`alert ${alert}\\b`));
  assert.equal(r.handshake.failedStep, step, JSON.stringify(r.handshake.steps.map((s) => s.summary)));
}

describe('gnutls-serv requiring a client certificate: every refusal explained', { skip: gnutlsMissing() }, () => {
  let a: ChainFiles;
  let b: ChainFiles;
  let dir: string;
  let server: Running;
  let expired: { certPem: string; keyPem: string };
  const send = (o: Partial<SendOptions>): Promise<SendResult> =>
    sendWebhook({ url: server.url, body, platform: 'cx', caPem: a['ca-root-crt.pem'], timeoutMs: 5_000, ...o });
  const fromA = () => ({ certPem: a['client-fullchain.pem'], keyPem: a['client-key.pem'] });
  const fromB = () => ({ certPem: b['client-fullchain.pem'], keyPem: b['client-key.pem'] });

  before(async () => {
    [a, b] = await Promise.all([makeChain('GnuTLS A'), makeChain('GnuTLS B')]);
    dir = writeChain(tempDir('gnutls'), a);
    expired = await leafFrom(
      { certPem: a['ca-intermediate-crt.pem'] + a['ca-root-crt.pem'], keyPem: a['ca-intermediate-key.pem'] },
      { role: 'client', cn: 'expired client', ...pastWindow() },
    );
    server = await gnutlsServer(strict, dir);
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    const pin = { minTlsVersion: version, maxTlsVersion: version };

    it(`alert 49 access denied (${version}): a client certificate from another CA is refused, not "the server closed the connection"`, async () => {
      const r = await send({ ...fromB(), ...pin });
      refusedWith(r, 'ALERT_ACCESS_DENIED', 49, 5);
      assert.match(r.error!.explanation.cause, /CA they do not trust/);
      assert.equal(r.error!.explanation.action, 'generateClient');
      assert.match(
        renderSendResult(r),
        /FAILED: The server refused your client certificate \(TLS alert 49, access denied\) \[ALERT_ACCESS_DENIED\]/,
      );
    });

    it(`alert 49 access denied (${version}): an expired client certificate from the trusted CA is refused`, async () => {
      const r = await send({ ...expired, ...pin });
      refusedWith(r, 'ALERT_ACCESS_DENIED', 49, 5);
      assert.match(r.error!.explanation.fix, /validity dates/);
    });
  }

  it('alert 50 decode error (TLS 1.2): no client certificate, which GnuTLS answers with 50, fails at step 4', async () => {
    const r = await send({ minTlsVersion: 'TLSv1.2', maxTlsVersion: 'TLSv1.2' });
    refusedWith(r, 'ALERT_DECODE_ERROR', 50, 4);
    assert.match(
      r.error!.explanation.cause,
      /require a client certificate send this alert on TLS 1\.2 when none is sent/,
    );
  });

  it('alert 116 certificate required (TLS 1.3): no client certificate', async () => {
    refusedWith(
      await send({ maxTlsVersion: 'TLSv1.3', minTlsVersion: 'TLSv1.3' }),
      'ALERT_CERTIFICATE_REQUIRED',
      116,
      4,
    );
  });

  it('an alert without an entry of its own is still a refusal named by its alert (120, no application protocol)', async () => {
    const alpn = await gnutlsServer([...files, '--http', '--alpn', 'h2', '--alpn-fatal'], dir);
    try {
      const r = await sendWebhook({ url: alpn.url, body, caPem: a['ca-root-crt.pem'], ...fromA(), timeoutMs: 5_000 });
      assert.match(r.error?.message ?? '', /no application protocol.*SSL alert number 120/);
      assert.equal(r.error?.code, 'ALERT_OTHER');
      assert.equal(r.handshake.failedStep, 2, 'refused before the server sent its certificate');
    } finally {
      await alpn.close();
    }
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`your certificate (${version}): the handshake completes, and the answer without a status line is "not HTTP"`, async () => {
      const r = await send({ ...fromA(), minTlsVersion: version, maxTlsVersion: version });
      assert.equal(r.error?.code, 'NOT_HTTP', r.error?.message);
      assert.match(r.error.message, /does not match the HTTP\/1\.1 protocol/);
      assert.equal(r.tls?.protocol, version);
      assert.deepEqual(r.tls?.clientCertificate, {
        presented: true,
        requested: true,
        subject: 'O=GnuTLS A, CN=mtls-client',
        sha256: r.tls?.clientCertificate.sha256,
      });
      assert.deepEqual(
        r.handshake.steps.map((s) => s.status),
        ['ok', 'ok', 'ok', 'ok', 'failed'],
      );
      assert.match(r.handshake.steps[3].summary, /^presented O=GnuTLS A, CN=mtls-client/);
    });
  }

  it('your certificate with GET, which gnutls-serv answers in HTTP: 200, certificate presented and accepted', async () => {
    const r = await send({ ...fromA(), method: 'GET', body: '' });
    assert.equal(r.status, 200, r.error?.message);
    assert.equal(r.handshake.outcome, 'ok');
    assert.equal(r.handshake.steps[4].summary, 'client certificate accepted; HTTP 200');
    assert.match(renderSendResult(r), /Client certificate: presented \(O=GnuTLS A, CN=mtls-client\)/);
    assert.deepEqual(r.warnings, []);
  });
});
