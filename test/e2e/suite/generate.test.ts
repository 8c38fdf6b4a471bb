import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { GenerateResult } from '../../../src/extension/commands/shared/writeGenerated';
import type { TrustBundleResult } from '../../../src/extension/commands/generate/createTrustBundle';
import type { MtlsWorkbenchApi } from '../../../src/extension/extension';
import { ws, run, until } from './support';

const openssl = (...args: string[]) =>
  execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const mode = (f: string) => (fs.statSync(f).mode & 0o777).toString(8);

describe('generate commands (driven by argument objects)', () => {
  const dir = () => path.join(ws(), 'gen', 'chain');

  it('mtls.generateChain writes a chain that openssl verifies, keys 0600, and the tree shows it', async () => {
    const r = await vscode.commands.executeCommand<GenerateResult>('mtls.generateChain', {
      folder: 'gen/chain',
      keyType: 'ec256',
      serverSans: 'DNS:localhost,IP:127.0.0.1',
      clientCn: 'e2e-client',
      gitignore: true,
    });
    const names = r.files.map((f) => path.basename(f)).sort();
    assert.deepEqual(
      names,
      [
        'ca-crt.pem',
        'ca-intermediate-crt.pem',
        'ca-intermediate-key.pem',
        'ca-root-crt.pem',
        'ca-root-key.pem',
        'client-crt.pem',
        'client-fullchain.pem',
        'client-key.pem',
        'server-crt.pem',
        'server-fullchain.pem',
        'server-key.pem',
      ].sort(),
    );
    const p = (n: string) => path.join(dir(), n);
    for (const leaf of ['server-crt.pem', 'client-crt.pem']) {
      assert.match(
        openssl('verify', '-CAfile', p('ca-root-crt.pem'), '-untrusted', p('ca-intermediate-crt.pem'), p(leaf)),
        /: OK/,
      );
    }
    assert.match(openssl('x509', '-in', p('client-crt.pem'), '-noout', '-subject'), /CN\s*=\s*e2e-client$/m);
    for (const k of ['ca-root-key.pem', 'ca-intermediate-key.pem', 'server-key.pem', 'client-key.pem'])
      assert.equal(mode(p(k)), '600', k);
    assert.equal(mode(p('server-crt.pem')), '644');
    assert.match(fs.readFileSync(path.join(ws(), '.gitignore'), 'utf8'), /^\*-key\.pem$/m);
    const api = (await vscode.extensions.getExtension('mtls-workbench.mtls-workbench')!.activate()) as MtlsWorkbenchApi;
    await until(
      'the tree to list gen/chain with 11 files',
      async () =>
        (await api.certificateFolders()).some((f) => f.label === 'gen/chain' && f.files.length === 11)
          ? true
          : undefined,
      10_000,
    );
  });

  it('refuses to overwrite existing keys unless told, and loses nothing', async () => {
    const keyFile = path.join(dir(), 'server-key.pem');
    const before = fs.readFileSync(keyFile);
    await assert.rejects(
      run('mtls.generateChain', { folder: 'gen/chain', keyType: 'ec256' }),
      /already exist.*Nothing was written/s,
    );
    assert.deepEqual(fs.readFileSync(keyFile), before);
    await vscode.commands.executeCommand('mtls.generateChain', {
      folder: 'gen/chain',
      keyType: 'ec256',
      overwrite: true,
    });
    assert.notDeepEqual(fs.readFileSync(keyFile), before);
  });

  it('mtls.generateClient signs a new client certificate with the intermediate CA', async () => {
    const r = await vscode.commands.executeCommand<GenerateResult>('mtls.generateClient', {
      caCert: path.join(dir(), 'ca-intermediate-crt.pem'),
      cn: 'bot-client',
      namePrefix: 'bot',
      keyType: 'rsa2048',
    });
    assert.ok(r.files.some((f) => f.endsWith('bot-crt.pem')));
    assert.match(
      openssl(
        'verify',
        '-CAfile',
        path.join(dir(), 'ca-root-crt.pem'),
        '-untrusted',
        path.join(dir(), 'ca-intermediate-crt.pem'),
        path.join(dir(), 'bot-crt.pem'),
      ),
      /: OK/,
    );
    assert.match(
      openssl('x509', '-in', path.join(dir(), 'bot-crt.pem'), '-noout', '-ext', 'extendedKeyUsage'),
      /TLS Web Client Authentication/,
    );
  });

  it('mtls.exportPkcs12 writes a .p12 that openssl reads with the passphrase (and not without)', async () => {
    const r = await vscode.commands.executeCommand<GenerateResult>('mtls.exportPkcs12', {
      cert: path.join(dir(), 'bot-crt.pem'),
      passphrase: 'e2e-secret',
    });
    const p12 = r.files[0];
    assert.equal(path.basename(p12), 'bot.p12');
    assert.equal(mode(p12), '600');
    assert.match(
      openssl('pkcs12', '-in', p12, '-info', '-nokeys', '-passin', 'pass:e2e-secret'),
      /subject=.*CN\s*=\s*bot-client$/m,
    );
    assert.throws(() => openssl('pkcs12', '-in', p12, '-info', '-nokeys', '-passin', 'pass:wrong'));
  });

  it("relative path arguments are the workspace's, never the extension host's working directory", async () => {
    // The CA's key is found next to a relative caCert, and every file lands in the workspace.
    const client = await vscode.commands.executeCommand<GenerateResult>('mtls.generateClient', {
      caCert: 'gen/chain/ca-intermediate-crt.pem',
      cn: 'rel-client',
      namePrefix: 'rel',
      keyType: 'ec256',
      folder: 'gen/relative',
    });
    assert.deepEqual(client.files.map((f) => path.relative(ws(), f)).sort(), [
      'gen/relative/rel-crt.pem',
      'gen/relative/rel-fullchain.pem',
      'gen/relative/rel-key.pem',
    ]);
    const p12 = await vscode.commands.executeCommand<GenerateResult>('mtls.exportPkcs12', {
      cert: 'gen/relative/rel-crt.pem',
      passphrase: 'rel-secret',
      out: 'gen/relative/out/rel.p12',
    });
    assert.deepEqual(
      p12.files.map((f) => path.relative(ws(), f)),
      ['gen/relative/out/rel.p12'],
    );
    assert.match(
      openssl('pkcs12', '-in', p12.files[0], '-info', '-nokeys', '-passin', 'pass:rel-secret'),
      /CN\s*=\s*rel-client$/m,
    );
    const der = await vscode.commands.executeCommand<GenerateResult>('mtls.exportDer', {
      caCert: 'gen/chain/ca-root-crt.pem',
      out: 'gen/relative/out/root.der',
    });
    assert.deepEqual(
      der.files.map((f) => path.relative(ws(), f)),
      ['gen/relative/out/root.der'],
    );
    for (const f of ['gen', 'rel-crt.pem', 'root.der'])
      assert.ok(
        process.cwd() === ws() || !fs.existsSync(path.join(process.cwd(), f)),
        `nothing written to ${process.cwd()}`,
      );
  });

  it('mtls.createTrustBundle writes the Dialogflow roots, pinned by fingerprint', async () => {
    const r = await vscode.commands.executeCommand<TrustBundleResult>('mtls.createTrustBundle', {
      platform: 'dialogflow',
      folder: 'gen/trust',
    });
    const pem = fs.readFileSync(r.files[0], 'utf8');
    const fps = (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
      (c) =>
        execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: c, encoding: 'utf8' })
          .trim()
          .split('=')[1],
    );
    assert.ok(
      fps.includes('85:66:6A:56:2E:E0:BE:5C:E9:25:C1:D8:89:0A:6F:76:A8:7E:C1:6D:4D:7D:5F:29:EA:74:19:CF:20:12:3B:69'),
      'SSL.com RSA root present',
    );
    assert.deepEqual(fps.sort(), r.roots.map((x) => x.sha256).sort());
    assert.ok(
      r.allowedClients?.includes('Google LLC'),
      'the result names the pin server.mts insists on with this public root',
    );
  });

  it('mtls.exportDer writes DER and flags a host missing from the server certificate SAN', async () => {
    const ok = await vscode.commands.executeCommand<GenerateResult & { problems: string[] }>('mtls.exportDer', {
      caCert: path.join(dir(), 'ca-root-crt.pem'),
      serverCert: path.join(dir(), 'server-fullchain.pem'),
      host: 'localhost',
    });
    assert.deepEqual(ok.problems, []);
    assert.match(openssl('x509', '-inform', 'DER', '-in', ok.files[0], '-noout', '-subject'), /Root/i);
    const bad = await vscode.commands.executeCommand<GenerateResult & { problems: string[] }>('mtls.exportDer', {
      caCert: path.join(dir(), 'ca-root-crt.pem'),
      serverCert: path.join(dir(), 'server-fullchain.pem'),
      host: 'webhook.example.com',
      overwrite: true,
    });
    assert.ok(
      bad.problems.some((p) => /webhook\.example\.com/.test(p)),
      bad.problems.join(' | '),
    );
  });

  it('bad input gets a specific error and writes nothing', async () => {
    await assert.rejects(run('mtls.generateSelfSigned', { folder: 'gen/bad', keyType: 'dsa1024' }), /key type/i);
    await assert.rejects(
      run('mtls.generateSelfSigned', { folder: 'gen/bad', sans: 'DNS:ok,IP:999.1.1.1' }),
      /999\.1\.1\.1/,
    );
    assert.equal(fs.existsSync(path.join(ws(), 'gen', 'bad')), false);
  });
});
