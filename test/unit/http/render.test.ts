// The documents and notices the send and probe show, built from real sends and a real probe on 127.0.0.1.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  probeEndpoint,
  renderHandshakeTimeline,
  renderProbeDocument,
  renderProbeResult,
  renderSendDocument,
  renderSendResult,
  sendNotice,
  sendWebhook,
} from '../../../src/core/http/index';
import { sampleRequest } from '../../../src/core/webhook/index';
import { closedPort, httpsServer, makeChain, type ChainFiles, type Running } from '../support/http';

describe('send and probe documents', () => {
  let a: ChainFiles;
  let server: Running;
  const creds = () => ({
    certPem: a['client-fullchain.pem'],
    keyPem: a['client-key.pem'],
    caPem: a['ca-root-crt.pem'],
  });

  before(async () => {
    a = await makeChain('Render Test');
    server = await httpsServer({
      key: a['server-key.pem'],
      cert: a['server-fullchain.pem'],
      ca: a['ca-root-crt.pem'],
      requestCert: true,
      rejectUnauthorized: true,
    });
  });
  after(async () => {
    await server?.close();
  });

  it("a send's document: the report, the same request with curl and openssl, then the server's certificates as PEM", async () => {
    const r = await sendWebhook({ url: server.url, body: sampleRequest('cx'), platform: 'cx', ...creds() });
    assert.equal(r.error, undefined, r.error?.message);
    const doc = renderSendDocument(r, {
      curl: 'curl --cert c.pem https://x/',
      openssl: 'openssl s_client -connect x:443',
    });
    assert.ok(
      doc.startsWith(
        `${renderSendResult(r)}\n\nSame request with curl:\n  curl --cert c.pem https://x/\n\nTLS only, with openssl:\n  openssl s_client -connect x:443\n\nThe server's certificates as PEM`,
      ),
      doc,
    );
    // Leaf and intermediate, each as the server sent it, so that a hover or Decode Certificate reads them.
    const pems = doc.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    assert.deepEqual(pems, [a['server-crt.pem'].trim(), a['ca-intermediate-crt.pem'].trim()]);
    assert.ok(doc.endsWith('-----END CERTIFICATE-----\n'));
    assert.doesNotMatch(doc, /TEST Google ID token|test root/);
    assert.deepEqual(sendNotice(r), { severity: 'info', text: `mTLS: HTTP 200 in ${Math.round(r.timing.totalMs)} ms` });
  });

  it('a Dialogflow-shaped send adds its test ID token (where its JWKS went, or how to write it) and its test root', async () => {
    const r = await sendWebhook({ url: server.url, body: sampleRequest('cx'), platform: 'cx', ...creds() });
    const idToken = {
      audience: 'https://x/',
      email: 'agent@example.com',
      kid: 'k1',
      expiresAt: '2030-01-01T00:00:00.000Z',
      serverEnv: 'MTLS_AUTH=google-id-token',
    };
    const withoutJwks = renderSendDocument(r, { curl: 'c', openssl: 'o', idToken, dialogflowTestRoot: 'ROOT PEM\n' });
    assert.ok(
      withoutJwks.endsWith(
        `\n\nAttached a TEST Google ID token (aud https://x/, email agent@example.com, kid k1, expires 2030-01-01T00:00:00.000Z), signed by a throwaway key. Pass jwksOut to write its JWKS.\n\nThe throwaway Dialogflow-shaped chain's test root (the server must trust it, like the SSL.com root in production):\nROOT PEM\n\n`,
      ),
      withoutJwks,
    );
    const withJwks = renderSendDocument(r, {
      curl: 'c',
      openssl: 'o',
      idToken: { ...idToken, jwksFile: '/w/jwks.json' },
    });
    assert.ok(
      withJwks.endsWith(' Its JWKS is in /w/jwks.json; server.mts accepts it with:\n  MTLS_AUTH=google-id-token\n'),
      withJwks,
    );
  });

  it('a failed send: the document has no server certificates; the notice is an error with the explanation and its fix', async () => {
    const r = await sendWebhook({
      url: `https://127.0.0.1:${await closedPort()}/`,
      body: sampleRequest('es'),
      platform: 'es',
      ...creds(),
    });
    assert.ok(r.error);
    const doc = renderSendDocument(r, { curl: 'c', openssl: 'o' });
    assert.equal(doc, `${renderSendResult(r)}\n\nSame request with curl:\n  c\n\nTLS only, with openssl:\n  o\n`);
    assert.deepEqual(sendNotice(r), {
      severity: 'error',
      text: `mTLS: ${r.error.explanation.title}. ${r.error.explanation.fix}`,
    });
  });

  it('a reply that fails the response checks is a warning that counts them', async () => {
    const bad = await httpsServer(
      {
        key: a['server-key.pem'],
        cert: a['server-fullchain.pem'],
        ca: a['ca-root-crt.pem'],
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        req.resume();
        res.setHeader('content-type', 'application/json');
        res.end('{"fulfillmentResponse": "not an object"}');
      },
    );
    try {
      const r = await sendWebhook({ url: bad.url, body: sampleRequest('cx'), platform: 'cx', ...creds() });
      const flagged = r.checks.filter((c) => c.severity !== 'info').length;
      assert.ok(
        r.checks.some((c) => c.severity === 'error'),
        JSON.stringify(r.checks),
      );
      assert.deepEqual(sendNotice(r), {
        severity: 'warning',
        text: `mTLS: HTTP 200 in ${Math.round(r.timing.totalMs)} ms — ${flagged} response warning(s)`,
      });
    } finally {
      await bad.close();
    }
  });

  it("a probe's document: the report, then each row's handshake in five steps", async () => {
    const r = await probeEndpoint(server.url, creds());
    const doc = renderProbeDocument(r);
    const rows = r.rows.map((row) => `${row.label}:\n${renderHandshakeTimeline(row.handshake)}`).join('\n');
    assert.equal(doc, `${renderProbeResult(r)}\nEach row's handshake, in five steps\n\n${rows}`);
    for (const row of r.rows) assert.ok(doc.includes(`\n${row.label}:\n`), row.label);
  });
});
