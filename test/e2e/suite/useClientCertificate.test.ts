import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'jsonc-parser';
import type { RunningServer } from '../../../src/extension/server/serverManager';
import type { UseClientCertificateResult } from '../../../src/extension/commands/config/useClientCertificateIn';
import { ws, run, freePort, api } from './support';

describe('Use Client Certificate In… (REST Client settings, curl against a server started by the extension)', () => {
  let server: RunningServer;
  const settingsFile = () => path.join(ws(), '.vscode', 'settings.json');
  const certs = (f: string) => path.join(ws(), 'use', 'certs', f);

  before(async () => {
    await run('mtls.generateChain', { folder: 'use/certs', keyType: 'ec256', overwrite: true, gitignore: false });
    await run('mtls.scaffoldServer', { folder: 'use', overwrite: true, open: false });
    server = await run<RunningServer>('mtls.startServer', {
      file: path.join(ws(), 'use', 'server.mts'),
      port: await freePort(),
    });
  });
  after(async () => {
    await run('mtls.stopServer', { file: path.join(ws(), 'use', 'server.mts') });
  });

  it('rest-client: merges the host entry into settings.json, keeping comments and settings; the paths exist', async () => {
    const hadSettings = existsSync(settingsFile()) ? readFileSync(settingsFile(), 'utf8') : undefined;
    mkdirSync(path.dirname(settingsFile()), { recursive: true });
    const base = hadSettings && hadSettings.trim() !== '' ? hadSettings : '{\n}\n';
    // A comment and a setting of the user's, added as text.
    writeFileSync(
      settingsFile(),
      base.replace('{', '{\n  // the team\'s setting, keep it\n  "mtls.testMarker": "kept",'),
    );
    try {
      const r = await run<UseClientCertificateResult>('mtls.useClientCertificateIn', {
        for: 'rest-client',
        cert: certs('client-crt.pem'),
        url: `https://localhost:${server.port}/`,
      });
      const text = readFileSync(settingsFile(), 'utf8');
      assert.match(text, /\/\/ the team's setting, keep it/);
      const s = parse(text) as Record<string, unknown>;
      assert.equal(s['mtls.testMarker'], 'kept');
      const entry = (s['rest-client.certificates'] as Record<string, { cert: string; key: string }>)[
        `localhost:${server.port}`
      ];
      assert.ok(
        existsSync(path.resolve(ws(), entry.cert)) && existsSync(path.resolve(ws(), entry.key)),
        JSON.stringify(entry),
      );
      assert.equal(path.resolve(ws(), entry.key), certs('client-key.pem'), 'the key next to the certificate was found');
      assert.ok(r.written.some((f) => f.endsWith('mtls-webhook.http')));
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, path.join(ws(), 'mtls-webhook.http'));
    } finally {
      if (hadSettings === undefined) writeFileSync(settingsFile(), '{}\n');
      else writeFileSync(settingsFile(), hadSettings);
    }
  });

  it('curl: the command it gives, run for real, gets 200 from the server with verification on', async () => {
    const r = await run<UseClientCertificateResult>('mtls.useClientCertificateIn', {
      for: 'curl',
      cert: certs('client-crt.pem'),
      url: `https://localhost:${server.port}/`,
      open: false,
    });
    assert.match(r.text, /--cacert use\/certs\/ca-root-crt\.pem/);
    assert.doesNotMatch(r.text, /(^|\s)(-k|--insecure)(\s|$)/);
    const out = await new Promise<string>((resolve) =>
      execFile('sh', ['-c', r.text], { cwd: ws(), timeout: 20_000 }, (_e, stdout, stderr) =>
        resolve(`${stdout}${stderr}`),
      ),
    );
    assert.match(out, /HTTP 200/, out);
  });

  it('is offered on a client certificate in the Certificates view (menu when-clause matches its context value)', async () => {
    const pkg = vscode.extensions.getExtension('mtls-workbench.mtls-workbench')!.packageJSON as {
      contributes: { menus: Record<string, { command: string; when: string }[]> };
    };
    const when = pkg.contributes.menus['view/item/context'].find(
      (m) => m.command === 'mtls.useClientCertificateIn',
    )!.when;
    const re = new RegExp(/viewItem =~ \/(.*)\/$/.exec(when)![1]);
    // The real tree rows: the client leaf gets the menu, the root CA does not.
    const client = await (await api()).treeUnder(certs('client-crt.pem'));
    const root = await (await api()).treeUnder(certs('ca-root-crt.pem'));
    assert.ok(re.test(client[0].contextValue ?? ''), client[0].contextValue);
    assert.ok(!re.test(root[0].contextValue ?? ''), root[0].contextValue);
    // The key next to the certificate is found without being given; httpie verifies with the dev root.
    const r = await run<UseClientCertificateResult>('mtls.useClientCertificateIn', {
      for: 'httpie',
      cert: certs('client-crt.pem'),
      url: `https://localhost:${server.port}/`,
      open: false,
    });
    assert.match(r.text, /--cert-key=use\/certs\/client-key\.pem --verify=use\/certs\/ca-root-crt\.pem/);
  });
});
