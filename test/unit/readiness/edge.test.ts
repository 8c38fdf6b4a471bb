// The go-live readiness check behind a TLS-terminating edge (mtls check --edge nginx): a real nginx in the
// foreground, configured by the files `mtls edge nginx` writes, in front of a scaffolded server.mts in edge mode
// on 127.0.0.2. The check passes that set-up; it fails the same nginx turned into an HTTPS tunnel (client
// certificates not required) and an origin that takes forged certificate headers from anyone on its network.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkReadiness, type CheckRow, type ReadinessReport } from '../../../src/core/readiness/index';
import { readServerConfig } from '../../../src/core/scaffold/index';
import { exportDer } from '../../../src/core/pki/index';
import { startBackgroundServer, type BackgroundServer } from '../../../src/core/setup/index';
import { edgeAddress, edgeSecret, originHost, startEdgeOrigin, type EdgeOrigin } from '../support/edge';
import { curl, installed, startRig, type EdgeRig } from '../support/edge-proxy';
import { ensureBuilt, repoRoot, runCommand, tempDir, type Pki } from '../support/scaffold';

/** The environment the origin runs with (what `mtls check` reads through server.mts --print-config). */
function originEnv(
  pki: Pki,
  origin: EdgeOrigin,
  edge: { trusted: string; secret: string },
  format = 'nginx',
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    MTLS_KEY: pki.serverKey,
    MTLS_CERT: fullChain(pki),
    MTLS_CA: pki.caBundle,
    MTLS_HOST: originHost,
    MTLS_PORT: new URL(origin.url).port,
    MTLS_EDGE: format,
  };
  if (edge.trusted !== '') env['MTLS_EDGE_TRUSTED'] = edge.trusted;
  if (edge.secret !== '') env['MTLS_EDGE_SECRET'] = edge.secret;
  return env;
}

/**
 * The server certificate as a project keeps it for CX: leaf + root in one file, the root exported as DER (the
 * custom CA uploaded to the webhook). The edge serves the same leaf (its configuration names server-crt.pem).
 */
function fullChain(pki: Pki): string {
  const file = path.join(pki.dir, 'server-fullchain.pem');
  writeFileSync(file, readFileSync(pki.serverCrt, 'utf8') + readFileSync(pki.caCrt, 'utf8'));
  writeFileSync(path.join(pki.dir, 'ca-root.der'), exportDer({ caCertPem: readFileSync(pki.caCrt, 'utf8') }).der);
  return file;
}

/** A CX custom client certificate in the project: issued by the CA the bundle holds, presented through the edge. */
function addCxClient(pki: Pki, dir: string): void {
  copyFileSync(pki.clientCrt, path.join(dir, 'cx-client-crt.pem'));
  copyFileSync(pki.clientKey, path.join(dir, 'cx-client-key.pem'));
}

function rowOf(r: ReadinessReport, id: string): CheckRow {
  const x = r.rows.find((y) => y.id === id);
  assert.ok(x, `no row ${id} in ${r.rows.map((y) => y.id).join(', ')}`);
  return x;
}

const failing = (r: ReadinessReport): string[] => r.rows.filter((x) => x.status === 'fail').map((x) => x.id);
const shown = (r: ReadinessReport): string => r.rows.map((x) => `${x.status} ${x.id}: ${x.message}`).join('\n');

describe(
  'mtls check --edge nginx, through a real nginx with the generated configuration',
  { skip: !installed('nginx') && 'nginx is not installed' },
  () => {
    let rig: EdgeRig;
    let publicUrl: string;
    let env: Record<string, string>;

    before(async () => {
      ensureBuilt();
      rig = await startRig('nginx', 'nginx', { trustSource: true });
      addCxClient(rig.pki, rig.origin.dir);
      publicUrl = `https://localhost:${new URL(rig.url).port}/webhook`;
      env = originEnv(rig.pki, rig.origin, { trusted: edgeAddress, secret: edgeSecret });
    });
    after(async () => {
      await rig?.stop();
    });

    it('reads the edge settings server.mts prints (--print-config)', async () => {
      const c = await readServerConfig(rig.origin.file, env);
      assert.equal(c.edge, 'nginx');
      assert.deepEqual(c.edgeTrusted, [edgeAddress]);
      assert.equal(c.edgeSecretSet, true);
      assert.equal(c.edgeListen, 'http');
      const direct = await readServerConfig(rig.origin.file, { ...env, MTLS_EDGE: '' });
      assert.equal(direct.edge, '');
    });

    it('passes the edge: certificates required at the edge, its bundle judged, the origin closed around it, the sample through it', async () => {
      const r = await checkReadiness({
        dir: rig.origin.dir,
        platform: 'cx',
        url: publicUrl,
        edge: 'nginx',
        origin: `${rig.origin.url}/webhook`,
        env,
      });
      assert.deepEqual(failing(r), [], shown(r));
      // The test PKI's certificates last 30 days, and the webhook asks for no Authorization: the only warnings.
      assert.deepEqual(
        r.rows.filter((x) => x.status === 'warn').map((x) => x.id),
        ['server-expiry', 'auth'],
        shown(r),
      );
      assert.equal(r.verdict, 'ready-with-warnings');
      assert.match(
        rowOf(r, 'edge-mode').message,
        /reads the client certificate from the nginx edge's headers \(MTLS_EDGE=nginx, over http\), only from 127\.0\.0\.3 and only with the X-Mtls-Edge-Secret header/,
      );
      assert.equal(rowOf(r, 'edge-no-certificate').status, 'pass');
      assert.match(
        rowOf(r, 'edge-no-certificate').message,
        /asks for a client certificate and refuses a client WITHOUT a certificate itself with HTTP 400 \("400 No required SSL certificate was sent/,
      );
      assert.equal(rowOf(r, 'edge-other-ca').status, 'pass');
      assert.match(
        rowOf(r, 'edge-other-ca').message,
        /refuses a client certificate from ANOTHER CA itself with HTTP 400 \("400 The SSL certificate error/,
      );
      assert.equal(rowOf(r, 'edge-trust').status, 'pass');
      assert.match(
        rowOf(r, 'edge-trust').message,
        /CX custom client certificate: ca-bundle\.pem holds your CA .*What cannot be checked from here: which roots the deployed edge really trusts/,
      );
      assert.equal(rowOf(r, 'edge-origin').status, 'pass');
      assert.match(
        rowOf(r, 'edge-origin').message,
        /^The origin refused a request straight to http:\/\/127\.0\.0\.2:\d+\/webhook with a forged x-ssl-client-cert header claiming a client certificate your CA bundle accepts, without X-Mtls-Edge-Secret \(HTTP 403 "forbidden: not from the trusted edge"\)\.$/,
      );
      assert.match(rowOf(r, 'url-same-certificate').message, /TLS ends at the nginx edge, as expected/);
      assert.equal(rowOf(r, 'server-running').status, 'pass');
      assert.equal(rowOf(r, 'sample-response').status, 'pass', rowOf(r, 'sample-response').message);
      assert.equal(rowOf(r, 'client-pin').status, 'pass');
      assert.equal(
        r.rows.some((x) => x.id === 'url-client-certificate' || x.id === 'mtls-enforced'),
        false,
        'the edge rows replace the direct-mTLS rows',
      );
      assert.match(await rig.origin.server.waitFor(/^.* \/webhook 200 .*$/m, 5000), /client CN="Google LLC"/);
    });

    it('without --edge, still fails the TLS-terminating front end, and names --edge nginx for a server in edge mode', async () => {
      const r = await checkReadiness({ dir: rig.origin.dir, platform: 'cx', url: publicUrl, env });
      const same = rowOf(r, 'url-same-certificate');
      assert.equal(same.status, 'fail');
      assert.match(
        same.message,
        /but server\.mts runs in edge mode and takes no TLS clients itself: a TLS-terminating proxy or HTTPS tunnel sits in front/,
      );
      assert.match(
        same.fix ?? '',
        /^Use TLS pass-through .* server\.mts runs in edge mode \(MTLS_EDGE=nginx\): if this front end is its edge, check it as one with --edge nginx/,
      );
      assert.equal(
        r.rows.some((x) => x.group === 'edge'),
        false,
      );
    });

    it('fails an origin reachable around the edge: a forged header from this host is taken (edgeTrusted covers it, no secret)', async () => {
      const loose = await startEdgeOrigin({
        edge: 'nginx',
        pki: rig.pki,
        dir: tempDir('check-edge-loose'),
        trusted: '127.0.0.0/8',
        secret: '',
      });
      try {
        addCxClient(rig.pki, loose.dir);
        const looseEnv = originEnv(rig.pki, loose, { trusted: '127.0.0.0/8', secret: '' });
        const r = await checkReadiness({
          dir: loose.dir,
          platform: 'cx',
          url: publicUrl,
          edge: 'nginx',
          origin: `${loose.url}/webhook`,
          env: looseEnv,
        });
        assert.deepEqual(failing(r), ['edge-origin'], shown(r));
        const o = rowOf(r, 'edge-origin');
        assert.match(
          o.message,
          /^The origin is reachable around the edge: a request straight to http:\/\/127\.0\.0\.2:\d+\/webhook with a forged x-ssl-client-cert header claiming a client certificate your CA bundle accepts, without X-Mtls-Edge-Secret answered HTTP 200\. Anyone who reaches the origin can claim any client certificate\.$/,
        );
        assert.match(
          o.fix ?? '',
          /Set MTLS_EDGE_SECRET .* MTLS_EDGE_TRUSTED to the edge's addresses only, and restrict ingress to the origin: Cloud Run ingress "internal and Cloud Load Balancing", security groups/,
        );
        // The forged certificate really became the caller at the origin.
        assert.match(await loose.server.waitFor(/^.* \/webhook 200 .*$/m, 5000), /client CN="Google LLC"/);
      } finally {
        loose.server.proc.kill();
      }
    });

    it('warns that the origin was not checked without --origin', async () => {
      const r = await checkReadiness({ dir: rig.origin.dir, platform: 'cx', url: publicUrl, edge: 'nginx', env });
      const o = rowOf(r, 'edge-origin');
      assert.equal(o.status, 'warn');
      assert.match(
        o.message,
        /^Not checked: whether the origin refuses requests that did not come through the edge\. Give --origin/,
      );
    });

    it('mtls check --edge nginx --origin …: exit 0 and the edge rows in --json; a bad --edge or a lone --origin is a usage error', async () => {
      const cli = path.join(repoRoot, 'dist', 'cli.js');
      const base = [cli, 'check', '--platform', 'cx', '--dir', rig.origin.dir, '--url', publicUrl];
      const out = await runCommand(
        process.execPath,
        [...base, '--edge', 'nginx', '--origin', `${rig.origin.url}/webhook`, '--json'],
        { ...process.env, ...env },
      );
      assert.equal(out.code, 0, out.output);
      const json = JSON.parse(out.stdout) as { verdict: string; rows: { id: string; status: string }[] };
      assert.equal(json.verdict, 'ready-with-warnings');
      assert.deepEqual(
        json.rows.filter((x) => x.id.startsWith('edge-')).map((x) => `${x.id} ${x.status}`),
        ['edge-mode pass', 'edge-no-certificate pass', 'edge-other-ca pass', 'edge-trust pass', 'edge-origin pass'],
      );
      const bad = await runCommand(process.execPath, [...base, '--edge', 'traefik'], { ...process.env, ...env });
      assert.equal(bad.code, 2, bad.output);
      assert.match(bad.stderr, /--edge traefik: use nginx, haproxy, caddy, ingress-nginx, envoy, gcp, aws/);
      const lone = await runCommand(process.execPath, [...base, '--origin', `${rig.origin.url}/webhook`], {
        ...process.env,
        ...env,
      });
      assert.equal(lone.code, 2, lone.output);
      assert.match(lone.stderr, /--origin needs --edge KIND/);
    });

    // Last: it reconfigures the running nginx.
    it('fails the same nginx as an HTTPS tunnel (ssl_verify_client off): the edge does not require client certificates', async () => {
      const conf = path.join(rig.dir, 'nginx.conf');
      const text = readFileSync(conf, 'utf8');
      assert.match(text, /ssl_verify_client on;/);
      writeFileSync(conf, text.replace('ssl_verify_client on;', 'ssl_verify_client off;'));
      rig.proc.kill('SIGHUP');
      // nginx reloads in the background: wait until a client without a certificate gets past it.
      for (let i = 0; i < 50; i++) {
        const probe = await curl(rig.url, { ca: rig.pki.caCrt, path: '/webhook' });
        if (probe.status === 403) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      const r = await checkReadiness({
        dir: rig.origin.dir,
        platform: 'cx',
        url: publicUrl,
        edge: 'nginx',
        origin: `${rig.origin.url}/webhook`,
        env,
      });
      assert.deepEqual(failing(r), ['sample-response', 'edge-no-certificate', 'edge-other-ca'], shown(r));
      for (const [id, what] of [
        ['edge-no-certificate', 'a client WITHOUT a certificate'],
        ['edge-other-ca', 'a client certificate from ANOTHER CA'],
      ] as const) {
        const x = rowOf(r, id);
        assert.equal(
          x.message,
          `The edge does not require client certificates: ${new URL(publicUrl).host} did not ask for one during the handshake and answered ${what} with HTTP 403.`,
        );
        assert.match(
          x.fix ?? '',
          /^Make the edge require and verify client certificates .*ssl_verify_client on.*An HTTPS tunnel that terminates TLS without asking for client certificates cannot be used\.$/,
        );
      }
      // The platform's own certificate is not asked for either, so the origin refuses the sample: 403.
      assert.match(rowOf(r, 'sample-response').message, /got HTTP 403/);
    });
  },
);

describe(
  'mtls check --edge haproxy, through a real HAProxy with the generated configuration',
  { skip: !installed('haproxy') && 'haproxy is not installed' },
  () => {
    let rig: EdgeRig;
    before(async () => {
      ensureBuilt();
      rig = await startRig('haproxy', 'rfc9440', { trustSource: true });
      addCxClient(rig.pki, rig.origin.dir);
    });
    after(async () => {
      await rig?.stop();
    });

    it('passes an edge that refuses at the handshake (verify required), the sample through it as RFC 9440 Client-Cert', async () => {
      const env = originEnv(rig.pki, rig.origin, { trusted: edgeAddress, secret: edgeSecret }, 'rfc9440');
      const url = `https://localhost:${new URL(rig.url).port}/webhook`;
      const r = await checkReadiness({
        dir: rig.origin.dir,
        platform: 'cx',
        url,
        edge: 'haproxy',
        origin: `${rig.origin.url}/webhook`,
        env,
      });
      assert.deepEqual(failing(r), [], shown(r));
      assert.match(
        rowOf(r, 'edge-no-certificate').message,
        /^localhost:\d+ refuses a client WITHOUT a certificate at the handshake \(/,
      );
      assert.match(
        rowOf(r, 'edge-other-ca').message,
        /^localhost:\d+ refuses a client certificate from ANOTHER CA at the handshake \(/,
      );
      assert.match(
        rowOf(r, 'edge-origin').message,
        /forged client-cert header .*\(HTTP 403 "forbidden: not from the trusted edge"\)\.$/,
      );
      assert.equal(rowOf(r, 'sample-response').status, 'pass', rowOf(r, 'sample-response').message);
    });
  },
);

describe(
  'mtls check --edge nginx when the origin is not running',
  { skip: !installed('nginx') && 'nginx is not installed' },
  () => {
    let rig: EdgeRig;
    before(async () => {
      ensureBuilt();
      rig = await startRig('nginx', 'nginx', { trustSource: true });
      addCxClient(rig.pki, rig.origin.dir);
    });
    after(async () => {
      await rig?.stop();
    });

    it('starts server.mts in edge mode for the check, keeps it running through the edge rows, and stops it', async () => {
      const env = originEnv(rig.pki, rig.origin, { trusted: edgeAddress, secret: edgeSecret });
      rig.origin.server.proc.kill();
      await rig.origin.server.exited();
      let started: BackgroundServer | undefined;
      const r = await checkReadiness({
        dir: rig.origin.dir,
        platform: 'cx',
        url: `https://localhost:${new URL(rig.url).port}/webhook`,
        edge: 'nginx',
        origin: `${rig.origin.url}/webhook`,
        env,
        startServer: async (file, port) =>
          (started = await startBackgroundServer(file, port, { env: { ...process.env, ...env } })),
      });
      assert.deepEqual(failing(r), [], shown(r));
      assert.match(
        rowOf(r, 'server-running').message,
        /^Started server\.mts for the check on http:\/\/127\.0\.0\.2:\d+/,
      );
      assert.equal(rowOf(r, 'sample-response').status, 'pass');
      assert.equal(rowOf(r, 'edge-origin').status, 'pass');
      assert.ok(started);
      assert.match(started.output(), /\/webhook 200 .*client CN="Google LLC"/);
      assert.match(started.output(), /edge check failed \[source\]/);
      const still = await curl(rig.url, {
        cert: rig.pki.clientCrt,
        key: rig.pki.clientKey,
        ca: rig.pki.caCrt,
        path: '/webhook',
      });
      assert.equal(still.status, 502, 'the server started for the check is stopped afterwards');
    });
  },
);
