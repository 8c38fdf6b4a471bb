// nginx in the foreground with the configuration `mtls edge nginx` writes, in front of server.mts (MTLS_EDGE=nginx).
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { proxySuite } from './proxy-suite';
import { curl, installed, startRig, type EdgeRig } from '../support/edge-proxy';

// nginx finishes the handshake and answers 400 itself when the certificate is missing or does not verify.
proxySuite({
  kind: 'nginx',
  binary: 'nginx',
  format: 'nginx',
  trustSource: true,
  noCertificate: { status: 400, body: /No required SSL certificate was sent/ },
  otherCa: { status: 400, body: /The SSL certificate error/ },
  expired: { status: 400, body: /The SSL certificate error/ },
});

describe(
  'nginx in front of an https origin (MTLS_EDGE_LISTEN=https)',
  { skip: !installed('nginx') && 'nginx is not installed' },
  () => {
    let rig: EdgeRig;
    before(async () => {
      rig = await startRig('nginx', 'nginx', { trustSource: true, originListen: 'https' });
    });
    after(async () => {
      await rig?.stop();
    });

    it("verifies the origin's certificate and passes the good client: 200, the origin names the caller", async () => {
      assert.match(rig.origin.url, /^https:/);
      assert.match(String(rig.bundle.files.find((f) => f.name === 'nginx.conf')?.contents), /proxy_ssl_verify on;/);
      const r = await curl(rig.url, {
        cert: rig.pki.clientCrt,
        key: rig.pki.clientKey,
        ca: rig.pki.caCrt,
        path: '/caller?t=https',
      });
      assert.equal(r.status, 200, `${r.body}\n${rig.proxyOutput()}`);
      assert.match(await rig.origin.server.waitFor(/^.* \/caller\?t=https 200 .*$/m, 5000), /client CN="Google LLC"/);
    });
  },
);
