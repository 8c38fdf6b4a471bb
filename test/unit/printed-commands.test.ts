// The commands we print for users to copy run as printed in bash, with paths holding spaces, a quote, a colon
// and `$(…)`: the p12 check with openssl, the CX install commands (gcloud and curl stubbed as shell functions
// that record their arguments), and curl with a client certificate against the scaffolded server on 127.0.0.1.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { curlCertFile, shellQuote } from '../../src/core/shellQuote';
import { toCurl } from '../../src/core/clientConfig/equivalentCommands';
import { scaffoldServer, serverFileName } from '../../src/core/scaffold/scaffoldServer';
import { ensureBuilt, makePki, startServer, tempDir, type Pki, type RunningServer } from './support/scaffold';
import { capture } from './support/cli';

/** A folder name a shell would split, unquote, split at ':' for curl, and run a command from. */
const NASTY = "it's a: dir $(touch pwned)";

function bash(cmd: string, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile('bash', ['-c', cmd], { cwd, env: { ...process.env, ...env }, timeout: 30_000 }, (e, stdout, stderr) =>
      resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

describe('printed commands', () => {
  let dir: string;
  let pki: Pki;
  let server: RunningServer;
  let nasty: string;

  before(async () => {
    ensureBuilt();
    dir = tempDir('printed-commands');
    pki = makePki(path.join(dir, 'certs'));
    nasty = path.join(dir, NASTY);
    mkdirSync(nasty);
    copyFileSync(pki.clientCrt, path.join(nasty, 'client crt.pem'));
    copyFileSync(pki.clientKey, path.join(nasty, 'client key.pem'));
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

  it('shellQuote gives bash back every string exactly, running nothing', async () => {
    const samples = [
      'plain.pem',
      'a b',
      "it's",
      '$(touch pwned)',
      '`touch pwned`',
      'a\\b',
      'x\ny',
      '!',
      '',
      'ü x.p12',
      '*',
      '~',
      'a;b|c&d',
      '"q"',
    ];
    const r = await bash(`printf '%s\\0' ${samples.map(shellQuote).join(' ')}`, dir);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(r.out.split('\0').slice(0, -1), samples);
    assert.equal(existsSync(path.join(dir, 'pwned')), false);
  });

  it('p12: the "Check it" command names the folder, is quoted, and openssl opens the file with it', async () => {
    const ctx = capture(dir, { P12_PASS: 'pw 1' });
    const out = path.join(NASTY, 'ü x.p12');
    assert.equal(
      await main(
        ['p12', '--cert', pki.clientCrt, '--key', pki.clientKey, '--out', out, '--passphrase-env', 'P12_PASS'],
        ctx,
      ),
      0,
      ctx.stderr(),
    );
    const check = /^Check it: (.*)$/m.exec(ctx.stdout())?.[1];
    assert.ok(check, ctx.stdout());
    const r = await bash(check, dir, { P12_PASS: 'pw 1' });
    assert.equal(r.code, 0, `${check}\n${r.out}`);
    assert.match(r.out, /subject=.*CN ?= ?Google LLC/);
    assert.equal(existsSync(path.join(dir, 'pwned')), false);
  });

  it('cx-client: the install commands pass the kit files to gcloud and cat exactly as named', async () => {
    const ctx = capture(dir);
    const kit = path.join(NASTY, 'cx kit');
    assert.equal(
      await main(
        [
          'cx-client',
          '--ca-cert',
          pki.caCrt,
          '--ca-key',
          path.join(pki.dir, 'ca-key.pem'),
          '--out',
          kit,
          '--project',
          'my-project-1',
        ],
        ctx,
      ),
      0,
      ctx.stderr(),
    );
    const text = ctx.stdout();
    const commands = text
      .slice(text.indexOf('Install it on the agent'))
      .split('\n')
      .slice(1)
      .filter((l) => l.startsWith('  '))
      .map((l) => l.trim());
    assert.equal(commands.length, 6, text);
    // gcloud prints its arguments one per line; curl keeps what it was piped.
    const stubs = [
      'gcloud() { if [ "$1" = projects ]; then echo 123; else printf "%s\\n" "$@" >> gcloud-args.txt; fi; }',
      'curl() { cat > patch-body.json; }',
    ].join('\n');
    const r = await bash(`${stubs}\nset -e\n${commands.join('\n')}`, dir);
    assert.equal(r.code, 0, `${commands.join('\n')}\n${r.out}`);
    const args = readFileSync(path.join(dir, 'gcloud-args.txt'), 'utf8').split('\n');
    assert.ok(args.includes(`--data-file=${path.join(kit, 'cx-client-key.pem')}`), args.join('\n'));
    assert.ok(args.includes(`--data-file=${path.join(kit, 'cx-client-passphrase.txt')}`), args.join('\n'));
    const body = JSON.parse(readFileSync(path.join(dir, 'patch-body.json'), 'utf8')) as {
      clientCertificateSettings: { privateKey: string };
    };
    assert.equal(body.clientCertificateSettings.privateKey, 'projects/my-project-1/secrets/cx-client-key/versions/1');
    assert.equal(existsSync(path.join(dir, 'pwned')), false);
  });

  it('curl: a --cert path with a colon, a quote and spaces reaches the server as one file (export-config --for curl)', async () => {
    const ctx = capture(dir);
    const files = [
      '--cert',
      path.join(NASTY, 'client crt.pem'),
      '--key',
      path.join(NASTY, 'client key.pem'),
      '--ca',
      path.relative(dir, pki.caCrt),
    ];
    assert.equal(
      await main(['export-config', '--for', 'curl', ...files, '--url', `${server.url}/webhook`], ctx),
      0,
      ctx.stderr(),
    );
    const cmd = ctx.stdout().trim();
    const r = await bash(cmd, dir);
    assert.equal(r.code, 0, `${cmd}\n${r.out}`);
    assert.match(r.out, /HTTP 200/);
    assert.ok(cmd.includes(`--cert ${shellQuote(curlCertFile(`${NASTY}/client crt.pem`))}`), cmd);
    assert.equal(existsSync(path.join(dir, 'pwned')), false);
  });

  it('curl: a PKCS#12 --cert with a colon in its path and the passphrase from the environment (send --print-commands)', async () => {
    const ctx = capture(dir, { P12_PASS: 'pw:2' });
    const p12 = path.join(nasty, 'v2:client.p12');
    assert.equal(
      await main(
        ['p12', '--cert', pki.clientCrt, '--key', pki.clientKey, '--out', p12, '--passphrase-env', 'P12_PASS'],
        ctx,
      ),
      0,
      ctx.stderr(),
    );
    const cmd = toCurl({
      url: `${server.url}/webhook`,
      body: '{"text":"hi"}',
      pfxFile: path.relative(dir, p12),
      passphrase: 'unused',
      passphraseEnv: 'P12_PASS',
      caFile: path.relative(dir, pki.caCrt),
    });
    const r = await bash(cmd, dir, { P12_PASS: 'pw:2' });
    assert.equal(r.code, 0, `${cmd}\n${r.out}`);
    assert.match(r.out, /HTTP 200/);
    assert.ok(cmd.includes(`--cert ${shellQuote(curlCertFile(path.relative(dir, p12)))}:"$P12_PASS"`), cmd);
  });

  it('curlCertFile escapes ":" and "\\" the way curl reads them back', async () => {
    assert.equal(curlCertFile('v2:certs/c.pem'), 'v2\\:certs/c.pem');
    assert.equal(curlCertFile('a\\b'), 'a\\\\b');
    assert.equal(curlCertFile('plain.pem'), 'plain.pem');
    // curl reports the file it could not open: the name comes back whole, backslash and colon included.
    const r = await bash(
      `curl -sS --cert ${shellQuote(curlCertFile('no\\such:file.pem'))} https://127.0.0.1:${server.port}/ -o /dev/null`,
      dir,
    );
    assert.match(r.out, /no\\such:file\.pem/);
  });
});
