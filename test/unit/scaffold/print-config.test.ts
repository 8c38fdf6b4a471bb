// The settings every consumer (mtls serve, mtls check, preflight, VS Code) works with are the ones the user's
// server.mts computes: the file is run with --print-config (a real child process through planLaunch) and
// nothing parses its source. A computed CONFIG value, every MTLS_* override, the secret for the readiness
// check's own request, and the failures (a config error, a crash, a file that never answers, a single-file
// server.ts) are checked here against the real machinery in mtls-server/.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { configuredAuthorization, readServerConfig } from '../../../src/core/scaffold/serverConfig';
import { LegacyServerError, resolveServerFile, serverFileIn } from '../../../src/core/scaffold/serverLocation';
import { ServerStartError } from '../../../src/core/scaffold/serverStartup';
import { templateVersion } from '../../../src/core/scaffold/template/changelog';
import { MtlsError } from '../../../src/core/errors';
import { main } from '../../../src/cli/main';
import { ensureBuilt, loaderPath, makePki, repoRoot, runCommand, tempDir, type Pki } from '../support/scaffold';
import { ownedWorkspace } from './owned-workspace';

/** A user's file whose CONFIG computes its values, as a person writes them (nothing a regex could read). */
const computedServer = `import { startWebhookServer, cxReply, type CxHandler } from './mtls-server/index.mts';

const base = 4000;
// ---- mtls-config ----
const CONFIG = {
  port: Number(process.env.MY_PORT ?? base + 433),
  requestTimeoutMs: Number(process.env.MY_TIMEOUT ?? 2500),
  bodyLimitBytes: 64 * 1024,
  auth: ['Bearer', 'from-config'].join(' '),
  webhookPaths: ['/hook'],
};
// ---- end mtls-config ----

const cxHandlers: Record<string, CxHandler> = { hello: () => cxReply('hi') };

startWebhookServer({ config: CONFIG, cx: { handlers: cxHandlers }, routes: { 'GET /status': () => ({ status: 'ok' }) } });
`;

/** Every setting and the environment variable that overrides it, with a value that differs from CONFIG's. */
function overrides(dir: string): {
  variable: string;
  value: string;
  read: (c: Awaited<ReturnType<typeof readServerConfig>>) => unknown;
  expected: unknown;
}[] {
  const f = (n: string): string => path.join(dir, 'elsewhere', n);
  return [
    { variable: 'MTLS_KEY', value: f('k.pem'), read: (c) => c.keyPath, expected: f('k.pem') },
    { variable: 'MTLS_CERT', value: f('c.pem'), read: (c) => c.certPath, expected: f('c.pem') },
    { variable: 'MTLS_CA', value: f('ca.pem'), read: (c) => c.caPath, expected: f('ca.pem') },
    { variable: 'MTLS_HOST', value: '0.0.0.0', read: (c) => c.host, expected: '0.0.0.0' },
    { variable: 'MTLS_PORT', value: '5001', read: (c) => c.port, expected: 5001 },
    {
      variable: 'MTLS_ALLOWED_CLIENTS',
      value: 'Google LLC, O=Acme',
      read: (c) => c.allowedClients,
      expected: ['Google LLC', 'O=Acme'],
    },
    { variable: 'MTLS_ACCEPT_ANY_PUBLIC_CLIENT', value: 'yes', read: (c) => c.acceptAnyPublicClient, expected: true },
    {
      variable: 'MTLS_AUTH',
      value: 'Basic user:pw',
      read: (c) => [c.authMode, c.authHasSecret],
      expected: ['basic', true],
    },
    {
      variable: 'MTLS_ID_TOKEN_AUDIENCE',
      value: 'https://hook.example/webhook',
      read: (c) => c.idTokenAudience,
      expected: 'https://hook.example/webhook',
    },
    {
      variable: 'MTLS_ID_TOKEN_EMAIL',
      value: 'sa@example.com',
      read: (c) => c.idTokenEmail,
      expected: 'sa@example.com',
    },
    { variable: 'MTLS_ID_TOKEN_SUBJECT', value: '1234567890', read: (c) => c.idTokenSubject, expected: '1234567890' },
    {
      variable: 'MTLS_GOOGLE_JWKS_URL',
      value: 'http://127.0.0.1:9/jwks',
      read: (c) => c.idTokenJwks,
      expected: 'http://127.0.0.1:9/jwks',
    },
    { variable: 'MTLS_WEBHOOK_PATHS', value: '/a, /b', read: (c) => c.webhookPaths, expected: ['/a', '/b'] },
    { variable: 'MTLS_BODY_LIMIT_BYTES', value: '777', read: (c) => c.bodyLimitBytes, expected: 777 },
    { variable: 'MTLS_REQUEST_TIMEOUT_MS', value: '1234', read: (c) => c.requestTimeoutMs, expected: 1234 },
    { variable: 'MTLS_HANDSHAKE_TIMEOUT_MS', value: '4321', read: (c) => c.handshakeTimeoutMs, expected: 4321 },
    { variable: 'MTLS_MAX_CONNECTIONS', value: '9', read: (c) => c.maxConnections, expected: 9 },
    { variable: 'MTLS_MAX_HANDSHAKES', value: '7', read: (c) => c.maxHandshakes, expected: 7 },
    { variable: 'MTLS_MAX_HANDSHAKES_PER_ADDRESS', value: '3', read: (c) => c.maxHandshakesPerAddress, expected: 3 },
    { variable: 'MTLS_CLIENT_HELLO_TIMEOUT_MS', value: '1200', read: (c) => c.clientHelloTimeoutMs, expected: 1200 },
    { variable: 'MTLS_KEY_PASSPHRASE', value: 'correct horse', read: (c) => c.passphrase, expected: 'correct horse' },
    { variable: 'MTLS_EDGE', value: 'nginx', read: (c) => c.edge, expected: 'nginx' },
    {
      variable: 'MTLS_EDGE_TRUSTED',
      value: '127.0.0.3, 10.0.0.0/8',
      read: (c) => c.edgeTrusted,
      expected: ['127.0.0.3', '10.0.0.0/8'],
    },
    { variable: 'MTLS_EDGE_LISTEN', value: 'https', read: (c) => c.edgeListen, expected: 'https' },
    { variable: 'MTLS_EDGE_SECRET', value: 'edge s3cret', read: (c) => c.edgeSecretSet, expected: true },
  ];
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const read = { loaderPath } as const;

describe('the settings are the ones server.mts computes (--print-config)', () => {
  let dir: string;
  let pki: Pki;
  let file: string;

  before(() => {
    ensureBuilt();
    dir = tempDir('print-config');
    pki = makePki(path.join(dir, 'pki'));
    file = ownedWorkspace(path.join(dir, 'app'), computedServer);
    // The default certificate names, as mtls chain writes them.
    mkdirSync(path.join(dir, 'app', 'certs'));
    copyFileSync(pki.serverKey, path.join(dir, 'app', 'certs', 'server-key.pem'));
    copyFileSync(pki.serverCrt, path.join(dir, 'app', 'certs', 'server-crt.pem'));
    copyFileSync(pki.caCrt, path.join(dir, 'app', 'certs', 'ca-crt.pem'));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads a computed CONFIG value as the server computes it: 2500, and 3000 with MY_TIMEOUT=3000', async () => {
    const plain = await readServerConfig(file, { PATH: process.env['PATH'] }, read);
    assert.equal(plain.requestTimeoutMs, 2500);
    assert.equal(plain.port, 4433, 'base + 433');
    assert.equal(plain.bodyLimitBytes, 65536);
    assert.deepEqual(plain.webhookPaths, ['/hook']);
    assert.equal(plain.authMode, 'bearer');
    assert.deepEqual(plain.platforms, ['cx']);
    assert.deepEqual(plain.routes, ['GET /status']);
    assert.equal(plain.serverFile, file);
    assert.equal(
      plain.certPath,
      path.join(dir, 'app', 'certs', 'server-crt.pem'),
      'server-fullchain.pem is absent, so server-crt.pem',
    );
    assert.equal(plain.templateVersion, templateVersion);
    // The handshake budget's defaults.
    assert.deepEqual(
      [plain.maxConnections, plain.maxHandshakes, plain.maxHandshakesPerAddress, plain.clientHelloTimeoutMs],
      [256, 128, 32, 3000],
    );
    const computed = await readServerConfig(file, { PATH: process.env['PATH'], MY_TIMEOUT: '3000' }, read);
    assert.equal(computed.requestTimeoutMs, 3000);
  });

  it('mtls serve --print-config prints them on this Node (Node 20 included, through the loader) and starts nothing', async () => {
    const r = await runCommand(
      process.execPath,
      [path.join(repoRoot, 'dist', 'cli.js'), 'serve', file, '--print-config'],
      { PATH: process.env['PATH'], MY_TIMEOUT: '3100' },
    );
    assert.equal(r.code, 0, r.output);
    const printed = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as {
      requestTimeoutMs: number;
      port: number;
      file: string;
    };
    assert.equal(printed.requestTimeoutMs, 3100);
    assert.equal(printed.port, 4433);
    assert.equal(printed.file, file);
  });

  it('every setting has its MTLS_* override, and each one reaches the settings read', async () => {
    const cases = overrides(dir);
    const plain = await readServerConfig(file, { PATH: process.env['PATH'] }, read);
    const env: Record<string, string | undefined> = { PATH: process.env['PATH'] };
    for (const c of cases) env[c.variable] = c.value;
    const overridden = await readServerConfig(file, env, read);
    for (const c of cases) {
      assert.notDeepEqual(c.read(plain), c.expected, `${c.variable}: the test value must differ from CONFIG's`);
      assert.deepEqual(c.read(overridden), c.expected, c.variable);
    }
    // The variables named in mtls serve --help are exactly these.
    const help: string[] = [];
    await main(['serve', '--help'], { out: (t) => help.push(t), err: (t) => help.push(t), env: {}, cwd: dir });
    const named = [...help.join('\n').matchAll(/\bMTLS_[A-Z_]+\b/g)].map((m) => m[0]);
    assert.deepEqual([...new Set(named)].sort(), cases.map((c) => c.variable).sort());
  });

  it('gives the readiness check the Authorization value itself: CONFIG, then MTLS_AUTH over it', async () => {
    assert.equal(await configuredAuthorization(file, { PATH: process.env['PATH'] }, read), 'Bearer from-config');
    assert.equal(
      await configuredAuthorization(file, { PATH: process.env['PATH'], MTLS_AUTH: 'Basic a:b' }, read),
      'Basic a:b',
    );
  });

  it('mtls check reports the computed port and starts the server there', async () => {
    const port = await freePort();
    const out: string[] = [];
    await main(['check', '--platform', 'cx', '--dir', path.join(dir, 'app'), '--json'], {
      out: (t) => out.push(t),
      err: (t) => out.push(t),
      env: { ...process.env, MY_PORT: String(port) },
      cwd: dir,
    });
    const report = JSON.parse(out.join('\n')) as { rows: { id: string; status: string; message: string }[] };
    const row = (id: string) => report.rows.find((r) => r.id === id);
    assert.equal(row('server-file')?.status, 'pass', JSON.stringify(report.rows));
    assert.match(
      row('server-file')?.message ?? '',
      new RegExp(`server\\.mts: serves certs/server-crt\\.pem on 127\\.0\\.0\\.1:${port},`),
    );
    assert.match(
      row('server-running')?.message ?? '',
      new RegExp(`Started server\\.mts for the check on https://127\\.0\\.0\\.1:${port}`),
    );
  });

  it("a configuration error is the server's own line: ServerStartError with its code", async () => {
    await assert.rejects(
      readServerConfig(file, { PATH: process.env['PATH'], MTLS_PORT: '70000' }, read),
      (e: unknown) => {
        assert.ok(e instanceof ServerStartError, String(e));
        assert.equal(e.serverCode, 'BAD_PORT');
        assert.match(
          e.message,
          /^server\.mts: mtls-server error \[BAD_PORT\]: MTLS_PORT="70000" is not a whole number from 0 to 65535$/,
        );
        return true;
      },
    );
  });

  it('a file that fails before answering is E_SERVER_CONFIG quoting its error, one that prints no settings says so; a missing file is ENOENT_SERVER', async () => {
    const broken = ownedWorkspace(
      path.join(dir, 'broken'),
      `import missing from 'no-such-package';\nimport { startWebhookServer } from './mtls-server/index.mts';\nstartWebhookServer({ config: { port: missing } });\n`,
    );
    await assert.rejects(readServerConfig(broken, { PATH: process.env['PATH'] }, read), (e: unknown) => {
      assert.ok(e instanceof MtlsError && e.code === 'E_SERVER_CONFIG', String(e));
      assert.match(
        e.message,
        /--print-config failed \(exit code 1\) before printing its configuration:\n[\s\S]*no-such-package/,
      );
      return true;
    });
    const silent = ownedWorkspace(path.join(dir, 'silent'), `console.log('hello from my own code');\n`);
    await assert.rejects(
      readServerConfig(silent, { PATH: process.env['PATH'] }, read),
      /--print-config printed no configuration \(it printed: hello from my own code\): does it end with startWebhookServer/,
    );
    await assert.rejects(
      readServerConfig(path.join(dir, 'nowhere', 'server.mts'), {}, read),
      (e: unknown) => e instanceof MtlsError && e.code === 'ENOENT_SERVER',
    );
  });

  it('a file that never answers is stopped at the deadline; a top-level timer does not delay the answer', async () => {
    const listening = ownedWorkspace(path.join(dir, 'listening'), `setInterval(() => {}, 1000);\n`);
    const t0 = Date.now();
    await assert.rejects(
      readServerConfig(listening, { PATH: process.env['PATH'] }, { ...read, timeoutMs: 3000 }),
      (e: unknown) =>
        e instanceof MtlsError &&
        e.code === 'E_SERVER_CONFIG_TIMEOUT' &&
        /did not print its configuration within 3 s/.test(e.message),
    );
    assert.ok(Date.now() - t0 < 10_000);
    const timer = ownedWorkspace(
      path.join(dir, 'timer'),
      computedServer.replace('const base = 4000;', 'const base = 4000;\nsetInterval(() => {}, 60_000);'),
    );
    const t1 = Date.now();
    assert.equal(
      (await readServerConfig(timer, { PATH: process.env['PATH'] }, { ...read, timeoutMs: 15_000 })).port,
      4433,
    );
    assert.ok(Date.now() - t1 < 14_000, 'answered before the deadline');
    // The server ends itself after the answer: --print-authorization is read to the end of its output.
    assert.equal(
      await configuredAuthorization(
        timer,
        { PATH: process.env['PATH'], MTLS_AUTH: 'Bearer s3cret' },
        { ...read, timeoutMs: 5000 },
      ),
      'Bearer s3cret',
    );
  });

  it('a single-file server.ts (templates 1–4) is refused with the upgrade command; server.mts is preferred', async () => {
    const legacyDir = path.join(dir, 'legacy');
    mkdirSync(legacyDir);
    copyFileSync(
      path.join(repoRoot, 'test', 'fixtures', 'server-v4', 'cx', 'server.ts'),
      path.join(legacyDir, 'server.ts'),
    );
    const legacy = path.join(legacyDir, 'server.ts');
    for (const attempt of [
      () => readServerConfig(legacy, {}, read),
      () => configuredAuthorization(legacy, {}, read),
      () => resolveServerFile(legacyDir),
    ]) {
      await assert.rejects(attempt(), (e: unknown) => {
        assert.ok(e instanceof LegacyServerError, String(e));
        assert.equal(e.version, 4);
        assert.match(
          e.message,
          /single-file server written by an earlier mTLS Workbench \(template 4\).*server\.mts.*mtls scaffold --upgrade \S*legacy\/server\.ts/,
        );
        return true;
      });
    }
    const v1 = path.join(dir, 'legacy-v1.ts');
    copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'server-v1', 'server.ts'), v1);
    await assert.rejects(
      readServerConfig(v1, {}, read),
      (e: unknown) => e instanceof LegacyServerError && e.version === 1,
    );
    assert.deepEqual(await serverFileIn(legacyDir), { file: legacy, legacy: true });
    writeFileSync(path.join(legacyDir, 'server.mts'), computedServer);
    assert.deepEqual(await serverFileIn(legacyDir), { file: path.join(legacyDir, 'server.mts'), legacy: false });
    assert.equal(await resolveServerFile(legacyDir), path.join(legacyDir, 'server.mts'));
    await assert.rejects(
      resolveServerFile(path.join(dir, 'pki')),
      /no server\.mts in .*pki: create one with mtls scaffold/,
    );
    assert.equal(await resolveServerFile(dir, 'app'), file, 'a folder names its server.mts');
  });

  it('mtls serve runs nothing for a single-file server.ts: exit 1 with the conversion command', async () => {
    const legacyDir = path.join(dir, 'serve-legacy');
    mkdirSync(legacyDir);
    copyFileSync(
      path.join(repoRoot, 'test', 'fixtures', 'server-v4', 'es', 'server.ts'),
      path.join(legacyDir, 'server.ts'),
    );
    for (const args of [['serve'], ['serve', 'server.ts'], ['serve', '.']]) {
      const err: string[] = [];
      assert.equal(
        await main(args, {
          out: (t) => err.push(t),
          err: (t) => err.push(t),
          env: { PATH: process.env['PATH'] },
          cwd: legacyDir,
        }),
        1,
        args.join(' '),
      );
      assert.match(
        err.join('\n'),
        /^mtls serve: .*serve-legacy\/server\.ts is a single-file server .*\(template 4\)\..*mtls scaffold --upgrade /,
        args.join(' '),
      );
    }
  });
});
