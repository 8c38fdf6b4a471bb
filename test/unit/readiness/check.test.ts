// The go-live readiness check, provoked row by row for real: a scaffolded server.mts started on 127.0.0.1,
// certificates made by our own generator, a TLS-terminating proxy and a TCP pass-through proxy in front.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { rootCertificates } from 'node:tls';
import {
  checkReadiness,
  readinessJson,
  renderReadiness,
  type ReadinessReport,
} from '../../../src/core/readiness/index';
import { dialogflowTrustBundle, exportDer, generateChain } from '../../../src/core/pki/index';
import { scaffoldServer } from '../../../src/core/scaffold/index';
import { buildCxClientKit } from '../../../src/core/kits/index';
import { writeFileSet } from '../../../src/core/files';
import { startBackgroundServer } from '../../../src/core/setup/index';
import { closedPort } from '../support/http';
import { otherChain, tcpPassThrough, tlsTerminatingProxy } from './support';
import { ensureBuilt, repoRoot, runCommand, tempDir } from '../support/scaffold';

ensureBuilt();

interface Project {
  dir: string;
  port: number;
  certs: string;
}

/** A folder with a dev CA chain in certs/ and a scaffolded server.mts on a free port. */
async function project(o: { serverDays?: number } = {}): Promise<Project> {
  const dir = tempDir('check');
  const certs = path.join(dir, 'certs');
  mkdirSync(certs);
  const set = await generateChain({ keyType: 'ec256', ...(o.serverDays ? { server: { days: o.serverDays } } : {}) });
  for (const f of set.files)
    writeFileSync(path.join(certs, f.name), f.contents, { mode: f.name.includes('key') ? 0o600 : 0o644 });
  const port = await closedPort();
  await scaffoldServer(dir, { port, platform: 'all' });
  return { dir, port, certs };
}

const start = (env: Record<string, string>) => (file: string, port: number) =>
  startBackgroundServer(file, port, { env: { ...process.env, ...env } });

function rowOf(r: ReadinessReport, id: string) {
  const x = r.rows.find((y) => y.id === id);
  assert.ok(x, `no row ${id} in ${r.rows.map((y) => y.id).join(', ')}`);
  return x;
}

/** A CX custom set-up: the CX client-certificate kit from the dev CA in cx-client/, the root exported as DER. */
async function makeCxCustom(p: Project): Promise<void> {
  const read = (f: string) => readFileSync(path.join(p.certs, f), 'utf8');
  const kit = await buildCxClientKit({
    caCertPem: read('ca-intermediate-crt.pem'),
    caKeyPem: read('ca-intermediate-key.pem'),
    keyType: 'ec256',
    kdfIterations: 2048,
  });
  await writeFileSet(path.join(p.dir, 'cx-client'), kit.files);
  writeFileSync(path.join(p.certs, 'ca-root.der'), exportDer({ caCertPem: read('ca-root-crt.pem') }).der);
}

test('a good CX set-up (custom CA exported, custom client certificate, basic auth, pass-through tunnel) passes every row', async () => {
  const p = await project();
  await makeCxCustom(p);
  const env = { MTLS_AUTH: 'Basic dialogflow:s3cret-value' };
  const server = await startBackgroundServer(path.join(p.dir, 'server.mts'), p.port, {
    env: { ...process.env, ...env },
  });
  const tunnel = await tcpPassThrough(p.port);
  try {
    const r = await checkReadiness({ dir: p.dir, platform: 'cx', url: tunnel.url, env });
    const notPassing = r.rows.filter((x) => x.status !== 'pass');
    assert.deepEqual(notPassing, [], 'every row passes');
    assert.equal(r.verdict, 'ready');
    assert.match(rowOf(r, 'server-public-trust').message, /custom CA exported as ca-root\.der/);
    assert.match(rowOf(r, 'url-same-certificate').message, /this server's own certificate/);
    assert.match(rowOf(r, 'url-client-certificate').message, /refuses a client without one/);
    assert.match(
      rowOf(r, 'mtls-enforced').message,
      /5 bad client certificates refused.*the CX custom client certificate accepted/,
    );
    assert.match(
      rowOf(r, 'sample-response').message,
      /within the 5000 ms timeout\.$/,
      "CX's default webhook timeout when none is given",
    );
    assert.match(rowOf(r, 'client-roots').message, /^CX custom client certificate: ca-crt\.pem holds your CA/);
    for (const id of [
      'server-chain',
      'server-san',
      'server-eku',
      'server-key',
      'server-signature',
      'server-expiry',
      'client-roots',
      'client-expiry',
      'client-depth',
      'client-pin',
      'auth',
      'server-running',
      'tls-version',
      'sample-response',
      'url-https',
      'url-dns',
    ])
      rowOf(r, id);
  } finally {
    await tunnel.close();
    await server.stop();
  }
});

test('an HTTPS tunnel that terminates TLS fails the pass-through rows and says what works instead', async () => {
  const p = await project();
  await makeCxCustom(p);
  const server = await startBackgroundServer(path.join(p.dir, 'server.mts'), p.port);
  const proxy = await tlsTerminatingProxy(p.port);
  try {
    const r = await checkReadiness({ dir: p.dir, platform: 'cx', url: proxy.url });
    const same = rowOf(r, 'url-same-certificate');
    assert.equal(same.status, 'fail');
    assert.match(same.message, /TLS-terminating proxy or HTTPS tunnel/);
    assert.match(same.message, /never sees the platform's client certificate/);
    assert.match(same.fix ?? '', /TLS pass-through/);
    // The same connection answers both rows: its step 2 shows the proxy's certificate.
    assert.match(same.handshake?.steps[1]?.summary ?? '', /server presented .*CN=tunnel\.example/);
    const bare = rowOf(r, 'url-client-certificate');
    assert.equal(bare.status, 'fail');
    assert.match(bare.message, /answered HTTP 502 to a client WITHOUT a certificate/);
    assert.equal(r.verdict, 'not-ready');
    assert.equal(rowOf(r, 'mtls-enforced').status, 'pass', 'the server itself still enforces mTLS');
  } finally {
    await proxy.close();
    await server.stop();
  }
});

test("another server on the configured port is named as such, not taken for this project's server", async () => {
  const p = await project();
  // Another project's webhook: its own chain, the same port.
  const other = await project();
  const otherServer = await startBackgroundServer(path.join(other.dir, 'server.mts'), p.port, {
    env: { ...process.env, MTLS_PORT: String(p.port) },
  });
  try {
    const r = await checkReadiness({ dir: p.dir, platform: 'es' });
    const running = rowOf(r, 'server-running');
    assert.equal(running.status, 'fail');
    assert.match(
      running.message,
      new RegExp(
        `^The server on 127\\.0\\.0\\.1:${p.port} presents .*CN=localhost.* \\(SHA-256 [0-9A-F:]{23}…\\), not this project's certificate .* another server holds the port\\.$`,
      ),
    );
    assert.equal(
      r.rows.find((x) => x.id === 'mtls-enforced'),
      undefined,
      "the other server's behaviour is not measured as ours",
    );
  } finally {
    await otherServer.stop();
  }
  // This project's own server on it passes, and says it presents this project's certificate.
  const own = await startBackgroundServer(path.join(p.dir, 'server.mts'), p.port, { env: { ...process.env } });
  try {
    const r = await checkReadiness({ dir: p.dir, platform: 'es' });
    assert.equal(rowOf(r, 'server-running').status, 'pass');
    assert.match(rowOf(r, 'server-running').message, /presents this project's certificate\.$/);
  } finally {
    await own.stop();
  }
});

test('the server is started for the check when nothing listens, and stopped afterwards', async () => {
  const p = await project();
  const r = await checkReadiness({ dir: p.dir, platform: 'es', startServer: start({}) });
  assert.equal(rowOf(r, 'server-running').status, 'pass');
  assert.match(rowOf(r, 'server-running').message, /Started server\.mts for the check/);
  assert.equal(rowOf(r, 'mtls-enforced').status, 'pass');
  assert.equal(rowOf(r, 'sample-response').status, 'pass');
  const after = net.connect(p.port, '127.0.0.1');
  const refused = await new Promise<boolean>((resolve) => {
    after.once('connect', () => resolve(false));
    after.once('error', () => resolve(true));
  });
  after.destroy();
  assert.ok(refused, 'the server started for the check was stopped');
  // ES verifies the server against public roots only: a dev chain fails that row, whatever else passes.
  assert.equal(rowOf(r, 'server-public-trust').status, 'fail');
});

test('a bundle still holding GTS Root R1 is a warning once Dialogflow stopped using it', async () => {
  const p = await project();
  writeFileSync(path.join(p.certs, 'ca-dialogflow.pem'), dialogflowTrustBundle(new Date('2026-11-01T00:00:00Z')).pem);
  const env = { MTLS_CA: 'certs/ca-dialogflow.pem', MTLS_ALLOWED_CLIENTS: 'Google LLC' };
  const before = await checkReadiness({ dir: p.dir, platform: 'cx', env, now: new Date('2026-11-15T00:00:00Z') });
  assert.equal(rowOf(before, 'client-roots').status, 'pass', 'before the cut-over both roots are current');
  const after = await checkReadiness({ dir: p.dir, platform: 'cx', env, now: new Date('2026-12-02T00:00:00Z') });
  const roots = rowOf(after, 'client-roots');
  assert.equal(roots.status, 'warn');
  assert.match(roots.message, /GTS Root R1.*stopped using on 2026-12-01/);
  assert.equal(rowOf(after, 'client-pin').status, 'pass');
});

test('an extra public root in the bundle fails; a public root without a pinned identity fails', async () => {
  const p = await project();
  const df = dialogflowTrustBundle(new Date('2026-12-02T00:00:00Z')).pem;
  const { X509Certificate } = await import('node:crypto');
  const sslCom = new X509Certificate(df.slice(df.indexOf('-----BEGIN'))).fingerprint256;
  const other =
    rootCertificates.find(
      (r) => new X509Certificate(r).fingerprint256 !== sslCom && !/GTS Root R1/.test(new X509Certificate(r).subject),
    ) ?? '';
  writeFileSync(path.join(p.certs, 'extra.pem'), df + '\n' + other + '\n');
  const now = new Date('2026-12-02T00:00:00Z');
  const extra = await checkReadiness({
    dir: p.dir,
    platform: 'es',
    env: { MTLS_CA: 'certs/extra.pem', MTLS_ALLOWED_CLIENTS: 'Google LLC' },
    now,
  });
  const roots = rowOf(extra, 'client-roots');
  assert.equal(roots.status, 'fail');
  assert.match(roots.message, /public root.*Dialogflow does not use/);

  writeFileSync(path.join(p.certs, 'df.pem'), df);
  const unpinned = await checkReadiness({ dir: p.dir, platform: 'cx', env: { MTLS_CA: 'certs/df.pem' }, now });
  assert.equal(rowOf(unpinned, 'client-roots').status, 'pass');
  const pin = rowOf(unpinned, 'client-pin');
  assert.equal(pin.status, 'fail');
  assert.match(pin.message, /SSL\.com Root Certification Authority RSA.*no client identity is pinned/);
  assert.match(pin.fix ?? '', /MTLS_ALLOWED_CLIENTS="Google LLC"/);
  const pinned = await checkReadiness({
    dir: p.dir,
    platform: 'cx',
    env: { MTLS_CA: 'certs/df.pem', MTLS_ALLOWED_CLIENTS: 'Google LLC' },
    now,
  });
  assert.equal(rowOf(pinned, 'client-pin').status, 'pass');
  // Accepting the risk knowingly (as server.mts allows) turns the failure into a warning that names the variable.
  const accepted = await checkReadiness({
    dir: p.dir,
    platform: 'cx',
    env: { MTLS_CA: 'certs/df.pem', MTLS_ACCEPT_ANY_PUBLIC_CLIENT: '1' },
    now,
  });
  assert.equal(rowOf(accepted, 'client-pin').status, 'warn');
  assert.match(rowOf(accepted, 'client-pin').message, /MTLS_ACCEPT_ANY_PUBLIC_CLIENT accepts that risk/);
});

test('a server certificate file without its intermediate fails the chain row', async () => {
  const p = await project();
  const r = await checkReadiness({ dir: p.dir, platform: 'cx', env: { MTLS_CERT: 'certs/server-crt.pem' } });
  const chain = rowOf(r, 'server-chain');
  assert.equal(chain.status, 'fail');
  assert.match(chain.message, /holds only the leaf.*sends no intermediate/);
  const full = await checkReadiness({ dir: p.dir, platform: 'cx' });
  assert.equal(rowOf(full, 'server-chain').status, 'pass');
});

test('a server certificate expiring in 10 days is a warning; a SAN that misses the public host fails', async () => {
  const p = await project({ serverDays: 10 });
  const r = await checkReadiness({ dir: p.dir, platform: 'cx', url: 'https://webhook.example.invalid/webhook' });
  const expiry = rowOf(r, 'server-expiry');
  assert.equal(expiry.status, 'warn');
  assert.match(expiry.message, /expires in (9|10) days/);
  const san = rowOf(r, 'server-san');
  assert.equal(san.status, 'fail');
  assert.match(san.message, /does not cover webhook\.example\.invalid/);
  assert.equal(rowOf(r, 'url-dns').status, 'fail', '.invalid never resolves');
});

test('a handler slower than the platform timeout fails the sample row', async () => {
  const p = await project();
  const file = path.join(p.dir, 'server.mts');
  const text = readFileSync(file, 'utf8');
  // The developer raised the server's own deadline in CONFIG and wrote a handler slower than the agent's webhook
  // timeout (half a second here instead of CX's default 5 s: the same row, without waiting seconds per request).
  const slowed = text
    .replace(/requestTimeoutMs: \d+/, 'requestTimeoutMs: 15000')
    .replace(
      /const cxHandlers: Record<string, CxHandler> = \{/,
      "$&\n  'confirm-order': async () => {\n    await new Promise((r) => setTimeout(r, 800));\n    return cxReply('late');\n  },",
    );
  assert.equal(slowed.split('\n').length, text.split('\n').length + 4, 'both edits applied');
  writeFileSync(file, slowed);
  const r = await checkReadiness({ dir: p.dir, platform: 'cx', startServer: start({}), platformTimeoutMs: 500 });
  const sample = rowOf(r, 'sample-response');
  assert.equal(sample.status, 'fail');
  assert.match(sample.message, /after the platform's 500 ms webhook timeout/);
});

test('bad input is a row, never a stack: no server.mts, a single-file server.ts, a URL that is not HTTPS, an unreachable URL', async () => {
  const empty = tempDir('check-empty');
  const none = await checkReadiness({ dir: empty, platform: 'kore' });
  assert.equal(none.rows.length, 1);
  assert.equal(rowOf(none, 'server-file').status, 'fail');
  assert.match(rowOf(none, 'server-file').message, /^No server\.mts in /);
  assert.equal(rowOf(none, 'server-file').action, 'scaffoldServer');
  assert.equal(none.verdict, 'not-ready');
  copyFileSync(
    path.join(repoRoot, 'test', 'fixtures', 'server-v4', 'kore', 'server.ts'),
    path.join(empty, 'server.ts'),
  );
  const legacy = rowOf(await checkReadiness({ dir: empty, platform: 'kore' }), 'server-file');
  assert.equal(legacy.status, 'fail');
  assert.match(legacy.message, /^server\.ts is a single-file server from an earlier mTLS Workbench \(template 4\)/);
  assert.match(legacy.fix ?? '', /mtls scaffold --upgrade \S+server\.ts/);
  assert.equal(legacy.action, 'updateServer');

  const p = await project();
  const plain = await checkReadiness({ dir: p.dir, platform: 'kore', url: 'http://localhost:8080/webhook' });
  assert.equal(rowOf(plain, 'url-https').status, 'fail');
  assert.match(rowOf(plain, 'url-https').message, /not HTTPS/);

  const dead = await closedPort();
  const down = await checkReadiness({ dir: p.dir, platform: 'kore', url: `https://localhost:${dead}/webhook` });
  const same = rowOf(down, 'url-same-certificate');
  assert.equal(same.status, 'fail');
  assert.match(same.message, /No TLS handshake at localhost:\d+: ECONNREFUSED/);
  assert.equal(same.handshake?.failedStep, 1, 'nothing listens: step 1 failed');
  assert.match(renderReadiness(down), /^ {10}✖ 1 {2}Platform says hello/m);
});

const statuses = (h: { steps: readonly { status: string }[] } | undefined): string =>
  (h?.steps ?? []).map((s) => s.status).join(' ');

test("a client certificate the server does not trust: the failing rows show step 5 failed, with the server's refusal", async () => {
  const p = await project();
  const other = await otherChain();
  // The CX custom client kit, but from a CA the server's bundle does not hold.
  writeFileSync(path.join(p.dir, 'cx-client-crt.pem'), readFileSync(path.join(other, 'client-fullchain.pem')));
  writeFileSync(path.join(p.dir, 'cx-client-key.pem'), readFileSync(path.join(other, 'client-key.pem')), {
    mode: 0o600,
  });
  const r = await checkReadiness({ dir: p.dir, platform: 'cx', startServer: start({}) });
  const sample = rowOf(r, 'sample-response');
  assert.equal(sample.status, 'fail');
  assert.equal(statuses(sample.handshake), 'ok ok ok ok failed');
  assert.equal(sample.handshake?.failedStep, 5);
  assert.match(
    sample.handshake?.steps[4]?.server?.line ?? '',
    /refused handshake from 127\.0\.0\.1:\d+ \[(UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN)\]/,
    "the server's own log line for that connection",
  );
  const enforced = rowOf(r, 'mtls-enforced');
  assert.equal(enforced.status, 'warn', 'every bad certificate refused, yours too');
  assert.equal(enforced.handshake?.failedStep, 5);
  assert.match(enforced.connection ?? '', /the CX custom client certificate/);
  assert.notEqual(enforced.handshake, sample.handshake, "the probe's connection, not the sample's");

  // --json: every row that connected carries the five steps, passing or not.
  const json = JSON.parse(JSON.stringify(readinessJson(r))) as {
    rows: { id: string; status: string; handshake?: { steps: { step: number; name: string; status: string }[] } }[];
  };
  const jsonRow = (id: string) => json.rows.find((x) => x.id === id);
  assert.deepEqual(
    jsonRow('sample-response')?.handshake?.steps.map((s) => [s.step, s.status]),
    [
      [1, 'ok'],
      [2, 'ok'],
      [3, 'ok'],
      [4, 'ok'],
      [5, 'failed'],
    ],
  );
  assert.equal(jsonRow('sample-response')?.handshake?.steps[0]?.name, 'Platform says hello');
  assert.equal(jsonRow('tls-version')?.status, 'pass');
  assert.equal(
    jsonRow('tls-version')?.handshake?.steps.length,
    5,
    'a passing row that connected carries its steps too',
  );
  assert.equal(jsonRow('server-chain')?.handshake, undefined, 'a row that read files made no connection');

  // Text: the failed step marked under the rows, with the server's side; a handshake that ended the same
  // way as one already drawn gets one line.
  const text = renderReadiness(r);
  const lines = text.split('\n');
  const under = (head: RegExp): string => {
    const at = lines.findIndex((l) => head.test(l));
    assert.ok(at >= 0, `no line ${head} in\n${text}`);
    const end = lines.findIndex((l, i) => i > at && /^ {2}(PASS|WARN|FAIL) {2}|^$/.test(l));
    return lines.slice(at + 1, end).join('\n');
  };
  const probeSide = under(/^ {2}WARN {2}mtls-enforced: /);
  assert.match(probeSide, /^ {8}Connection: the probe's request with the CX custom client certificate$/m);
  assert.match(probeSide, /^ {8}Handshake, in five steps .*: FAILED at step 5$/m);
  assert.match(
    probeSide,
    /^ {10}✔ 4 {2}Platform presents its client certificate .*presented O=Another Org, CN=mtls-client/m,
  );
  assert.match(probeSide, /^ {10}✖ 5 {2}Server verifies it, then the request .*FAILED/m);
  assert.match(probeSide, /^ {15}server log: .*refused handshake from 127\.0\.0\.1/m);
  assert.match(
    under(/^ {2}FAIL {2}sample-response: /),
    /^ {8}handshake ✔1 ✔2 ✔3 ✔4 ✖5 {2}failed at step 5 \(Server verifies it, then the request\); server: \[\w+\] .*\(in five steps under mtls-enforced above\)$/m,
  );
  assert.equal(text.match(/✖ 5 {2}Server verifies it/g)?.length, 1, 'the same ending is drawn in full once');
  const passing = lines.findIndex((l) => /^ {2}PASS {2}server-running: /.test(l));
  assert.match(lines[passing + 1] ?? '', /^ {2}(PASS|WARN|FAIL) {2}/, 'a passing row stays one line');
});

test('a server certificate from a CA the project does not hold: mtls check --json marks step 3 failed', async () => {
  const p = await project();
  const other = await otherChain();
  writeFileSync(
    path.join(p.certs, 'other-server-fullchain.pem'),
    readFileSync(path.join(other, 'server-fullchain.pem')),
  );
  writeFileSync(path.join(p.certs, 'other-server-key.pem'), readFileSync(path.join(other, 'server-key.pem')), {
    mode: 0o600,
  });
  const env = { ...process.env, MTLS_CERT: 'certs/other-server-fullchain.pem', MTLS_KEY: 'certs/other-server-key.pem' };
  const cli = path.join(repoRoot, 'dist', 'cli.js');
  const out = await runCommand(process.execPath, [cli, 'check', '--platform', 'kore', '--dir', p.dir, '--json'], env);
  assert.equal(out.code, 1, out.output);
  type Step = {
    step: number;
    name: string;
    status: string;
    error?: { code: string; fix: string };
    server?: { code: string; line: string };
  };
  const parsed = JSON.parse(out.stdout) as {
    rows: { id: string; status: string; connection?: string; handshake?: { failedStep?: number; steps: Step[] } }[];
  };
  const rowById = (id: string) => parsed.rows.find((x) => x.id === id);
  assert.equal(rowById('server-running')?.status, 'pass', 'the check started the server');
  const sample = rowById('sample-response');
  assert.equal(sample?.status, 'fail');
  assert.deepEqual(
    sample?.handshake?.steps.map((s) => s.status),
    ['ok', 'ok', 'failed', 'not-reached', 'not-reached'],
  );
  assert.deepEqual(
    sample?.handshake?.steps.map((s) => s.step),
    [1, 2, 3, 4, 5],
  );
  const step3 = sample?.handshake?.steps[2];
  assert.equal(step3?.name, 'Platform verifies the server');
  assert.match(step3?.error?.code ?? '', /UNABLE_TO_(GET_ISSUER_CERT_LOCALLY|VERIFY_LEAF_SIGNATURE)/);
  assert.ok(step3?.error?.fix, 'the fix explainTlsError has');
  assert.match(
    step3?.server?.line ?? '',
    /refused handshake from 127\.0\.0\.1:\d+ /,
    "the server's own log line for that connection",
  );
  assert.equal(rowById('mtls-enforced')?.handshake?.failedStep, 3);
  assert.equal(rowById('tls-version')?.handshake?.failedStep, 3);
});

test("mtls check --server-log: the running server's refusal under the failed step; a missing log is a one-line error", async () => {
  const p = await project();
  const other = await otherChain();
  writeFileSync(path.join(p.dir, 'cx-client-crt.pem'), readFileSync(path.join(other, 'client-fullchain.pem')));
  writeFileSync(path.join(p.dir, 'cx-client-key.pem'), readFileSync(path.join(other, 'client-key.pem')), {
    mode: 0o600,
  });
  const server = await startBackgroundServer(path.join(p.dir, 'server.mts'), p.port);
  // What `mtls serve server.mts | tee server.log` would leave: the server's output, as it comes.
  const log = path.join(p.dir, 'server.log');
  const tee = setInterval(() => writeFileSync(log, server.output()), 20);
  const cli = path.join(repoRoot, 'dist', 'cli.js');
  try {
    writeFileSync(log, server.output());
    const out = await runCommand(
      process.execPath,
      [cli, 'check', '--platform', 'cx', '--dir', p.dir, '--server-log', log, '--json'],
      { ...process.env },
    );
    assert.equal(out.code, 1, out.output);
    const parsed = JSON.parse(out.stdout) as {
      rows: { id: string; handshake?: { failedStep?: number; steps: { server?: { line: string } }[] } }[];
    };
    const sample = parsed.rows.find((x) => x.id === 'sample-response');
    assert.equal(sample?.handshake?.failedStep, 5);
    assert.match(sample?.handshake?.steps[4]?.server?.line ?? '', /refused handshake from 127\.0\.0\.1:\d+ \[/);
  } finally {
    clearInterval(tee);
    await server.stop();
  }
  const missing = await runCommand(
    process.execPath,
    [cli, 'check', '--platform', 'cx', '--dir', p.dir, '--server-log', path.join(p.dir, 'nope.log')],
    { ...process.env },
  );
  assert.notEqual(missing.code, 0);
  assert.equal(missing.stdout, '');
  assert.match(missing.stderr.trim(), /^[^\n]*Cannot read the server log .*nope\.log: no such file$/);
});

test('mtls check: text rows, --json shape, exit codes 0/1/2', async () => {
  const cli = path.join(repoRoot, 'dist', 'cli.js');
  const p = await project();
  const json = await runCommand(process.execPath, [cli, 'check', '--platform', 'kore', '--dir', p.dir, '--json'], {
    ...process.env,
  });
  assert.equal(json.code, 1, json.output);
  const parsed = JSON.parse(json.stdout) as {
    rows: { id: string; status: string; message: string; fix: string | null }[];
    verdict: string;
  };
  assert.equal(parsed.verdict, 'not-ready');
  assert.ok(
    parsed.rows.every(
      (x) =>
        typeof x.id === 'string' &&
        ['pass', 'warn', 'fail'].includes(x.status) &&
        typeof x.message === 'string' &&
        'fix' in x,
    ),
  );
  const text = await runCommand(process.execPath, [cli, 'check', '--platform', 'kore', '--dir', p.dir], {
    ...process.env,
  });
  assert.match(text.stdout, /^Go-live readiness for Kore\.ai/);
  assert.match(text.stdout, /FAIL {2}server-public-trust: /);
  assert.match(text.stdout, /\d+ passed, \d+ warnings, \d+ failed\./);
  const usage = await runCommand(process.execPath, [cli, 'check', '--platform', 'teams'], { ...process.env });
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--platform teams: use cx, es or kore/);
  const missing = await runCommand(process.execPath, [cli, 'check'], { ...process.env });
  assert.equal(missing.code, 2);
});

test('mtls check never prints the auth secret: a mistyped MTLS_AUTH fails without it, a tab-separated one is used and not shown', async () => {
  const cli = path.join(repoRoot, 'dist', 'cli.js');
  const p = await project();
  const secret = `S3cret-${randomBytes(6).toString('hex')}`;
  const check = (auth: string, json: boolean) =>
    runCommand(process.execPath, [cli, 'check', '--platform', 'kore', '--dir', p.dir, ...(json ? ['--json'] : [])], {
      ...process.env,
      MTLS_AUTH: auth,
    });
  for (const json of [false, true]) {
    // The server started for the check refuses the value, and the row repeats its error line.
    const typo = await check(`Bearer:${secret}`, json);
    assert.ok(!typo.output.includes(secret), typo.output);
    assert.match(
      typo.output,
      /did not start: auth \(MTLS_AUTH or CONFIG\.auth\) must be empty, .*: put a space between Bearer and the secret/,
    );
    // A tab separates scheme and secret: the sample request carries it, and the report does not show it.
    const tab = await check(`Bearer\t${secret}`, json);
    assert.ok(!tab.output.includes(secret), tab.output);
    assert.match(tab.output, /A shared Bearer secret is required on every request/);
    assert.match(tab.output, /Started server\.mts for the check/);
  }
});
