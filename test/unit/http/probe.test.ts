// probeEndpoint against a server that enforces mTLS (the scaffolded server.ts and a strict Node server),
// a lax one (requestCert without rejectUnauthorized: the demo-server bug) and one that refuses only in the app;
// then against TLS servers that do not answer in HTTP (a Node TLS server, gnutls-serv), whose rows the handshake
// decides.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { probeEndpoint, renderProbeResult } from '../../../src/core/http/index';
import { scaffoldServer, serverFileName } from '../../../src/core/scaffold/scaffoldServer';
import { ensureBuilt, startServer, type RunningServer } from '../support/scaffold';
import { httpsServer, makeChain, tempDir, writeChain, type ChainFiles, type Running } from '../support/http';
import { gnutlsMissing, gnutlsServer } from './gnutls-support';

describe('probeEndpoint', () => {
  let a: ChainFiles;
  let dir: string;
  let scaffolded: RunningServer;
  const open: Running[] = [];
  const creds = () => ({
    certPem: a['client-fullchain.pem'],
    keyPem: a['client-key.pem'],
    caPem: a['ca-root-crt.pem'],
  });
  const issuer = () => ({
    certPem: a['ca-intermediate-crt.pem'] + a['ca-root-crt.pem'],
    keyPem: a['ca-intermediate-key.pem'],
  });
  const server = async (o: { rejectUnauthorized: boolean; appCheck?: boolean }): Promise<Running> => {
    const s = await httpsServer(
      {
        key: a['server-key.pem'],
        cert: a['server-fullchain.pem'],
        ca: a['ca-root-crt.pem'],
        requestCert: true,
        rejectUnauthorized: o.rejectUnauthorized,
      },
      (req, res) => {
        req.resume();
        const authorized = (req.socket as tls.TLSSocket).authorized;
        res.statusCode = o.appCheck && !authorized ? 403 : 200;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ fulfillmentResponse: { messages: [{ text: { text: ['hi'] } }] } }));
      },
    );
    open.push(s);
    return s;
  };

  before(async () => {
    ensureBuilt();
    a = await makeChain('Probe Test');
    dir = tempDir('probe');
    const certs = path.join(dir, 'certs');
    mkdirSync(certs);
    writeChain(certs, a);
    await scaffoldServer(dir);
    scaffolded = await startServer(path.join(dir, serverFileName), {
      MTLS_KEY: path.join(certs, 'server-key.pem'),
      MTLS_CERT: path.join(certs, 'server-fullchain.pem'),
      MTLS_CA: path.join(certs, 'ca-root-crt.pem'),
    });
  });
  after(async () => {
    scaffolded?.proc.kill('SIGKILL');
    for (const s of open) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the scaffolded server enforces mTLS: every bad row refused at the handshake, yours accepted', async () => {
    const r = await probeEndpoint(`${scaffolded.url}/webhook`, creds(), { issuer: issuer() });
    assert.equal(r.verdict, 'enforced', renderProbeResult(r));
    assert.deepEqual(
      r.rows.map((x) => x.id),
      ['no-cert', 'self-signed', 'unknown-ca', 'expired', 'no-client-auth', 'valid'],
    );
    for (const row of r.rows.slice(0, 5)) {
      assert.equal(row.observed, 'refused-handshake', `${row.label}: ${row.detail}`);
      assert.equal(row.status, undefined);
    }
    assert.equal(r.rows[0]?.errorCode, 'ALERT_CERTIFICATE_REQUIRED');
    assert.equal(r.rows[5]?.observed, 'accepted');
    assert.equal(r.rows[5]?.status, 200);
    assert.equal(r.badCertIssuer, 'your CA');
    assert.match(renderProbeResult(r), /^PASS: mTLS is enforced/m);
  });

  it('a strict Node server passes without the issuer (throwaway CA, noted in the warnings)', async () => {
    const s = await server({ rejectUnauthorized: true });
    const r = await probeEndpoint(s.url, creds());
    assert.equal(r.verdict, 'enforced', renderProbeResult(r));
    assert.equal(r.badCertIssuer, 'throwaway CA');
    assert.match(r.warnings.join(), /throwaway CA/);
  });

  it('flags a lax server (requestCert: true, rejectUnauthorized: false) as NOT enforcing', async () => {
    const s = await server({ rejectUnauthorized: false });
    const r = await probeEndpoint(s.url, creds(), { issuer: issuer() });
    assert.equal(r.verdict, 'not-enforced');
    for (const row of r.rows) assert.equal(row.observed, 'accepted', row.label);
    assert.deepEqual(
      r.rows.map((x) => x.pass),
      [false, false, false, false, false, true],
    );
    assert.match(r.summary, /^NOT ENFORCING mTLS/);
    assert.match(renderProbeResult(r), /FAIL  no client certificate/);
  });

  it('reports a server that refuses bad certificates only with HTTP 403 as not enforcing at the handshake', async () => {
    const s = await server({ rejectUnauthorized: false, appCheck: true });
    const r = await probeEndpoint(s.url, creds(), { issuer: issuer() });
    assert.equal(r.verdict, 'app-only', renderProbeResult(r));
    assert.ok(r.rows.slice(0, 5).every((x) => x.observed === 'refused-by-app' && x.status === 403));
    assert.equal(r.rows[5]?.observed, 'accepted');
  });

  it('is inconclusive when your own certificate is refused', async () => {
    const other = await makeChain('Probe Other');
    const r = await probeEndpoint(`${scaffolded.url}/webhook`, {
      certPem: other['client-fullchain.pem'],
      keyPem: other['client-key.pem'],
      caPem: a['ca-root-crt.pem'],
    });
    assert.equal(r.verdict, 'inconclusive');
    assert.match(r.summary, /your own client certificate was not accepted/);
  });
});

describe('probeEndpoint against TLS servers that do not answer in HTTP', () => {
  let a: ChainFiles;
  const creds = () => ({
    certPem: a['client-fullchain.pem'],
    keyPem: a['client-key.pem'],
    caPem: a['ca-root-crt.pem'],
  });
  const issuer = () => ({
    certPem: a['ca-intermediate-crt.pem'] + a['ca-root-crt.pem'],
    keyPem: a['ca-intermediate-key.pem'],
  });
  const bad = ['no-cert', 'self-signed', 'unknown-ca', 'expired', 'no-client-auth'];
  const note = /Note: the server did not answer with HTTP, so each row was decided by its handshake alone/;

  before(async () => {
    a = await makeChain('Probe Not HTTP');
  });

  describe('a strict Node TLS server that answers in a line protocol', () => {
    let server: tls.Server;
    let url: string;
    before(async () => {
      server = tls.createServer(
        {
          key: a['server-key.pem'],
          cert: a['server-fullchain.pem'],
          ca: a['ca-root-crt.pem'],
          requestCert: true,
          rejectUnauthorized: true,
        },
        (socket) => {
          socket.once('data', () => socket.end('+OK not a web server\r\n'));
        },
      );
      server.on('tlsClientError', () => undefined);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    it('is enforced: every bad row refused at the handshake, yours through it; the note says HTTP was not tested', async () => {
      const r = await probeEndpoint(url, creds(), { issuer: issuer() });
      assert.equal(r.verdict, 'enforced', renderProbeResult(r));
      for (const row of r.rows.filter((x) => bad.includes(x.id)))
        assert.equal(row.observed, 'refused-handshake', `${row.label}: ${row.detail}`);
      const valid = r.rows.find((x) => x.id === 'valid')!;
      assert.equal(valid.observed, 'accepted-not-http');
      assert.equal(valid.pass, true);
      assert.equal(valid.errorCode, 'NOT_HTTP');
      assert.match(r.summary, /^mTLS is enforced/);
      assert.match(r.summary, note);
    });

    it('leaves only the ID-token rows undecided: they need an HTTP 401', async () => {
      const r = await probeEndpoint(url, creds(), {
        issuer: issuer(),
        idToken: { audience: 'https://webhook.example.com/webhook' },
      });
      assert.equal(r.verdict, 'inconclusive', renderProbeResult(r));
      for (const row of r.rows.filter((x) => bad.includes(x.id)))
        assert.equal(row.pass, true, `${row.label}: ${row.detail}`);
      assert.ok(
        r.rows.filter((x) => x.id.startsWith('id-token-')).every((x) => x.observed === 'accepted-not-http' && !x.pass),
      );
      assert.match(
        r.summary,
        /^Inconclusive for the ID token: its rows need an HTTP 401, and the server does not answer with HTTP\./,
      );
    });
  });

  describe('gnutls-serv --http (its answer to a POST has no status line)', { skip: gnutlsMissing() }, () => {
    let dir: string;
    const files = [
      '--x509certfile',
      'server-fullchain.pem',
      '--x509keyfile',
      'server-key.pem',
      '--x509cafile',
      'ca-root-crt.pem',
    ];
    const probe = async (args: string[]) => {
      const s = await gnutlsServer([...files, '--http', ...args], dir);
      try {
        return await probeEndpoint(s.url, creds(), { issuer: issuer() });
      } finally {
        await s.close();
      }
    };
    before(() => {
      dir = writeChain(tempDir('probe-gnutls'), a);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    for (const [version, priority] of [
      ['TLS 1.3', []],
      ['TLS 1.2', ['--priority', 'NORMAL:-VERS-TLS1.3']],
    ] as const) {
      it(`requiring and verifying (${version}): rows decided by the handshake; the purpose row is flagged, yours passes`, async () => {
        const r = await probe(['--require-client-cert', '--verify-client-cert', ...priority]);
        const by = Object.fromEntries(r.rows.map((x) => [x.id, x]));
        for (const id of ['no-cert', 'self-signed', 'unknown-ca', 'expired']) {
          assert.equal(by[id]?.observed, 'refused-handshake', `${id}: ${by[id]?.detail}`);
          assert.equal(by[id]?.pass, true);
        }
        // GnuTLS answers a missing certificate with 50 on TLS 1.2, where the alert always arrives in the handshake.
        if (version === 'TLS 1.2') assert.equal(by['no-cert']?.errorCode, 'ALERT_DECODE_ERROR');
        // gnutls-serv verifies the chain and dates, not the extended key usage.
        assert.equal(by['no-client-auth']?.observed, 'accepted-not-http');
        assert.equal(by['no-client-auth']?.pass, false);
        assert.equal(by['valid']?.observed, 'accepted-not-http');
        assert.equal(by['valid']?.pass, true);
        assert.equal(r.verdict, 'not-enforced', renderProbeResult(r));
        assert.match(
          r.summary,
          /^NOT ENFORCING the client certificate's purpose: the server completed the handshake with a client certificate without clientAuth/,
        );
        assert.match(r.summary, note);
      });
    }

    it('requesting without verifying: every bad certificate got through the handshake, so it is NOT enforcing', async () => {
      const r = await probe([]);
      assert.equal(r.verdict, 'not-enforced', renderProbeResult(r));
      for (const row of r.rows) assert.equal(row.observed, 'accepted-not-http', row.label);
      assert.deepEqual(
        r.rows.map((x) => x.pass),
        [false, false, false, false, false, true],
      );
      assert.match(
        r.summary,
        /^NOT ENFORCING mTLS: the server completed the handshake with no client certificate; self-signed client certificate; /,
      );
      assert.match(
        renderProbeResult(r),
        /FAIL {2}self-signed client certificate +expected refused +observed accepted-not-http/,
      );
    });
  });
});
