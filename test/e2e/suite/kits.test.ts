import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { KoreKitResult } from '../../../src/extension/commands/kits/createKoreKit';
import type { CxClientResult } from '../../../src/extension/commands/kits/createCxClientCertificate';
import { ws, run } from './support';

const openssl = (...args: string[]) =>
  execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const mode = (f: string) => (fs.statSync(f).mode & 0o777).toString(8);

describe('client-certificate kits (driven by argument objects)', () => {
  const chain = () => path.join(ws(), 'kits', 'chain');
  before(async () => {
    await vscode.commands.executeCommand('mtls.generateChain', {
      folder: 'kits/chain',
      keyType: 'ec256',
      gitignore: false,
    });
  });

  it('mtls.createKoreKit writes the kit (four prerequisites, PKCS#12, README.txt) that openssl verifies as a client certificate', async () => {
    const r = await run<KoreKitResult>('mtls.createKoreKit', {
      caCert: path.join(chain(), 'ca-crt.pem'),
      folder: 'kits/kore',
      cn: 'kore-e2e',
      p12: true,
      open: false,
    });
    assert.equal(r.cloud, false);
    const dir = path.join(ws(), 'kits', 'kore');
    assert.deepEqual(r.files.map((f) => path.relative(dir, f)).sort(), [
      'README.txt',
      'kore-ca-intermediates.pem',
      'kore-ca-root.pem',
      'kore-client-crt.pem',
      'kore-client-fullchain.pem',
      'kore-client-key.pem',
      'kore-client-p12-passphrase.txt',
      'kore-client.p12',
    ]);
    assert.match(
      openssl(
        'verify',
        '-purpose',
        'sslclient',
        '-CAfile',
        path.join(dir, 'kore-ca-root.pem'),
        '-untrusted',
        path.join(dir, 'kore-ca-intermediates.pem'),
        path.join(dir, 'kore-client-crt.pem'),
      ),
      /: OK/,
    );
    assert.equal(mode(path.join(dir, 'kore-client-key.pem')), '600');
    assert.match(
      openssl(
        'pkcs12',
        '-in',
        path.join(dir, 'kore-client.p12'),
        '-info',
        '-nokeys',
        '-passin',
        `file:${path.join(dir, 'kore-client-p12-passphrase.txt')}`,
      ),
      /CN\s*=\s*kore-e2e/,
    );
    assert.match(fs.readFileSync(path.join(dir, 'README.txt'), 'utf8'), /^CA root certificate\s+kore-ca-root\.pem/m);
  });

  it('mtls.createKoreKit for the cloud platform makes no kit and says why', async () => {
    const r = await run<KoreKitResult>('mtls.createKoreKit', {
      deployment: 'cloud',
      caCert: path.join(chain(), 'ca-crt.pem'),
      folder: 'kits/kore-cloud',
    });
    assert.equal(r.cloud, true);
    assert.ok(r.cloud && /trust-bundle --platform kore/.test(r.message));
    assert.equal(fs.existsSync(path.join(ws(), 'kits', 'kore-cloud')), false);
  });

  it('mtls.createCxClientCertificate writes the certificate, encrypted key, passphrase and settings, and shows the commands in code blocks', async () => {
    const r = await run<CxClientResult>('mtls.createCxClientCertificate', {
      caCert: path.join(chain(), 'ca-crt.pem'),
      folder: 'kits/cx',
      project: 'e2e-project',
      secretPrefix: 'e2e',
    });
    const dir = path.join(ws(), 'kits', 'cx');
    assert.deepEqual(r.files.map((f) => path.basename(f)).sort(), [
      'cx-client-certificate-settings.json',
      'cx-client-crt.pem',
      'cx-client-key.pem',
      'cx-client-passphrase.txt',
    ]);
    assert.equal(mode(path.join(dir, 'cx-client-passphrase.txt')), '600');
    assert.match(
      fs.readFileSync(path.join(dir, 'cx-client-key.pem'), 'utf8'),
      /^-----BEGIN ENCRYPTED PRIVATE KEY-----/,
    );
    assert.deepEqual(
      JSON.parse(fs.readFileSync(path.join(dir, 'cx-client-certificate-settings.json'), 'utf8')),
      r.settings,
    );
    assert.equal(r.settings.privateKey, 'projects/e2e-project/secrets/e2e-key/versions/1');
    assert.match(
      openssl(
        'verify',
        '-purpose',
        'sslclient',
        '-CAfile',
        path.join(chain(), 'ca-crt.pem'),
        path.join(dir, 'cx-client-crt.pem'),
      ),
      /: OK/,
    );
    assert.ok(r.document);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.document);
    assert.ok(doc, 'the result document is open');
    assert.equal(doc.languageId, 'markdown');
    const text = doc.getText();
    assert.equal(text.match(/```sh\n/g)?.length, r.commands.length);
    assert.match(text, /gcloud secrets add-iam-policy-binding e2e-key .*roles\/secretmanager\.secretAccessor/);
    assert.doesNotMatch(
      text,
      new RegExp(fs.readFileSync(path.join(dir, 'cx-client-passphrase.txt'), 'utf8')),
      'never shows the passphrase',
    );
  });

  it('bad input is refused with a clear message and nothing is written', async () => {
    await assert.rejects(
      run('mtls.createCxClientCertificate', {
        caCert: path.join(chain(), 'client-crt.pem'),
        caKey: path.join(chain(), 'client-key.pem'),
        folder: 'kits/bad',
      }),
      /is not a CA certificate/,
    );
    await assert.rejects(
      run('mtls.createKoreKit', {
        caCert: path.join(chain(), 'ca-crt.pem'),
        caKey: path.join(chain(), 'server-key.pem'),
        folder: 'kits/bad',
      }),
      /does not match the CA certificate/,
    );
    assert.equal(fs.existsSync(path.join(ws(), 'kits', 'bad')), false);
    await assert.rejects(
      run('mtls.createKoreKit', { caCert: path.join(chain(), 'ca-crt.pem'), folder: 'kits/kore' }),
      /already exists.*nothing was written/,
    );
  });
});
