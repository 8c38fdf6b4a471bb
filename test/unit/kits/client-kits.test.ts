// mtls kore-client and mtls cx-client through main(), checked with openssl, Node's TLS stack, the
// scaffolded server.ts on 127.0.0.1, and Google's own CX v3 proto.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { main } from '../../../src/cli/main';
import { scaffoldServer, serverFileName } from '../../../src/core/scaffold/scaffoldServer';
import { ensureBuilt, startServer, tempDir, type RunningServer } from '../support/scaffold';

async function mtls(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), env, cwd });
  return { code, out, err };
}

const mode = (p: string) => statSync(p).mode & 0o777;
const openssl = (args: string[], env?: NodeJS.ProcessEnv) =>
  spawnSync('openssl', args, { encoding: 'utf8', env: env ?? process.env });
const ca = ['--ca-cert', 'certs/ca-crt.pem', '--ca-key', 'certs/ca-intermediate-key.pem'];

describe('client-certificate kits (mtls kore-client, mtls cx-client)', () => {
  let cwd: string;
  before(async () => {
    cwd = tempDir('kits');
    const r = await mtls(cwd, ['chain', '--out', 'certs', '--key', 'ec256']);
    assert.equal(r.code, 0, r.err);
  });
  after(() => rmSync(cwd, { recursive: true, force: true }));

  describe('Kore.ai kit', () => {
    let server: RunningServer | undefined;
    before(async () => {
      const r = await mtls(cwd, ['kore-client', ...ca, '--out', 'kore', '--cn', 'kore-onprem', '--p12']);
      assert.equal(r.code, 0, r.err);
    });
    after(() => server?.proc.kill('SIGTERM'));

    it('writes the four prerequisites under names that say what they are, a PKCS#12 and README.txt; keys 0600', () => {
      const dir = path.join(cwd, 'kore');
      assert.deepEqual(readdirSync(dir).sort(), [
        'README.txt',
        'kore-ca-intermediates.pem',
        'kore-ca-root.pem',
        'kore-client-crt.pem',
        'kore-client-fullchain.pem',
        'kore-client-key.pem',
        'kore-client-p12-passphrase.txt',
        'kore-client.p12',
      ]);
      for (const f of ['kore-client-key.pem', 'kore-client.p12', 'kore-client-p12-passphrase.txt'])
        assert.equal(mode(path.join(dir, f)), 0o600, f);
      assert.equal(mode(path.join(dir, 'kore-client-crt.pem')), 0o644);
      const readme = readFileSync(path.join(dir, 'README.txt'), 'utf8');
      for (const [prereq, file] of [
        ['Private key', 'kore-client-key.pem'],
        ['Client certificate', 'kore-client-crt.pem'],
        ['CA root certificate', 'kore-ca-root.pem'],
        ['CA intermediate certificate\\(s\\)', 'kore-ca-intermediates.pem'],
      ]) {
        assert.match(readme, new RegExp(`^${prereq}\\s+${file.replace('.', '\\.')}`, 'm'));
      }
      assert.match(readme, /What your API server must trust: the CA root/);
      assert.equal(
        readFileSync(path.join(dir, 'kore-ca-root.pem'), 'utf8'),
        readFileSync(path.join(cwd, 'certs', 'ca-root-crt.pem'), 'utf8'),
      );
      assert.equal(
        readFileSync(path.join(dir, 'kore-ca-intermediates.pem'), 'utf8'),
        readFileSync(path.join(cwd, 'certs', 'ca-intermediate-crt.pem'), 'utf8'),
      );
      const leaf = new X509Certificate(readFileSync(path.join(dir, 'kore-client-crt.pem')));
      assert.match(leaf.subject, /CN=kore-onprem/);
      assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    });

    it("the client certificate verifies with openssl verify -purpose sslclient against the kit's root and intermediates", () => {
      const dir = path.join(cwd, 'kore');
      const r = openssl([
        'verify',
        '-purpose',
        'sslclient',
        '-CAfile',
        path.join(dir, 'kore-ca-root.pem'),
        '-untrusted',
        path.join(dir, 'kore-ca-intermediates.pem'),
        path.join(dir, 'kore-client-crt.pem'),
      ]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /kore-client-crt\.pem: OK/);
      // and not as a server certificate: the kit holds a client certificate only
      const s = openssl([
        'verify',
        '-purpose',
        'sslserver',
        '-CAfile',
        path.join(dir, 'kore-ca-root.pem'),
        '-untrusted',
        path.join(dir, 'kore-ca-intermediates.pem'),
        path.join(dir, 'kore-client-crt.pem'),
      ]);
      assert.notEqual(s.status, 0);
    });

    it("the PKCS#12 opens in openssl pkcs12 (key + leaf + intermediate) and in Node's pfx option", () => {
      const dir = path.join(cwd, 'kore');
      const pass = path.join(dir, 'kore-client-p12-passphrase.txt');
      const r = openssl(['pkcs12', '-in', path.join(dir, 'kore-client.p12'), '-passin', `file:${pass}`, '-nodes']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.match(/-----BEGIN CERTIFICATE-----/g)?.length, 2);
      assert.match(r.stdout, /-----BEGIN PRIVATE KEY-----/);
      const pfx = readFileSync(path.join(dir, 'kore-client.p12'));
      assert.doesNotThrow(() => createSecureContext({ pfx, passphrase: readFileSync(pass, 'utf8') }));
      assert.throws(() => createSecureContext({ pfx, passphrase: 'wrong' }));
    });

    it('the scaffolded server trusting that CA answers mtls send --sample kore with the kit (PEM and PKCS#12) with 200, and mtls probe passes', async () => {
      ensureBuilt();
      const app = path.join(cwd, 'app');
      mkdirSync(app, { recursive: true });
      await scaffoldServer(app, { platform: 'kore', port: 0 });
      const certs = path.join(cwd, 'certs');
      server = await startServer(path.join(app, serverFileName), {
        MTLS_KEY: path.join(certs, 'server-key.pem'),
        MTLS_CERT: path.join(certs, 'server-fullchain.pem'),
        MTLS_CA: path.join(cwd, 'kore', 'kore-ca-root.pem'),
      });
      const url = server.url;
      const tlsPem = [
        '--cert',
        'kore/kore-client-fullchain.pem',
        '--key',
        'kore/kore-client-key.pem',
        '--ca',
        'certs/ca-root-crt.pem',
      ];
      let r = await mtls(cwd, ['send', url, '--sample', 'kore', ...tlsPem]);
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, /HTTP 200/);
      r = await mtls(
        cwd,
        [
          'send',
          url,
          '--sample',
          'kore',
          '--pfx',
          'kore/kore-client.p12',
          '--passphrase-env',
          'P12',
          '--ca',
          'certs/ca-root-crt.pem',
        ],
        { P12: readFileSync(path.join(cwd, 'kore', 'kore-client-p12-passphrase.txt'), 'utf8') },
      );
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, /HTTP 200/);
      await server.waitFor(/POST \/ 200 .*client CN="kore-onprem"/);
      r = await mtls(cwd, ['probe', url, ...tlsPem]);
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, /enforced/i);
    });

    it('for the cloud platform it explains the trust-bundle path and writes nothing', async () => {
      const r = await mtls(cwd, ['kore-client', '--cloud']);
      assert.equal(r.code, 0);
      assert.match(r.out, /cloud platform presents its own client certificate.*mtls trust-bundle --platform kore/s);
      assert.equal(existsSync(path.join(cwd, 'kore-cloud')), false);
    });

    it('bad input is one line, exit 1, nothing written: not a CA, a key that does not match, an existing folder without --force', async () => {
      const cases: [string[], RegExp][] = [
        [['--ca-cert', 'certs/client-crt.pem', '--ca-key', 'certs/client-key.pem'], /is not a CA certificate/],
        [
          ['--ca-cert', 'certs/ca-crt.pem', '--ca-key', 'certs/server-key.pem'],
          /The CA key does not match the CA certificate/,
        ],
        [
          ['--ca-cert', 'certs/ca-intermediate-crt.pem', '--ca-key', 'certs/ca-intermediate-key.pem'],
          /holds no root certificate/,
        ],
      ];
      for (const [args, re] of cases) {
        const r = await mtls(cwd, ['kore-client', ...args, '--out', 'bad-kit']);
        assert.equal(r.code, 1, r.err);
        assert.match(r.err, re);
        assert.equal(r.err.trim().split('\n').length, 1, r.err);
        assert.equal(existsSync(path.join(cwd, 'bad-kit')), false);
      }
      const before = readFileSync(path.join(cwd, 'kore', 'kore-client-key.pem'));
      const r = await mtls(cwd, ['kore-client', ...ca, '--out', 'kore']);
      assert.equal(r.code, 1);
      assert.match(r.err, /already exists .*nothing was written.*--force/);
      assert.deepEqual(readFileSync(path.join(cwd, 'kore', 'kore-client-key.pem')), before);
    });

    it('--ca-root completes a CA file that stops at the intermediate, and a root that did not issue it is refused', async () => {
      let r = await mtls(cwd, [
        'kore-client',
        '--ca-cert',
        'certs/ca-intermediate-crt.pem',
        '--ca-key',
        'certs/ca-intermediate-key.pem',
        '--ca-root',
        'certs/ca-root-crt.pem',
        '--out',
        'kore-root',
      ]);
      assert.equal(r.code, 0, r.err);
      assert.equal(
        readFileSync(path.join(cwd, 'kore-root', 'kore-ca-root.pem'), 'utf8'),
        readFileSync(path.join(cwd, 'certs', 'ca-root-crt.pem'), 'utf8'),
      );
      const other = await mtls(cwd, ['chain', '--out', 'other-certs', '--key', 'ec256', '--org', 'Elsewhere']);
      assert.equal(other.code, 0, other.err);
      r = await mtls(cwd, [
        'kore-client',
        '--ca-cert',
        'certs/ca-intermediate-crt.pem',
        '--ca-key',
        'certs/ca-intermediate-key.pem',
        '--ca-root',
        'other-certs/ca-root-crt.pem',
        '--out',
        'kore-wrong-root',
      ]);
      assert.equal(r.code, 1);
      assert.match(r.err, /holds no self-signed certificate that issued/);
      assert.equal(existsSync(path.join(cwd, 'kore-wrong-root')), false);
    });

    it('--force replaces the kit files in an existing folder as one set, and says so', async () => {
      mkdirSync(path.join(cwd, 'kore2'));
      writeFileSync(path.join(cwd, 'kore2', 'kore-client-key.pem'), 'old key');
      writeFileSync(path.join(cwd, 'kore2', 'notes.txt'), 'mine');
      const r = await mtls(cwd, ['kore-client', ...ca, '--out', 'kore2', '--force']);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /Wrote 6 files to .*kore2 \(replacing 1 existing file as one set\):/);
      assert.match(
        readFileSync(path.join(cwd, 'kore2', 'kore-client-key.pem'), 'utf8'),
        /^-----BEGIN PRIVATE KEY-----/,
      );
      assert.equal(readFileSync(path.join(cwd, 'kore2', 'notes.txt'), 'utf8'), 'mine');
    });

    it("--force without --p12 removes the earlier kit's PKCS#12 and its passphrase: no file of the old identity stays", async () => {
      const first = await mtls(cwd, ['kore-client', ...ca, '--out', 'kore3', '--p12']);
      assert.equal(first.code, 0, first.err);
      writeFileSync(path.join(cwd, 'kore3', 'notes.txt'), 'mine');
      const r = await mtls(cwd, ['kore-client', ...ca, '--out', 'kore3', '--force']);
      assert.equal(r.code, 0, r.err);
      assert.match(
        r.out,
        /Removed the earlier kit's kore-client\.p12, kore-client-p12-passphrase\.txt: this kit has none\./,
      );
      assert.deepEqual(readdirSync(path.join(cwd, 'kore3')).sort(), [
        'README.txt',
        'kore-ca-intermediates.pem',
        'kore-ca-root.pem',
        'kore-client-crt.pem',
        'kore-client-fullchain.pem',
        'kore-client-key.pem',
        'notes.txt',
      ]);
    });
  });

  describe('Dialogflow CX custom client certificate', () => {
    before(async () => {
      const r = await mtls(cwd, [
        'cx-client',
        ...ca,
        '--out',
        'cx',
        '--project',
        'my-agent-project',
        '--secret-prefix',
        'hook',
      ]);
      assert.equal(r.code, 0, r.err);
      writeFileSync(path.join(cwd, 'cx-out.txt'), r.out);
    });

    it('writes the certificate, the encrypted key, the passphrase (0600, no newline) and the settings; prints the gcloud commands', () => {
      const dir = path.join(cwd, 'cx');
      assert.deepEqual(readdirSync(dir).sort(), [
        'cx-client-certificate-settings.json',
        'cx-client-crt.pem',
        'cx-client-key.pem',
        'cx-client-passphrase.txt',
      ]);
      assert.equal(mode(path.join(dir, 'cx-client-passphrase.txt')), 0o600);
      assert.equal(mode(path.join(dir, 'cx-client-key.pem')), 0o600);
      const pass = readFileSync(path.join(dir, 'cx-client-passphrase.txt'), 'utf8');
      assert.match(pass, /^[A-Za-z0-9_-]{32}$/);
      const keyPem = readFileSync(path.join(dir, 'cx-client-key.pem'), 'utf8');
      assert.match(keyPem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
      assert.throws(() => createPrivateKey(keyPem), 'the key does not load without its passphrase');
      const out = readFileSync(path.join(cwd, 'cx-out.txt'), 'utf8');
      assert.doesNotMatch(out, new RegExp(pass), 'the passphrase is never printed');
      assert.match(
        out,
        /gcloud secrets create hook-key --project=my-agent-project --replication-policy=automatic --data-file=cx\/cx-client-key\.pem/,
      );
      assert.match(
        out,
        /gcloud secrets create hook-passphrase --project=my-agent-project .*--data-file=cx\/cx-client-passphrase\.txt/,
      );
      assert.equal(
        out.match(
          /gcloud secrets add-iam-policy-binding hook-(key|passphrase) .*service-\$\{PROJECT_NUMBER\}@gcp-sa-dialogflow\.iam\.gserviceaccount\.com.* --role=roles\/secretmanager\.secretAccessor/g,
        )?.length,
        2,
      );
      assert.match(
        out,
        /PATCH .*https:\/\/dialogflow\.googleapis\.com\/v3\/projects\/my-agent-project\/locations\/global\/agents\/AGENT_ID\?updateMask=clientCertificateSettings/,
      );
      const r = openssl([
        'verify',
        '-purpose',
        'sslclient',
        '-CAfile',
        path.join(cwd, 'certs', 'ca-crt.pem'),
        path.join(dir, 'cx-client-crt.pem'),
      ]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    it("the settings JSON has exactly the fields of Agent.ClientCertificateSettings in Google's CX v3 proto", () => {
      const proto = readFileSync(
        require.resolve('@google-cloud/dialogflow-cx/build/protos/google/cloud/dialogflow/cx/v3/agent.proto'),
        'utf8',
      );
      const body = /message ClientCertificateSettings \{([\s\S]*?)\n  \}/.exec(proto)?.[1];
      assert.ok(body, 'ClientCertificateSettings in agent.proto');
      const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      const fields = [...body.matchAll(/^\s*string (\w+) = \d+/gm)].map((m) => camel(m[1]));
      assert.deepEqual(fields, ['sslCertificate', 'privateKey', 'passphrase']);
      assert.match(
        proto,
        /ClientCertificateSettings client_certificate_settings = \d+/,
        'the Agent field the update mask names',
      );
      const settings = JSON.parse(
        readFileSync(path.join(cwd, 'cx', 'cx-client-certificate-settings.json'), 'utf8'),
      ) as Record<string, string>;
      assert.deepEqual(Object.keys(settings), fields);
      assert.equal(settings['sslCertificate'], readFileSync(path.join(cwd, 'cx', 'cx-client-crt.pem'), 'utf8'));
      assert.equal(settings['privateKey'], 'projects/my-agent-project/secrets/hook-key/versions/1');
      assert.equal(settings['passphrase'], 'projects/my-agent-project/secrets/hook-passphrase/versions/1');
    });

    it('a webhook server trusting that CA accepts a request presenting the certificate, the encrypted key and its passphrase', async () => {
      const certs = path.join(cwd, 'certs');
      const seen: string[] = [];
      const srv = https.createServer(
        {
          key: readFileSync(path.join(certs, 'server-key.pem')),
          cert: readFileSync(path.join(certs, 'server-fullchain.pem')),
          ca: readFileSync(path.join(certs, 'ca-crt.pem')),
          requestCert: true,
          rejectUnauthorized: true,
        },
        (req, res) => {
          seen.push((req.socket as TLSSocket).getPeerCertificate().subject.CN as string);
          res.end('{}');
        },
      );
      await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
      const port = (srv.address() as AddressInfo).port;
      const request = (key: string | undefined) =>
        new Promise<number>((resolve, reject) => {
          const req = https.request(
            {
              agent: false,
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: '/webhook',
              ca: readFileSync(path.join(certs, 'ca-root-crt.pem')),
              cert: readFileSync(path.join(cwd, 'cx', 'cx-client-crt.pem')),
              key: readFileSync(path.join(cwd, 'cx', 'cx-client-key.pem')),
              passphrase: key,
            },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', reject);
          req.end('{}');
        });
      try {
        assert.equal(await request(readFileSync(path.join(cwd, 'cx', 'cx-client-passphrase.txt'), 'utf8')), 200);
        assert.deepEqual(seen, ['dialogflow-cx-agent']);
        await assert.rejects(request('not the passphrase'));
      } finally {
        srv.close();
      }
    });

    it('bad input is one line, exit 1, nothing written: not a CA, an encrypted CA key without its passphrase', async () => {
      const enc = await mtls(
        cwd,
        ['chain', '--out', 'enc-certs', '--key', 'ec256', '--encrypt-key', '--passphrase-env', 'P'],
        { P: 'ca passphrase' },
      );
      assert.equal(enc.code, 0, enc.err);
      const cases: [string[], RegExp, NodeJS.ProcessEnv][] = [
        [['--ca-cert', 'certs/server-crt.pem', '--ca-key', 'certs/server-key.pem'], /is not a CA certificate/, {}],
        [
          ['--ca-cert', 'enc-certs/ca-crt.pem', '--ca-key', 'enc-certs/ca-intermediate-key.pem'],
          /The CA key file is encrypted: supply its passphrase/,
          {},
        ],
        [
          [
            '--ca-cert',
            'enc-certs/ca-crt.pem',
            '--ca-key',
            'enc-certs/ca-intermediate-key.pem',
            '--ca-passphrase-env',
            'P',
          ],
          /Wrong passphrase/,
          { P: 'wrong' },
        ],
        [
          ['--ca-cert', 'certs/ca-crt.pem', '--ca-key', 'certs/ca-intermediate-key.pem', '--project', 'Bad_Project'],
          /is not a Google Cloud project id/,
          {},
        ],
      ];
      for (const [args, re, env] of cases) {
        const r = await mtls(cwd, ['cx-client', ...args, '--out', 'bad-cx'], env);
        assert.equal(r.code, 1, r.err);
        assert.match(r.err, re);
        assert.equal(r.err.trim().split('\n').length, 1, r.err);
        assert.equal(existsSync(path.join(cwd, 'bad-cx')), false);
      }
      const ok = await mtls(
        cwd,
        [
          'cx-client',
          '--ca-cert',
          'enc-certs/ca-crt.pem',
          '--ca-key',
          'enc-certs/ca-intermediate-key.pem',
          '--ca-passphrase-env',
          'P',
          '--out',
          'cx-enc',
        ],
        { P: 'ca passphrase' },
      );
      assert.equal(ok.code, 0, ok.err);
    });
  });

  it('both kits parse their common options alike: a missing one is a usage error (exit 2) naming it, before any file is read', async () => {
    for (const cmd of ['cx-client', 'kore-client']) {
      for (const [args, missing] of [
        [['--ca-key', 'k', '--out', 'o'], '--ca-cert'],
        [['--ca-cert', 'c', '--out', 'o'], '--ca-key'],
        [['--ca-cert', 'c', '--ca-key', 'k'], '--out'],
      ] as const) {
        const r = await mtls(cwd, [cmd, ...args]);
        assert.equal(r.code, 2, `${cmd} ${args.join(' ')}: ${r.err}`);
        assert.equal(r.err.split('\n')[0], `mtls ${cmd}: missing option ${missing}`);
        assert.match(r.err, new RegExp(`Usage: mtls ${cmd} --ca-cert F --ca-key F --out DIR`));
      }
      const help = await mtls(cwd, [cmd, '--help']);
      assert.match(help.out, /--ca-key FILE {11}its private key \(PEM, PKCS#8 or traditional\)/);
    }
  });
});
