// What a send claims about its client certificate: presented only when one went out (configured AND asked for),
// and, when none was sent to a server that asked for one and went on anyway, that the server does not enforce
// mTLS — never "client certificate accepted". Real servers on 127.0.0.1: Node https and gnutls-serv.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { renderSendResult, sendWebhook, type SendOptions, type SendResult } from '../../../src/core/http/index';
import { httpsServer, makeChain, tempDir, writeChain, type ChainFiles, type Running } from '../support/http';
import { gnutlsMissing, gnutlsServer } from './gnutls-support';

const body = { detectIntentResponseId: 'x', fulfillmentInfo: { tag: 't' } };

/** Everything a result says about a request that went out without a client certificate the server asked for. */
function reportsNoneSent(r: SendResult): void {
  assert.deepEqual(r.tls?.clientCertificate, { presented: false, requested: true });
  assert.equal(
    r.handshake.steps[3].summary,
    'the server asked for a client certificate; none was configured, so none was sent',
  );
  assert.ok(
    r.warnings.some((w) =>
      /^NO CLIENT CERTIFICATE WAS SENT, and the server answered anyway: .*does not enforce mTLS/.test(w),
    ),
    r.warnings.join('\n'),
  );
  const text = renderSendResult(r);
  assert.doesNotMatch(text, /client certificate accepted/);
  assert.match(
    text,
    /Client certificate: none sent, although the server asked for one; it answered without one, so it does not enforce mTLS/,
  );
}

describe("the send result's claims about the client certificate (Node servers)", () => {
  let a: ChainFiles;
  const open: Running[] = [];
  const send = (url: string, o: Partial<SendOptions> = {}): Promise<SendResult> =>
    sendWebhook({ url, body, platform: 'cx', caPem: a['ca-root-crt.pem'], timeoutMs: 5_000, ...o });
  const serve = async (o: { requestCert: boolean }): Promise<Running> => {
    const s = await httpsServer({
      key: a['server-key.pem'],
      cert: a['server-fullchain.pem'],
      ca: a['ca-root-crt.pem'],
      requestCert: o.requestCert,
      rejectUnauthorized: false,
    });
    open.push(s);
    return s;
  };

  before(async () => {
    a = await makeChain('Claims Test');
  });
  after(async () => {
    for (const s of open) await s.close();
  });

  it('no certificate to a server that requests one but does not require it: none sent, the server does not enforce mTLS', async () => {
    const r = await send((await serve({ requestCert: true })).url);
    assert.equal(r.status, 200, r.error?.message);
    reportsNoneSent(r);
    assert.equal(
      r.handshake.steps[4].summary,
      'no client certificate was sent and the server went on without one: it does not enforce mTLS; HTTP 200',
    );
  });

  it('your certificate to the same server: presented and accepted, no warning', async () => {
    const r = await send((await serve({ requestCert: true })).url, {
      certPem: a['client-fullchain.pem'],
      keyPem: a['client-key.pem'],
    });
    assert.equal(r.status, 200, r.error?.message);
    assert.equal(r.tls?.clientCertificate.presented, true);
    assert.equal(r.tls?.clientCertificate.requested, true);
    assert.equal(r.handshake.steps[4].summary, 'client certificate accepted; HTTP 200');
    assert.deepEqual(r.warnings, []);
  });

  it('a configured certificate the server never asked for is not reported as presented', async () => {
    const r = await send((await serve({ requestCert: false })).url, {
      certPem: a['client-fullchain.pem'],
      keyPem: a['client-key.pem'],
    });
    assert.equal(r.status, 200, r.error?.message);
    assert.equal(r.tls?.clientCertificate.presented, false);
    assert.equal(r.tls?.clientCertificate.requested, false);
    assert.equal(r.tls?.clientCertificate.subject, 'O=Claims Test, CN=mtls-client');
    assert.match(
      renderSendResult(r),
      /Client certificate: none sent: the server did not ask for one; configured \(O=Claims Test, CN=mtls-client\)/,
    );
    assert.equal(r.handshake.steps[4].summary, 'no client certificate checked; HTTP 200');
  });
});

describe("the send result's claims about the client certificate (gnutls-serv)", { skip: gnutlsMissing() }, () => {
  let a: ChainFiles;
  let dir: string;

  before(async () => {
    a = await makeChain('Claims GnuTLS');
    dir = writeChain(tempDir('claims-gnutls'), a);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('no certificate to gnutls-serv --verify-client-cert (verifies one if sent, requires none): none sent, not enforced', async () => {
    const s = await gnutlsServer(
      [
        '--x509certfile',
        'server-fullchain.pem',
        '--x509keyfile',
        'server-key.pem',
        '--x509cafile',
        'ca-root-crt.pem',
        '--verify-client-cert',
        '--http',
      ],
      dir,
    );
    try {
      const r = await sendWebhook({ url: s.url, body, platform: 'cx', caPem: a['ca-root-crt.pem'], timeoutMs: 5_000 });
      // Its answer to a POST has no status line, but it came over the finished handshake.
      assert.equal(r.error?.code, 'NOT_HTTP', r.error?.message);
      reportsNoneSent(r);
    } finally {
      await s.close();
    }
  });
});
