// sendWebhook against real peers on 127.0.0.1: the scaffolded server.ts (started through planLaunch) and
// openssl s_server, plus small Node servers for the Dialogflow-shaped chain, --insecure, limits and keep-alive.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { toCurl, toOpensslSClient } from '../../../src/core/clientConfig/index';
import { createWebhookClient, renderSendResult, sendWebhook, type SendResult } from '../../../src/core/http/index';
import { dialogflowLikeClient } from '../../../src/core/testIdentities/index';
import { scaffoldServer, serverFileName } from '../../../src/core/scaffold/scaffoldServer';
import { generateSelfSigned } from '../../../src/core/pki/index';
import { sampleJson, sampleRequest, type Platform } from '../../../src/core/webhook/index';
import { ensureBuilt, startServer, type RunningServer } from '../support/scaffold';
import {
  httpsServer,
  makeChain,
  opensslServer,
  tempDir,
  writeChain,
  type ChainFiles,
  type Running,
} from '../support/http';

function assertTiming(r: SendResult): void {
  const t = r.timing;
  assert.equal(t.reusedConnection, false);
  for (const k of ['connectMs', 'tlsMs', 'totalMs'] as const)
    assert.ok(typeof t[k] === 'number' && t[k] > 0, `${k}=${String(t[k])}`);
  assert.ok((t.connectMs ?? 0) + (t.tlsMs ?? 0) + (t.ttfbMs ?? 0) <= t.totalMs + 0.05, JSON.stringify(t));
}

function sh(cmd: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile('sh', ['-c', cmd], { env: { ...process.env, ...env }, cwd, timeout: 20_000 }, (e, stdout, stderr) =>
      resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

describe('sendWebhook against real mTLS servers', () => {
  let dir: string;
  let certs: string;
  let a: ChainFiles;
  let scaffolded: RunningServer;
  let ossl: Running & { output(): string };
  const extra: Running[] = [];
  const client = () => ({
    certPem: a['client-fullchain.pem'],
    keyPem: a['client-key.pem'],
    caPem: a['ca-root-crt.pem'],
  });

  before(async () => {
    ensureBuilt();
    dir = tempDir('send');
    certs = path.join(dir, 'certs');
    mkdirSync(certs);
    a = await makeChain('Send Test');
    writeChain(certs, a);
    await scaffoldServer(dir);
    const p = (n: string) => path.join(certs, n);
    [scaffolded, ossl] = await Promise.all([
      startServer(path.join(dir, serverFileName), {
        MTLS_KEY: p('server-key.pem'),
        MTLS_CERT: p('server-fullchain.pem'),
        MTLS_CA: p('ca-root-crt.pem'),
      }),
      opensslServer(
        [
          '-Verify',
          '1',
          '-www',
          '-CAfile',
          'ca-root-crt.pem',
          '-cert',
          'server-crt.pem',
          '-cert_chain',
          'ca-intermediate-crt.pem',
          '-key',
          'server-key.pem',
        ],
        certs,
      ),
    ]);
  });
  after(async () => {
    scaffolded?.proc.kill('SIGKILL');
    await ossl?.close();
    for (const s of extra) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const platform of ['cx', 'es', 'kore'] as Platform[]) {
    it(`sends the ${platform} sample to the scaffolded server and reports status, TLS and timing`, async () => {
      const r = await sendWebhook({
        url: `${scaffolded.url}/webhook`,
        body: sampleRequest(platform),
        platform,
        ...client(),
      });
      assert.equal(r.error, undefined, r.error?.message);
      assert.equal(r.status, 200, r.body);
      assert.equal(r.ok, true);
      assert.equal(r.tls?.protocol, 'TLSv1.3');
      assert.match(r.tls?.cipher ?? '', /^TLS_/);
      assert.equal(r.tls?.alpn, 'http/1.1');
      assert.equal(r.tls?.verification, 'verified');
      assert.equal(r.tls?.serverChain[0]?.subject, 'O=Send Test, CN=localhost');
      assert.match(r.tls?.serverChain[1]?.subject ?? '', /Intermediate CA/);
      assert.match(r.tls?.serverChain[0]?.pem ?? '', /^-----BEGIN CERTIFICATE-----/);
      assert.match(r.tls?.serverChain[0]?.sha256 ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      assert.equal(r.tls?.clientCertificate.presented, true);
      assert.equal(r.tls?.clientCertificate.subject, 'O=Send Test, CN=mtls-client');
      assertTiming(r);
      assert.equal(r.request.headers['user-agent'], platform === 'kore' ? 'mtls-workbench' : 'Google-Dialogflow');
      assert.equal(r.request.headers['content-type'], 'application/json');
      const json = r.json as {
        fulfillmentResponse: { messages: { text: { text: string[] } }[] };
        fulfillmentText: string;
        receivedKeys: string[];
      };
      if (platform === 'cx') assert.match(json['fulfillmentResponse'].messages[0].text.text[0], /tag "confirm-order"/);
      if (platform === 'es') assert.match(json['fulfillmentText'], /intent "order\.shirt"/);
      if (platform === 'kore') assert.deepEqual(json['receivedKeys'], Object.keys(sampleRequest('kore')));
      assert.deepEqual(r.checks, [], JSON.stringify(r.checks));
      assert.equal(r.body, JSON.stringify(json, null, 2));
      assert.match(renderSendResult(r), /HTTP 200[\s\S]*TLSv1\.3[\s\S]*Server chain:/);
    });
  }

  it('the scaffolded server refuses the same request without a client certificate (alert 116)', async () => {
    const r = await sendWebhook({
      url: `${scaffolded.url}/webhook`,
      body: sampleRequest('cx'),
      caPem: a['ca-root-crt.pem'],
    });
    assert.equal(r.status, undefined);
    assert.equal(r.error?.code, 'ALERT_CERTIFICATE_REQUIRED');
  });

  for (const platform of ['cx', 'es', 'kore'] as Platform[]) {
    it(`sends the ${platform} sample to openssl s_server: handshake verified, no answer to POST (s_server -www serves GET only)`, async () => {
      const r = await sendWebhook({ url: ossl.url, body: sampleRequest(platform), ...client(), timeoutMs: 700 });
      assert.equal(r.error?.code, 'ETIMEDOUT');
      assert.match(r.error?.message ?? '', /handshake completed; no HTTP response came/);
      assert.equal(r.tls?.verification, 'verified');
      assert.equal(r.tls?.serverChain[0]?.subject, 'O=Send Test, CN=localhost');
      assert.ok((r.timing.tlsMs ?? 0) > 0 && (r.timing.connectMs ?? 0) > 0);
    });
  }

  it('GET to openssl s_server: 200, and s_server saw our client certificate with its intermediate', async () => {
    const r = await sendWebhook({ url: ossl.url, method: 'GET', body: '', ...client() });
    assert.equal(r.status, 200, r.error?.message);
    assert.equal(r.tls?.protocol, 'TLSv1.3');
    assertTiming(r);
    assert.match(r.body ?? '', /Client certificate\n[\s\S]*Subject: O=Send Test, CN=mtls-client/);
    assert.match(r.body ?? '', /Protocol\s+: TLSv1\.3/);
    // Only the root is in s_server's -CAfile: this verifies only because the client sent its intermediate.
    assert.match(r.body ?? '', /Verify return code: 0 \(ok\)/);
  });

  it('sends as Dialogflow: leaf CN=Google LLC + intermediate, verified by a server trusting only the TEST root', async () => {
    const df = await dialogflowLikeClient();
    const s = await httpsServer(
      {
        key: a['server-key.pem'],
        cert: a['server-fullchain.pem'],
        ca: df.rootPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate(true);
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            fulfillmentResponse: {
              messages: [
                { text: { text: [`${String(peer.subject.CN)} via ${String(peer.issuerCertificate.subject.CN)}`] } },
              ],
            },
          }),
        );
      },
    );
    extra.push(s);
    const r = await sendWebhook({
      url: s.url,
      body: sampleRequest('cx'),
      certPem: df.certPem,
      keyPem: df.keyPem,
      caPem: a['ca-root-crt.pem'],
    });
    assert.equal(r.status, 200, r.error?.message);
    assert.equal(
      (r.json as { fulfillmentResponse: { messages: { text: { text: string[] } }[] } }).fulfillmentResponse.messages[0]
        .text.text[0],
      'Google LLC via TEST Client Certificate Intermediate CA RSA R2',
    );
    assert.equal(r.tls?.clientCertificate.subject, 'C=US, O=Google LLC, CN=Google LLC');
    assert.match(df.rootPem, /^-----BEGIN CERTIFICATE-----/);
  });

  it('insecure: true says loudly that verification was off, and what it would have said', async () => {
    const ss = Object.fromEntries(
      (await generateSelfSigned({ keyType: 'ec256' })).files.map((f) => [f.name, String(f.contents)]),
    );
    const s = await httpsServer({ key: ss['server-key.pem'], cert: ss['server-crt.pem'] });
    extra.push(s);
    const r = await sendWebhook({ url: s.url, body: sampleRequest('cx'), insecure: true });
    assert.equal(r.status, 200);
    assert.equal(r.tls?.verification, 'DISABLED');
    assert.equal(r.tls?.authorizationError, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.match(r.warnings.join(), /TLS VERIFICATION WAS OFF/);
    assert.match(renderSendResult(r), /^!!! TLS VERIFICATION WAS OFF/);
  });

  it('flags a slow answer against the CX webhook timeout and one larger than 64 KiB; redacts Authorization', async () => {
    const s = await httpsServer({ key: a['server-key.pem'], cert: a['server-fullchain.pem'] }, (req, res) => {
      req.resume();
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ fulfillmentResponse: { messages: [{ text: { text: ['x'.repeat(70_000)] } }] } }));
      }, 300);
    });
    extra.push(s);
    const r = await sendWebhook({
      url: s.url,
      body: sampleRequest('cx'),
      caPem: a['ca-root-crt.pem'],
      platformTimeoutMs: 200,
      headers: { Authorization: 'Bearer s3cret-token', 'X-Trace': 't1' },
    });
    assert.equal(r.status, 200);
    assert.ok((r.timing.ttfbMs ?? 0) >= 290, JSON.stringify(r.timing));
    const text = r.checks.map((c) => c.message).join(' | ');
    assert.match(text, /gives up after 200 ms/);
    assert.match(text, /at most 65536 bytes/);
    assert.equal(r.request.headers['authorization'], 'Bearer [redacted]');
    assert.equal(r.request.headers['x-trace'], 't1');
    assert.doesNotMatch(JSON.stringify(r), /s3cret-token/);
  });

  it('createWebhookClient keeps one connection alive across sends', async () => {
    const c = createWebhookClient(client());
    try {
      const first = await c.send({ url: `${scaffolded.url}/webhook`, body: sampleRequest('cx') });
      const second = await c.send({ url: `${scaffolded.url}/webhook`, body: sampleRequest('es') });
      assert.equal(first.timing.reusedConnection, false);
      assert.equal(second.status, 200);
      assert.equal(second.timing.reusedConnection, true);
      assert.equal(second.timing.tlsMs, undefined);
    } finally {
      await c.close();
    }
  });

  it('toCurl and toOpensslSClient produce commands that work, with secrets only as $ENV references', async () => {
    writeFileSync(path.join(dir, 'cx.json'), sampleJson('cx'));
    const o = {
      url: `${scaffolded.url}/webhook`,
      body: sampleRequest('cx'),
      platform: 'cx' as const,
      headers: { authorization: 'Bearer top-secret' },
      passphrase: 'pw',
      certFile: 'certs/client-fullchain.pem',
      keyFile: 'certs/client-key.pem',
      caFile: 'certs/ca-root-crt.pem',
      bodyFile: 'cx.json',
    };
    const curlCmd = toCurl(o);
    assert.doesNotMatch(curlCmd, /top-secret|pw\b/);
    assert.match(curlCmd, /"\$MTLS_AUTHORIZATION"|\$MTLS_AUTHORIZATION"/);
    const noPass = toCurl({ ...o, passphrase: undefined });
    const rc = await sh(noPass, { MTLS_AUTHORIZATION: 'Bearer x' }, dir);
    assert.equal(rc.code, 0, rc.out);
    assert.match(rc.out, /HTTP 200/);
    assert.match(rc.out, /tag \\"confirm-order\\"|tag "confirm-order"/);
    const ssl = toOpensslSClient({ ...o, passphrase: undefined });
    const rs = await sh(ssl, {}, dir);
    assert.equal(rs.code, 0, rs.out);
    assert.match(rs.out, /Verification: OK/);
  });
});
