// The edge configurations `mtls edge` writes: every certificate header overwritten, the server's CA bundle,
// the secret only in 0600 files, commands safe to paste, and nginx / HAProxy / Caddy accepting the files
// (nginx -t, haproxy -c, caddy validate). The proxies carrying real traffic: proxy-*.test.ts.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  edgeTargets,
  generateEdge,
  gcpHeaderVariables,
  overwrittenHeaders,
  certificateHeaders,
  type EdgeBundle,
  type EdgeOptions,
  type EdgeTarget,
} from '../../../src/core/edge/index';
import { writeFileSet } from '../../../src/core/files';
import { main } from '../../../src/cli/main';
import { shellQuote } from '../../../src/core/shellQuote';
import { scaffoldServer } from '../../../src/core/scaffold/scaffoldServer';
import { ensureBuilt, makePki, repoRoot, tempDir, type Pki } from '../support/scaffold';
import { installed } from '../support/edge-proxy';

let root: string;
let pki: Pki;
const secret = 'S3cr3t-edge-value-0123456789abcdef';

before(() => {
  root = tempDir('edge-config');
  pki = makePki(path.join(root, 'project', 'certs'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function options(kind: EdgeTarget, extra: Partial<EdgeOptions> = {}): EdgeOptions {
  return {
    kind,
    projectDir: path.join(root, 'project'),
    outDir: path.join(root, 'out', kind),
    certPath: pki.serverCrt,
    keyPath: pki.serverKey,
    caPath: pki.caBundle,
    caPem: readFileSync(pki.caBundle, 'utf8'),
    port: 8443,
    ...extra,
  };
}

function generate(kind: EdgeTarget, extra: Partial<EdgeOptions> = {}): EdgeBundle {
  return generateEdge(options(kind, { secret, ...extra }), {
    certPem: readFileSync(pki.serverCrt, 'utf8'),
    keyPem: readFileSync(pki.serverKey, 'utf8'),
    trusted: '10.1.0.0/16',
  });
}

const text = (b: EdgeBundle, name: string): string => String(b.files.find((f) => f.name === name)?.contents ?? '');
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the certificate headers an edge overwrites', () => {
  it('are exactly the ones the server knows, plus X-Mtls-Edge-Secret', async () => {
    const server = (await import(pathToFileURL(path.join(repoRoot, 'out/src/server/edgeHeaders.mjs')).href)) as {
      allCertificateHeaders(): string[];
      edgeSecretHeader: string;
      gcpAlbHeaderVariables: Record<string, string>;
    };
    assert.deepEqual(new Set(certificateHeaders.map((h) => h.toLowerCase())), new Set(server.allCertificateHeaders()));
    assert.ok(overwrittenHeaders().some((h) => h.toLowerCase() === server.edgeSecretHeader));
    assert.deepEqual(
      Object.fromEntries(Object.entries(gcpHeaderVariables).map(([h, v]) => [h.toLowerCase(), v])),
      server.gcpAlbHeaderVariables,
    );
  });

  const handled: Record<'nginx' | 'haproxy' | 'caddy' | 'envoy', (conf: string, h: string) => boolean> = {
    nginx: (c, h) =>
      new RegExp(`^\\s*proxy_set_header ${esc(h)} `, 'mi').test(c) || /include edge-secret\.conf;/.test(c),
    haproxy: (c, h) => new RegExp(`^\\s*http-request del-header ${esc(h)}$`, 'mi').test(c),
    caddy: (c, h) => new RegExp(`^\\s*header_up -?${esc(h)}( |$)`, 'mi').test(c),
    envoy: (c, h) =>
      c.toLowerCase().includes(JSON.stringify(h.toLowerCase())) ||
      (h === 'X-Forwarded-Client-Cert' && /forward_client_cert_details: SANITIZE_SET/.test(c)),
  };
  const files = { nginx: 'nginx.conf', haproxy: 'haproxy.cfg', caddy: 'Caddyfile', envoy: 'envoy.yaml' } as const;
  for (const kind of Object.keys(handled) as (keyof typeof handled)[]) {
    it(`${kind}: every one is set or removed, never appended to`, () => {
      const conf = text(generate(kind), files[kind]);
      for (const h of overwrittenHeaders())
        assert.ok(handled[kind](conf, h), `${kind} leaves ${h} as the client sent it`);
      assert.doesNotMatch(conf, /add-header|proxy_add_header|header_up \+|append_action: APPEND/);
    });
  }

  it('sets the format each origin reads', () => {
    assert.match(
      text(generate('nginx'), 'nginx.conf'),
      /proxy_set_header X-SSL-Client-Cert \$ssl_client_escaped_cert;/,
    );
    assert.match(
      text(generate('haproxy'), 'haproxy.cfg'),
      /http-request set-header Client-Cert ":%\[ssl_c_der,base64\]:"/,
    );
    assert.match(
      text(generate('caddy'), 'Caddyfile'),
      /header_up Client-Cert ":\{http\.request\.tls\.client\.certificate_der_base64\}:"/,
    );
    assert.match(
      text(generate('envoy'), 'envoy.yaml'),
      /set_current_client_cert_details: \{ subject: true, cert: true, chain: true/,
    );
    for (const k of edgeTargets) assert.equal(generate(k).originEnv['MTLS_EDGE'], generate(k).format);
  });
});

describe('trust between the edge and the webhook', () => {
  it('verifies clients against the CA bundle the server uses, leaf + intermediate deep', () => {
    assert.match(
      text(generate('nginx'), 'nginx.conf'),
      new RegExp(`ssl_client_certificate "${esc(pki.caBundle)}";\\s+ssl_verify_client on;\\s+ssl_verify_depth 2;`),
    );
    assert.match(
      text(generate('haproxy'), 'haproxy.cfg'),
      new RegExp(`ca-file "${esc(pki.caBundle)}" verify required`),
    );
    const caddyCas = [...text(generate('caddy'), 'Caddyfile').matchAll(/^\s*trusted_ca_cert (\S+)$/gm)].map(
      (m) => new X509Certificate(Buffer.from(m[1] ?? '', 'base64')).subject,
    );
    assert.deepEqual(
      caddyCas,
      ['CN=mTLS Test Root CA', 'CN=Second Root CA'],
      'every certificate of the bundle, not only the first',
    );
    assert.match(text(generate('envoy'), 'envoy.yaml'), /require_client_certificate: true/);
    assert.match(
      text(generate('ingress-nginx'), 'ingress.yaml'),
      /auth-tls-verify-client: "on"[\s\S]*auth-tls-verify-depth: "2"[\s\S]*auth-tls-pass-certificate-to-upstream: "true"/,
    );
    assert.equal(
      Buffer.from(
        /ca\.crt: (\S+)/.exec(text(generate('ingress-nginx'), 'ca-secret.yaml'))?.[1] ?? '',
        'base64',
      ).toString('utf8'),
      readFileSync(pki.caBundle, 'utf8'),
    );
  });

  it('connects from a fixed address the webhook trusts (nginx proxy_bind, HAProxy source, Envoy source_address)', () => {
    const n = generate('nginx', { origin: 'http://127.0.0.2:9000' });
    assert.match(text(n, 'nginx.conf'), /server 127\.0\.0\.2:9000;[\s\S]*proxy_bind 127\.0\.0\.3;/);
    assert.equal(n.originEnv['MTLS_EDGE_TRUSTED'], '127.0.0.3');
    assert.match(text(generate('haproxy'), 'haproxy.cfg'), /server origin 127\.0\.0\.1:8443 source 127\.0\.0\.3/);
    assert.match(text(generate('envoy'), 'envoy.yaml'), /source_address: \{ address: "127\.0\.0\.3"/);
    // A remote origin: no address to choose, so the secret carries the trust.
    assert.equal(generate('nginx', { origin: 'http://10.0.0.5:8080' }).originEnv['MTLS_EDGE_TRUSTED'], undefined);
  });

  it('writes the secret only into files readable by their owner alone, and reads it from the environment where the edge can', () => {
    for (const kind of edgeTargets) {
      for (const f of generate(kind).files) {
        if (String(f.contents).includes(secret))
          assert.equal(f.secret, true, `${kind}: ${f.name} holds the secret but would be 0644`);
      }
    }
    assert.match(text(generate('haproxy'), 'haproxy.cfg'), /set-header X-Mtls-Edge-Secret "\$\{MTLS_EDGE_SECRET\}"/);
    assert.match(text(generate('caddy'), 'Caddyfile'), /header_up X-Mtls-Edge-Secret \{env\.MTLS_EDGE_SECRET\}/);
    assert.match(text(generate('gcp'), 'deploy.sh'), /--custom-request-header="X-Mtls-Edge-Secret:\$MTLS_EDGE_SECRET"/);
    assert.match(
      text(generate('nginx'), 'edge-secret.conf'),
      new RegExp(`proxy_set_header X-Mtls-Edge-Secret "${secret}";`),
    );
  });

  it('refuses an edge that needs the secret without one, and a host name that is not one', () => {
    assert.throws(() => generateEdge(options('caddy')), /needs the edge secret/);
    assert.throws(() => generateEdge(options('gcp')), /needs the edge secret/);
    assert.throws(() => generate('nginx', { host: 'a b;evil' }), /a host name/);
  });
});

describe('cloud load balancers', () => {
  it('gcp: TrustConfig with every root, ServerTlsPolicy rejecting invalid, custom headers, Cloud Run behind the LB only', () => {
    const b = generate('gcp');
    assert.equal((text(b, 'trust-config.yaml').match(/pemCertificate: \|/g) ?? []).length, 2);
    assert.match(text(b, 'server-tls-policy.yaml'), /clientValidationMode: REJECT_INVALID/);
    const script = text(b, 'deploy.sh');
    for (const [h, v] of Object.entries(gcpHeaderVariables))
      assert.ok(script.includes(`--custom-request-header=${shellQuote(`${h}:{${v}}`)}`), h);
    assert.match(script, /--ingress=internal-and-cloud-load-balancing/);
    assert.match(
      script,
      /certificate-manager trust-configs import[\s\S]*server-tls-policies import[\s\S]*target-https-proxies import[\s\S]*backend-services update[\s\S]*run deploy/,
    );
    execFileSync('sh', ['-n', '-c', script]);
  });

  it('aws: the CA bundle as the trust store in S3, the listener in verify mode', () => {
    const b = generate('aws');
    assert.equal(text(b, 'ca-bundle.pem'), readFileSync(pki.caBundle, 'utf8'));
    assert.match(
      text(b, 'deploy.sh'),
      /aws s3 cp [\s\S]*create-trust-store[\s\S]*modify-listener[\s\S]*Mode=verify,TrustStoreArn=/,
    );
    assert.equal(b.originEnv['MTLS_EDGE_TRUSTED'], '10.1.0.0/16');
    execFileSync('sh', ['-n', '-c', text(b, 'deploy.sh')]);
  });

  it('a Dockerfile for the webhook: node:24-slim, server.mts + mtls-server/, dependencies only when package.json exists', () => {
    const plain = text(generate('gcp'), 'Dockerfile');
    assert.match(plain, /^FROM node:24-slim$/m);
    assert.match(plain, /COPY server\.mts \.\/\nCOPY mtls-server\/ \.\/mtls-server\//);
    assert.match(plain, /ENV MTLS_EDGE=gcp-alb MTLS_HOST=0\.0\.0\.0 MTLS_CA=\/app\/certs\/ca-bundle\.pem/);
    assert.match(plain, /CMD \["node", "server\.mts"\]/);
    assert.doesNotMatch(plain, /npm ci/);
    assert.match(
      text(generate('aws', { hasPackageJson: true }), 'Dockerfile'),
      /COPY package\*\.json \.\/\nRUN npm ci --omit=dev/,
    );
  });
});

describe('the proxies accept the generated files', () => {
  const check = async (kind: 'nginx' | 'haproxy' | 'caddy'): Promise<void> => {
    const out = path.join(root, 'check', kind);
    const state = path.join(out, 'run');
    mkdirSync(path.join(state, 'tmp'), { recursive: true });
    // As written for users (listening on 0.0.0.0:443): checking binds nothing.
    const b = generate(kind, { outDir: out, stateDir: state, ...(process.getuid?.() === 0 ? { user: 'root' } : {}) });
    await writeFileSet(out, b.files);
    const env = { ...process.env, MTLS_EDGE_SECRET: secret, HOME: out, XDG_DATA_HOME: state, XDG_CONFIG_HOME: state };
    if (kind === 'nginx')
      execFileSync('nginx', ['-t', '-p', `${out}/`, '-e', path.join(state, 'error.log'), '-c', 'nginx.conf'], {
        stdio: 'pipe',
        env,
      });
    if (kind === 'haproxy')
      execFileSync('haproxy', ['-c', '-f', path.join(out, 'haproxy.cfg')], { stdio: 'pipe', env });
    if (kind === 'caddy')
      execFileSync('caddy', ['validate', '--config', path.join(out, 'Caddyfile'), '--adapter', 'caddyfile'], {
        stdio: 'pipe',
        env,
      });
    for (const f of b.files)
      assert.equal(statSync(path.join(out, f.name)).mode & 0o777, f.secret ? 0o600 : 0o644, f.name);
  };
  it('nginx -t', { skip: !installed('nginx') && 'nginx is not installed' }, () => check('nginx'));
  it('haproxy -c', { skip: !installed('haproxy') && 'haproxy is not installed' }, () => check('haproxy'));
  it('caddy validate', { skip: !installed('caddy') && 'caddy is not installed' }, () => check('caddy'));
});

describe('mtls edge (CLI)', () => {
  it("writes into D/edge/<kind>/ from the server's own settings, refuses to overwrite without --force, prints quoted commands", async () => {
    ensureBuilt();
    const dir = path.join(root, "it's $(here)");
    mkdirSync(dir, { recursive: true });
    await scaffoldServer(dir, { platform: 'cx' });
    const certs = makePki(path.join(dir, 'certs'));
    const env = {
      PATH: process.env['PATH'] ?? '',
      MTLS_KEY: certs.serverKey,
      MTLS_CERT: certs.serverCrt,
      MTLS_CA: certs.caBundle,
    };
    let out = '';
    let err = '';
    const ctx = {
      out: (t: string) => void (out += `${t}\n`),
      err: (t: string) => void (err += `${t}\n`),
      env,
      cwd: dir,
    };
    assert.equal(await main(['edge', 'nginx', '--secret-env'], ctx), 0, err);
    const conf = readFileSync(path.join(dir, 'edge', 'nginx', 'nginx.conf'), 'utf8');
    assert.ok(conf.includes(`ssl_client_certificate "${certs.caBundle.replace(/"/g, '\\"')}";`), conf);
    assert.equal(statSync(path.join(dir, 'edge', 'nginx', 'edge-secret.conf')).mode & 0o777, 0o600);
    assert.match(out, /MTLS_EDGE=nginx/);
    assert.ok(out.includes(shellQuote(path.join(dir, 'edge', 'nginx', 'origin.env'))), out);
    assert.doesNotMatch(out, /S3cr3t|MTLS_EDGE_SECRET=[^$]/);
    for (const line of out.split('\n').filter((l) => l.startsWith('  (') || l.startsWith('  mkdir')))
      execFileSync('sh', ['-n', '-c', line]);
    err = '';
    assert.equal(await main(['edge', 'nginx'], ctx), 1);
    assert.match(err, /already exist/);
    assert.equal(await main(['edge', 'nginx', '--force', '--host', 'webhook.example.com'], ctx), 0, err);
    assert.match(
      readFileSync(path.join(dir, 'edge', 'nginx', 'nginx.conf'), 'utf8'),
      /server_name "webhook\.example\.com";/,
    );
    assert.equal(await main(['edge', 'traefik'], ctx), 2);
    writeFileSync(path.join(dir, 'package.json'), '{}');
    assert.equal(await main(['edge', 'gcp', '--out', 'deploy/gcp'], ctx), 0, err);
    assert.match(readFileSync(path.join(dir, 'deploy', 'gcp', 'Dockerfile'), 'utf8'), /RUN npm ci --omit=dev/);
  });
});
