// Edge mode's settings and start-up on the real server: what it refuses to start with, what --print-config shows
// (never the secret), $PORT, HTTPS towards the edge, the start-up line tools wait for, a forwarded certificate
// giving the very caller a TLS handshake gives, and the ID token still checked behind an edge.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { planLaunch } from '../../../src/core/scaffold/launch';
import { scaffoldServer } from '../../../src/core/scaffold/scaffoldServer';
import { serverReadyLine } from '../../../src/core/scaffold/serverLines';
import { templateVersion } from '../../../src/core/scaffold/template/changelog';
import { createTestIdTokenIssuer, testServiceAgentEmail } from '../../../src/core/idtoken/index';
import {
  cachedNodes,
  curl,
  cxRequest,
  ensureBuilt,
  loaderPath,
  makePki,
  runCommand,
  runToExit,
  startServer,
  tempDir,
  type Pki,
} from '../support/scaffold';
import { jwksServer } from './idtoken-support';
import { edgeAddress, edgeSecret, forwardedHeaders, outsiderAddress, send, startEdgeOrigin } from '../support/edge';

let root: string;
let pki: Pki;
let file: string;

before(async () => {
  ensureBuilt();
  root = tempDir('edge-config');
  pki = makePki(path.join(root, 'certs'));
  file = await scaffoldServer(root, { platform: 'cx' });
});

after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const certEnv = (): Record<string, string> => ({
  MTLS_KEY: pki.serverKey,
  MTLS_CERT: pki.serverCrt,
  MTLS_CA: pki.caBundle,
  MTLS_HOST: '127.0.0.2',
  MTLS_PORT: '0',
});

async function printConfig(env: Record<string, string>): Promise<Record<string, unknown>> {
  const plan = await planLaunch(file, {
    nodePath: process.execPath,
    loaderPath,
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  const r = await runCommand(plan.command, [...plan.args, '--print-config'], plan.env);
  assert.equal(r.code, 0, r.output);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('edge settings', () => {
  it('refuses to start behind an edge that it cannot tell from a client (no edgeTrusted, no edgeSecret)', async () => {
    const r = await runToExit(file, { ...certEnv(), MTLS_EDGE: 'nginx' });
    assert.equal(r.code, 1);
    assert.match(
      r.output,
      /^mtls-server error \[EDGE_CONFIG\]: behind an edge \(nginx\) .*MTLS_EDGE_TRUSTED.*MTLS_EDGE_SECRET/m,
    );
  });

  it('refuses an unknown kind of edge, naming it and the known ones', async () => {
    const r = await runToExit(file, { ...certEnv(), MTLS_EDGE: 'traefik', MTLS_EDGE_SECRET: 's' });
    assert.equal(r.code, 1);
    assert.match(
      r.output,
      /^mtls-server error \[EDGE_CONFIG\]: unknown edge "traefik" .*rfc9440, nginx, ingress-nginx, xfcc, aws-alb, gcp-alb/m,
    );
  });

  it('refuses a malformed edgeTrusted entry at start-up, naming it', async () => {
    for (const bad of ['10.0.0.0/33', 'edge.example.com', '10.0.0.1/8/1', 'fd00::/129']) {
      const r = await runToExit(file, { ...certEnv(), MTLS_EDGE: 'rfc9440', MTLS_EDGE_TRUSTED: '127.0.0.3, ' + bad });
      assert.equal(r.code, 1, bad);
      assert.match(
        r.output,
        new RegExp(
          '\\[EDGE_CONFIG\\]: edgeTrusted \\(MTLS_EDGE_TRUSTED\\) entry ' +
            JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
        ),
        bad,
      );
    }
  });

  it('--print-config shows the edge settings, and whether a secret is set but never the secret', async () => {
    const direct = await printConfig({});
    assert.equal(direct['edge'], '');
    assert.deepEqual(direct['edgeSecret'], { set: false });
    assert.equal(direct['edgeListen'], 'http');
    assert.equal(direct['template'], templateVersion);
    const secret = 'do-not-print-me-42';
    const c = await printConfig({
      MTLS_EDGE: 'xfcc',
      MTLS_EDGE_TRUSTED: '10.0.0.0/8, fd00::/8',
      MTLS_EDGE_SECRET: secret,
      MTLS_EDGE_LISTEN: 'https',
    });
    assert.equal(c['edge'], 'xfcc');
    assert.deepEqual(c['edgeTrusted'], ['10.0.0.0/8', 'fd00::/8']);
    assert.deepEqual(c['edgeSecret'], { set: true });
    assert.equal(c['edgeListen'], 'https');
    assert.doesNotMatch(JSON.stringify(c), new RegExp(secret));
  });

  it('listens on $PORT behind an edge when MTLS_PORT is not set (Cloud Run), and not in direct mode', async () => {
    assert.equal((await printConfig({ MTLS_EDGE: 'gcp-alb', MTLS_EDGE_SECRET: 's', PORT: '8080' }))['port'], 8080);
    assert.equal(
      (await printConfig({ MTLS_EDGE: 'gcp-alb', MTLS_EDGE_SECRET: 's', PORT: '8080', MTLS_PORT: '9090' }))['port'],
      9090,
    );
    assert.equal((await printConfig({ PORT: '8080' }))['port'], 4433);
  });
});

describe('the start-up line tools wait for', () => {
  it('matches the direct line unchanged and the edge line, with the URL and the CA bundle', () => {
    const direct =
      'mTLS webhook listening on https://127.0.0.1:4433 (client certificates required; CA: /w/certs/ca-crt.pem)';
    assert.deepEqual([...(serverReadyLine.exec(direct) ?? [])].slice(1), [
      'https://127.0.0.1:4433',
      '/w/certs/ca-crt.pem',
    ]);
    const edge =
      'mTLS webhook listening on http://127.0.0.2:8080 (behind an edge: ingress-nginx; client certificates verified from ssl-client-cert; CA: /w/certs/ca-crt.pem)';
    assert.deepEqual([...(serverReadyLine.exec(edge) ?? [])].slice(1), [
      'http://127.0.0.2:8080',
      '/w/certs/ca-crt.pem',
    ]);
    assert.equal(
      serverReadyLine.exec(
        'mTLS webhook listening on http://127.0.0.1:4433 (client certificates required; CA: x)',
      )?.[1],
      'http://127.0.0.1:4433',
      'the regex accepts http only as a URL scheme',
    );
  });
});

describe('behind an edge, the caller and the checks after it', () => {
  it('gives handlers the same caller for a forwarded certificate as for the same certificate over TLS', async () => {
    const direct = await startServer(file, {
      MTLS_KEY: pki.serverKey,
      MTLS_CERT: pki.serverCrt,
      MTLS_CA: pki.caBundle,
    });
    const origin = await startEdgeOrigin({ edge: 'nginx', pki, dir: tempDir('edge-same') });
    try {
      const tls = await curl(`${direct.url}/status`, { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt });
      assert.equal(tls.status, 200);
      // The direct server has no /caller route: compare the request log lines, which show the whole caller.
      const viaEdge = await send(origin.url, {
        headers: { ...forwardedHeaders('nginx', pki.clientCrt), 'x-mtls-edge-secret': edgeSecret },
      });
      assert.equal(viaEdge.status, 200);
      const line = (out: string): string => /\d+ms (client CN=.*)$/m.exec(out)?.[1] ?? '';
      await origin.server.waitFor(/GET \/caller 200/);
      await direct.waitFor(/GET \/status 200/);
      assert.notEqual(line(direct.output()), '');
      assert.equal(line(origin.server.output()), line(direct.output()));
    } finally {
      direct.proc.kill();
      origin.server.proc.kill();
    }
  });

  it('still requires the Google ID token behind an edge, and hands its claims to the handler', async () => {
    const issuer = await createTestIdTokenIssuer();
    const jwks = await jwksServer(JSON.stringify(issuer.jwks));
    const aud = 'https://webhook.example.com/webhook';
    const origin = await startEdgeOrigin({
      edge: 'rfc9440',
      pki,
      dir: tempDir('edge-idtoken'),
      env: {
        MTLS_AUTH: 'google-id-token',
        MTLS_ID_TOKEN_AUDIENCE: aud,
        MTLS_ID_TOKEN_EMAIL: testServiceAgentEmail,
        MTLS_GOOGLE_JWKS_URL: jwks.url,
      },
    });
    try {
      const h = { ...forwardedHeaders('rfc9440', pki.clientCrt), 'x-mtls-edge-secret': edgeSecret };
      const without = await send(origin.url, {
        path: '/webhook',
        method: 'POST',
        headers: h,
        body: cxRequest('hello'),
      });
      assert.equal(without.status, 401, without.body);
      await origin.server.waitFor(/unauthorized: ID token check failed \[token\]/);
      const withToken = await send(origin.url, {
        headers: { ...h, authorization: 'Bearer ' + issuer.sign({ audience: aud }) },
      });
      assert.equal(withToken.status, 200, withToken.body + origin.server.output());
      const caller = withToken.json as { certificate: { cn: string }; idToken: { email: string } };
      assert.equal(caller.certificate.cn, 'Google LLC');
      assert.equal(caller.idToken.email, testServiceAgentEmail);
    } finally {
      origin.server.proc.kill();
      await jwks.close();
    }
  });

  it('accepts an edge by address alone (IPv4-mapped IPv6 entry, no secret) and refuses everyone else', async () => {
    const origin = await startEdgeOrigin({
      edge: 'aws-alb',
      pki,
      dir: tempDir('edge-mapped'),
      trusted: '::ffff:127.0.0.3',
      secret: '',
    });
    try {
      const h = forwardedHeaders('aws-alb', pki.clientCrt);
      assert.equal((await send(origin.url, { headers: h, from: edgeAddress })).status, 200);
      assert.equal((await send(origin.url, { headers: h, from: outsiderAddress })).status, 403);
      await origin.server.waitFor(/edge check failed \[source\]: request from 127\.0\.0\.4/, 5000);
      // The passthrough header of an ALB: in verify mode only a client can have sent it.
      const passthrough = { ...h, 'x-amzn-mtls-clientcert': h['x-amzn-mtls-clientcert-leaf'] };
      assert.equal((await send(origin.url, { headers: passthrough, from: edgeAddress })).status, 403);
      await origin.server.waitFor(/edge check failed \[other-edge\]: header x-amzn-mtls-clientcert /, 5000);
    } finally {
      origin.server.proc.kill();
    }
  });

  it('behind an edge on plain HTTP needs no key or certificate of its own (a container without the private key), only the CA bundle', async () => {
    const origin = await startEdgeOrigin({
      edge: 'rfc9440',
      pki,
      dir: tempDir('edge-nokey'),
      env: { MTLS_KEY: path.join(pki.dir, 'no-such-key.pem'), MTLS_CERT: path.join(pki.dir, 'no-such-cert.pem') },
    });
    try {
      const r = await send(origin.url, {
        headers: { ...forwardedHeaders('rfc9440', pki.clientCrt), 'x-mtls-edge-secret': edgeSecret },
        from: edgeAddress,
      });
      assert.equal(r.status, 200, r.body);
    } finally {
      origin.server.proc.kill();
    }
    // HTTPS towards the edge still needs them, and says which is missing.
    const https = await runToExit(file, {
      ...certEnv(),
      MTLS_EDGE: 'rfc9440',
      MTLS_EDGE_SECRET: 's',
      MTLS_EDGE_LISTEN: 'https',
      MTLS_KEY: path.join(pki.dir, 'no-such-key.pem'),
    });
    assert.equal(https.code, 1);
    assert.match(https.output, /mtls-server error \[ENOENT_KEY\]: private key not found/);
  });

  it('identifies each request on one keep-alive connection from the edge by its own headers', async () => {
    const origin = await startEdgeOrigin({ edge: 'xfcc', pki, dir: tempDir('edge-keepalive') });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: edgeAddress });
    try {
      const ask = (file: string): Promise<{ cn: string; port: number }> =>
        new Promise((resolve, reject) => {
          const req = http.get(
            origin.url + '/caller',
            { agent, headers: { ...forwardedHeaders('xfcc', file), 'x-mtls-edge-secret': edgeSecret } },
            (res) => {
              let body = '';
              res.on('data', (d: Buffer) => (body += d.toString()));
              res.on('end', () =>
                resolve({
                  cn: (JSON.parse(body) as { certificate: { cn: string } }).certificate.cn,
                  port: req.socket?.localPort ?? 0,
                }),
              );
            },
          );
          req.on('error', reject);
        });
      const first = await ask(pki.clientCrt);
      const second = await ask(pki.chainClientCrtWithIntermediate);
      const third = await ask(pki.clientCrt);
      assert.deepEqual([first.cn, second.cn, third.cn], ['Google LLC', 'chain.example.com', 'Google LLC']);
      assert.equal(new Set([first.port, second.port, third.port]).size, 1, 'one connection carried all three');
    } finally {
      agent.destroy();
      origin.server.proc.kill();
    }
  });

  it('listens on HTTPS with its own certificate towards the edge when edgeListen is https, asking no client certificate', async () => {
    const origin = await startEdgeOrigin({ edge: 'xfcc', pki, dir: tempDir('edge-https'), listen: 'https' });
    try {
      assert.match(origin.url, /^https:\/\/127\.0\.0\.2:\d+$/);
      const r = await send(origin.url, {
        headers: { ...forwardedHeaders('xfcc', pki.clientCrt), 'x-mtls-edge-secret': edgeSecret },
        ca: pki.caCrt,
      });
      assert.equal(r.status, 200, r.body);
    } finally {
      origin.server.proc.kill();
    }
  });

  it('gcp-alb: says at start-up that name pins need the forwarded leaf, and refuses a request without it', async () => {
    const origin = await startEdgeOrigin({
      edge: 'gcp-alb',
      pki,
      dir: tempDir('edge-gcp-pin'),
      env: { MTLS_ALLOWED_CLIENTS: 'Google LLC' },
    });
    try {
      await origin.server.waitFor(/X-Client-Cert-Leaf .*the pins Google LLC match no request/, 5000);
      const attributes = await send(origin.url, {
        headers: { ...forwardedHeaders('gcp-alb', pki.clientCrt), 'x-mtls-edge-secret': edgeSecret },
      });
      assert.equal(attributes.status, 403);
      const leaf = await send(origin.url, {
        headers: { ...forwardedHeaders('gcp-alb', pki.clientCrt, { gcpLeaf: true }), 'x-mtls-edge-secret': edgeSecret },
      });
      assert.equal(leaf.status, 200, leaf.body);
    } finally {
      origin.server.proc.kill();
    }
  });
});

describe('behind an edge on every Node in the cache', () => {
  for (const node of cachedNodes()) {
    it(`verifies a forwarded certificate and refuses an outsider on Node ${node.name}`, async () => {
      const origin = await startEdgeOrigin({
        edge: 'rfc9440',
        pki,
        dir: tempDir('edge-node-' + node.name),
        nodePath: node.path,
      });
      try {
        const h = {
          ...forwardedHeaders('rfc9440', pki.chainClientCrtWithIntermediate),
          'x-mtls-edge-secret': edgeSecret,
        };
        const r = await send(origin.url, { headers: h });
        assert.equal(r.status, 200, r.body + origin.server.output());
        assert.equal((r.json as { certificate: { cn: string } }).certificate.cn, 'chain.example.com');
        assert.equal((await send(origin.url, { headers: h, from: outsiderAddress })).status, 403);
      } finally {
        origin.server.proc.kill();
      }
    });
  }
});
