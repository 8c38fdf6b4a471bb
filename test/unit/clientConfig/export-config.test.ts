// mtls export-config: REST Client settings merged into a real settings.json (comments kept), and the
// printed curl command and Node snippet run for real against the scaffolded server on 127.0.0.1.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'jsonc-parser';
import { main } from '../../../src/cli/main';
import { mergeRestClientSettings } from '../../../src/core/clientConfig/index';
import { scaffoldServer, serverFileName } from '../../../src/core/scaffold/scaffoldServer';
import { ensureBuilt, makePki, startServer, tempDir, type Pki, type RunningServer } from '../support/scaffold';
import { capture } from '../support/cli';

function sh(cmd: string, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile('sh', ['-c', cmd], { cwd, env: { ...process.env, ...env }, timeout: 30_000 }, (e, stdout, stderr) =>
      resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

describe('mtls export-config', () => {
  let dir: string;
  let pki: Pki;
  let server: RunningServer;
  const rel = (f: string): string => path.relative(dir, f);
  const files = (): string[] => ['--cert', rel(pki.clientCrt), '--key', rel(pki.clientKey), '--ca', rel(pki.caCrt)];

  before(async () => {
    ensureBuilt();
    dir = tempDir('export-config');
    pki = makePki(path.join(dir, 'certs'));
    await scaffoldServer(dir);
    server = await startServer(path.join(dir, serverFileName), {
      MTLS_KEY: pki.serverKey,
      MTLS_CERT: pki.serverCrt,
      MTLS_CA: pki.caCrt,
    });
  });
  after(() => {
    server?.proc.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('rest-client: a host:port entry whose cert and key paths exist, and a .http file with the sample request', async () => {
    const ws = path.join(dir, 'ws1');
    mkdirSync(ws);
    const ctx = capture(dir);
    const code = await main(
      ['export-config', '--for', 'rest-client', ...files(), '--url', `${server.url}/webhook`, '--workspace', 'ws1'],
      ctx,
    );
    assert.equal(code, 0, ctx.stderr());
    const settings = parse(readFileSync(path.join(ws, '.vscode', 'settings.json'), 'utf8')) as Record<
      string,
      Record<string, { cert: string; key: string }>
    >;
    const entry = settings['rest-client.certificates']?.[`127.0.0.1:${server.port}`];
    assert.ok(entry, JSON.stringify(settings));
    assert.deepEqual(Object.keys(entry).sort(), ['cert', 'key']);
    assert.ok(
      existsSync(path.resolve(ws, entry.cert)) && existsSync(path.resolve(ws, entry.key)),
      JSON.stringify(entry),
    );
    assert.equal(path.resolve(ws, entry.cert), pki.clientCrt);
    const http = readFileSync(path.join(ws, 'mtls-webhook.http'), 'utf8');
    assert.match(http, new RegExp(`^POST ${server.url.replace(/[.]/g, '\\.')}/webhook$`, 'm'));
    assert.match(http, /"detectIntentResponseId"/);
    assert.match(ctx.stderr(), /REST Client does not verify server certificates/);
  });

  it('rest-client: merging into an existing settings.json keeps its settings, other hosts and comments', async () => {
    const ws = path.join(dir, 'ws2');
    mkdirSync(path.join(ws, '.vscode'), { recursive: true });
    const before = [
      '// Team settings: keep this comment',
      '{',
      '    "editor.tabSize": 4, // and this one',
      '    /* block comment */',
      '    "rest-client.certificates": {',
      '        "api.example.com:443": { "cert": "/etc/other.pem", "key": "/etc/other-key.pem" },',
      '    },',
      '    "files.eol": "\\n",',
      '}',
      '',
    ].join('\n');
    writeFileSync(path.join(ws, '.vscode', 'settings.json'), before);
    writeFileSync(path.join(ws, 'mtls-webhook.http'), '# my own requests\n');
    const ctx = capture(dir);
    assert.equal(
      await main(
        ['export-config', '--for', 'rest-client', ...files(), '--url', `${server.url}/`, '--workspace', 'ws2'],
        ctx,
      ),
      0,
      ctx.stderr(),
    );
    const after = readFileSync(path.join(ws, '.vscode', 'settings.json'), 'utf8');
    for (const kept of ['// Team settings: keep this comment', '// and this one', '/* block comment */'])
      assert.ok(after.includes(kept), `${kept} in:\n${after}`);
    const s = parse(after) as Record<string, unknown>;
    assert.equal(s['editor.tabSize'], 4);
    assert.equal(s['files.eol'], '\n');
    const certs = s['rest-client.certificates'] as Record<string, unknown>;
    assert.deepEqual(certs['api.example.com:443'], { cert: '/etc/other.pem', key: '/etc/other-key.pem' });
    assert.ok(certs[`127.0.0.1:${server.port}`]);
    assert.match(after, /\n {12}"cert"/, "the file's 4-space indent is kept");
    // The user's own .http file is not replaced without --force.
    assert.equal(readFileSync(path.join(ws, 'mtls-webhook.http'), 'utf8'), '# my own requests\n');
    assert.match(ctx.stdout(), /left as is/);
    // Running it again changes nothing.
    assert.equal(
      await main(
        ['export-config', '--for', 'rest-client', ...files(), '--url', `${server.url}/`, '--workspace', 'ws2'],
        capture(dir),
      ),
      0,
    );
    assert.equal(readFileSync(path.join(ws, '.vscode', 'settings.json'), 'utf8'), after);
  });

  it('a settings.json that is not JSON is reported in one line and left untouched', async () => {
    const broken = '{ "a": 1,, }';
    assert.throws(
      () => mergeRestClientSettings(broken, 'h:1', { cert: 'c', key: 'k' }),
      /not valid JSON .* line 1.*nothing was changed/,
    );
    const ws = path.join(dir, 'ws3');
    mkdirSync(path.join(ws, '.vscode'), { recursive: true });
    writeFileSync(path.join(ws, '.vscode', 'settings.json'), broken);
    const ctx = capture(dir);
    assert.equal(await main(['export-config', '--for', 'rest-client', ...files(), '--workspace', 'ws3'], ctx), 1);
    assert.equal(readFileSync(path.join(ws, '.vscode', 'settings.json'), 'utf8'), broken);
    assert.equal(ctx.stderr().trim().split('\n').length, 1, ctx.stderr());
  });

  it('curl: the printed command, run for real against the scaffolded server, gets 200 with verification on', async () => {
    const ctx = capture(dir);
    assert.equal(
      await main(['export-config', '--for', 'curl', ...files(), '--url', `${server.url}/webhook`], ctx),
      0,
      ctx.stderr(),
    );
    const cmd = ctx.stdout().trim();
    assert.match(cmd, /--cacert certs\/ca-crt\.pem/);
    assert.doesNotMatch(cmd, /(^|\s)(-k|--insecure)(\s|$)/);
    const r = await sh(cmd, dir);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /HTTP 200/);
    assert.match(r.out, /fulfillmentResponse/);
  });

  it('node: the snippet runs for real and gets 200; NODE_EXTRA_CA_CERTS names the dev root', async () => {
    const ctx = capture(dir);
    assert.equal(
      await main(['export-config', '--for', 'node', ...files(), '--url', `${server.url}/webhook`], ctx),
      0,
      ctx.stderr(),
    );
    const text = ctx.stdout();
    assert.match(text, /^export NODE_EXTRA_CA_CERTS=certs\/ca-crt\.pem$/m);
    const snippet = text.slice(text.indexOf('// call-webhook.mjs'));
    writeFileSync(path.join(dir, 'call-webhook.mjs'), snippet);
    const r = await sh(`${JSON.stringify(process.execPath)} call-webhook.mjs`, dir);
    assert.match(r.out, /^200 .*fulfillmentResponse/, r.out);
  });

  it('an encrypted key: commands read the passphrase from the environment, never inline', async () => {
    const encKey = path.join(pki.dir, 'client-key-enc.pem');
    await sh(
      `openssl pkey -in ${JSON.stringify(pki.clientKey)} -aes256 -passout pass:s3cret-pass -out ${JSON.stringify(encKey)}`,
      dir,
    );
    for (const target of ['curl', 'httpie', 'node', 'postman']) {
      const ctx = capture(dir);
      assert.equal(
        await main(
          [
            'export-config',
            '--for',
            target,
            '--cert',
            rel(pki.clientCrt),
            '--key',
            rel(encKey),
            '--ca',
            rel(pki.caCrt),
            '--url',
            `${server.url}/webhook`,
          ],
          ctx,
        ),
        0,
        ctx.stderr(),
      );
      assert.doesNotMatch(ctx.stdout() + ctx.stderr(), /s3cret-pass/);
      assert.match(ctx.stderr(), /never written/);
      if (target === 'curl') {
        assert.match(ctx.stdout(), /--pass "\$MTLS_KEY_PASSPHRASE"/);
        const r = await sh(ctx.stdout().trim(), dir, { MTLS_KEY_PASSPHRASE: 's3cret-pass' });
        assert.match(r.out, /HTTP 200/, r.out);
      }
      if (target === 'httpie')
        assert.match(ctx.stdout(), /--cert-key-pass="\$MTLS_KEY_PASSPHRASE" --verify=certs\/ca-crt\.pem/);
      if (target === 'node') assert.match(ctx.stdout(), /passphrase: process\.env\.MTLS_KEY_PASSPHRASE/);
    }
  });

  it('a key that does not belong to the certificate: one line, exit 1, nothing written', async () => {
    const ws = path.join(dir, 'ws4');
    mkdirSync(ws);
    const ctx = capture(dir);
    assert.equal(
      await main(
        [
          'export-config',
          '--for',
          'rest-client',
          '--cert',
          rel(pki.clientCrt),
          '--key',
          rel(pki.otherClientKey),
          '--workspace',
          'ws4',
        ],
        ctx,
      ),
      1,
    );
    assert.match(ctx.stderr(), /is not the key of/);
    assert.equal(existsSync(path.join(ws, '.vscode')), false);
  });
});
