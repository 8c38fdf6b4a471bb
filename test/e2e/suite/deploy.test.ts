import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { run, freePort, ws } from './support';

interface DeployResult {
  kind: string;
  format: string;
  folder: string;
  files: string[];
  originEnv: Record<string, string>;
  next: string[];
  notes: string[];
}

describe('deploy behind a load balancer (mtls.deployBehindLoadBalancer with an argument object)', () => {
  before(async () => {
    await run('mtls.generateChain', { folder: 'edge-project/certs', keyType: 'ec256', overwrite: true });
    await run('mtls.scaffoldServer', { folder: 'edge-project', port: await freePort(), overwrite: true, open: false });
  });

  it("writes the nginx configuration for the project's certificates into <dir>/edge/nginx, with what to run next", async () => {
    const r = await run<DeployResult>('mtls.deployBehindLoadBalancer', {
      kind: 'nginx',
      dir: 'edge-project',
      host: 'webhook.example.com',
    });
    const folder = path.join(ws(), 'edge-project', 'edge', 'nginx');
    assert.equal(r.folder, folder);
    assert.equal(r.format, 'nginx');
    assert.deepEqual(r.files.map((f) => path.basename(f)).sort(), ['Dockerfile', 'nginx.conf', 'origin.env']);
    const conf = readFileSync(path.join(folder, 'nginx.conf'), 'utf8');
    assert.match(conf, /server_name "webhook\.example\.com";/);
    assert.ok(conf.includes(`ssl_client_certificate "${path.join(ws(), 'edge-project', 'certs')}`), conf);
    assert.equal(statSync(path.join(folder, 'origin.env')).mode & 0o777, 0o600);
    assert.equal(r.originEnv['MTLS_EDGE'], 'nginx');
    assert.ok(
      r.next.some((l) => l.includes('nginx -t -p')),
      r.next.join('\n'),
    );
  });

  it('refuses to overwrite without overwrite: true, and replaces with it', async () => {
    await assert.rejects(run('mtls.deployBehindLoadBalancer', { kind: 'nginx', dir: 'edge-project' }), /already exist/);
    const r = await run<DeployResult>('mtls.deployBehindLoadBalancer', {
      kind: 'nginx',
      dir: 'edge-project',
      overwrite: true,
    });
    assert.equal(r.files.length, 3);
  });

  it('writes the Google Cloud files where asked, the secret only into origin.env (0600)', async () => {
    const r = await run<DeployResult>('mtls.deployBehindLoadBalancer', {
      kind: 'gcp',
      dir: 'edge-project',
      out: 'edge-project/deploy/gcp',
    });
    const folder = path.join(ws(), 'edge-project', 'deploy', 'gcp');
    for (const f of ['trust-config.yaml', 'server-tls-policy.yaml', 'deploy.sh', 'Dockerfile', 'origin.env'])
      assert.ok(existsSync(path.join(folder, f)), f);
    assert.equal(r.format, 'gcp-alb');
    assert.equal(statSync(path.join(folder, 'origin.env')).mode & 0o777, 0o600);
    assert.match(readFileSync(path.join(folder, 'deploy.sh'), 'utf8'), /--ingress=internal-and-cloud-load-balancing/);
  });

  it('refuses an edge it does not know', async () => {
    await assert.rejects(
      run('mtls.deployBehindLoadBalancer', { kind: 'traefik', dir: 'edge-project' }),
      /Unknown edge "traefik"/,
    );
  });
});
