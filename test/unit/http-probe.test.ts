// probeEndpoint against a server that enforces mTLS (the scaffolded server.ts and a strict Node server),
// a lax one (requestCert without rejectUnauthorized: the demo-server bug) and one that refuses only in the app.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { probeEndpoint, renderProbeResult } from '../../src/core/http/index';
import { scaffoldServer, serverFileName } from '../../src/core/scaffold/scaffoldServer';
import { ensureBuilt, startServer, type RunningServer } from './scaffold-support';
import { httpsServer, makeChain, tempDir, writeChain, type ChainFiles, type Running } from './http-support';

describe('probeEndpoint', () => {
  let a: ChainFiles;
  let dir: string;
  let scaffolded: RunningServer;
  const open: Running[] = [];
  const creds = () => ({ certPem: a['client-fullchain.pem']!, keyPem: a['client-key.pem']!, caPem: a['ca-root-crt.pem']! });
  const issuer = () => ({ certPem: a['ca-intermediate-crt.pem']! + a['ca-root-crt.pem']!, keyPem: a['ca-intermediate-key.pem']! });
  const server = async (o: { rejectUnauthorized: boolean; appCheck?: boolean }): Promise<Running> => {
    const s = await httpsServer({ key: a['server-key.pem'], cert: a['server-fullchain.pem'], ca: a['ca-root-crt.pem'], requestCert: true, rejectUnauthorized: o.rejectUnauthorized }, (req, res) => {
      req.resume();
      const authorized = (req.socket as TLSSocket).authorized;
      res.statusCode = o.appCheck && !authorized ? 403 : 200;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ fulfillmentResponse: { messages: [{ text: { text: ['hi'] } }] } }));
    });
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
    scaffolded = await startServer(path.join(dir, serverFileName), { MTLS_KEY: path.join(certs, 'server-key.pem'), MTLS_CERT: path.join(certs, 'server-fullchain.pem'), MTLS_CA: path.join(certs, 'ca-root-crt.pem') });
  });
  after(async () => {
    scaffolded?.proc.kill('SIGKILL');
    for (const s of open) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the scaffolded server enforces mTLS: every bad row refused at the handshake, yours accepted', async () => {
    const r = await probeEndpoint(`${scaffolded.url}/webhook`, creds(), { issuer: issuer() });
    assert.equal(r.verdict, 'enforced', renderProbeResult(r));
    assert.deepEqual(r.rows.map((x) => x.id), ['no-cert', 'self-signed', 'unknown-ca', 'expired', 'no-client-auth', 'valid']);
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
    assert.deepEqual(r.rows.map((x) => x.pass), [false, false, false, false, false, true]);
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
    const r = await probeEndpoint(`${scaffolded.url}/webhook`, { certPem: other['client-fullchain.pem'], keyPem: other['client-key.pem'], caPem: a['ca-root-crt.pem'] });
    assert.equal(r.verdict, 'inconclusive');
    assert.match(r.summary, /your own client certificate was not accepted/);
  });
});
