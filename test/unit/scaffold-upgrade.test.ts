// Upgrading a scaffolded server.ts: the fixture is a server.ts written by template 1 (before versions were
// recorded) and then edited as a developer would (own config values, new handlers, a changed fallback, a
// block-bodied Kore.ai handler). The upgrade must keep those byte for byte, rewrite the rest, and the result
// must serve real mTLS requests; anything it cannot tell apart is refused with the file untouched.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { applyUpgrade, planUpgrade, planUpgradeFile, templateVersionOf, upgradeDiff, UpgradeRefusedError } from '../../src/core/scaffold/upgradeServer';
import { legacyHandlerSpans } from '../../src/core/scaffold/legacyServer';
import { findBlock, markers, type BlockSpan } from '../../src/core/scaffold/template/layout';
import { templateVersion } from '../../src/core/scaffold/template/changelog';
import { renderServer } from '../../src/core/scaffold/renderServer';
import { readServerConfig } from '../../src/core/scaffold/serverConfig';
import { cachedNodes, curl, cxRequest, ensureBuilt, esRequest, makePki, repoRoot, runCommand, startServer, tempDir, type Pki } from './scaffold-support';

const fixture = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'server-v1', 'server.ts'), 'utf8');
const cli = path.join(repoRoot, 'dist', 'cli.js');

const interior = (text: string, start: string, end: string): string => {
  const span = findBlock(text, start, end) as BlockSpan;
  assert.equal(typeof span, 'object', `${start} block`);
  return text.slice(span.start, span.end);
};

describe('server.ts upgrade', () => {
  let dir: string;
  let pki: Pki;

  before(() => {
    ensureBuilt();
    dir = tempDir('upgrade');
    pki = makePki(path.join(dir, 'certs'));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the config block and every handler byte for byte, and rewrites the machinery', () => {
    assert.equal(templateVersionOf(fixture), 1);
    const plan = planUpgrade(fixture, 'server.ts');
    assert.deepEqual([plan.fromVersion, plan.toVersion, plan.upToDate], [1, templateVersion, false]);
    assert.deepEqual(plan.platforms, ['cx', 'es', 'kore']);
    assert.ok(plan.changes.length > 0);
    assert.equal(interior(plan.newText, markers.configStart, markers.configEnd), interior(fixture, markers.configStart, markers.configEnd));
    const handlers = interior(plan.newText, markers.handlersStart, markers.handlersEnd);
    const spans = legacyHandlerSpans(fixture) as Map<string, BlockSpan>;
    assert.equal(spans.size, 3);
    for (const s of spans.values()) assert.ok(handlers.includes(fixture.slice(s.start, s.end)), `handler code kept: ${fixture.slice(s.start, s.start + 40)}`);
    assert.match(handlers, /'check-balance': async \(req\) =>/);
    // The machinery is the current template's: everything from the fence down equals a fresh file's.
    const fence = (t: string): string => t.slice(t.indexOf(markers.machinery));
    assert.equal(fence(plan.newText), fence(renderServer()));
    assert.equal(templateVersionOf(plan.newText), templateVersion);
    // Upgrading again changes nothing.
    assert.equal(planUpgrade(plan.newText).upToDate, true);
    assert.equal(planUpgrade(renderServer({ platform: 'kore' })).upToDate, true);
  });

  it('keeps Windows line endings', () => {
    const crlf = fixture.replace(/\n/g, '\r\n');
    const plan = planUpgrade(crlf);
    assert.equal(plan.newText, planUpgrade(fixture).newText.replace(/\n/g, '\r\n'));
    assert.equal(planUpgrade(plan.newText).upToDate, true);
  });

  it('refuses, saying why, when the user parts cannot be told from the machinery', () => {
    const current = planUpgrade(fixture).newText;
    const cases: [string, string, RegExp][] = [
      ['template 1 with an edited machinery', fixture.replace('rejectUnauthorized: true,', 'rejectUnauthorized: false,'), /differs from what mtls scaffold wrote/],
      ['template 1 with a helper added above a handler table', fixture.replace('const esHandlers', 'function helper(): number {\n  return 1;\n}\n\nconst esHandlers'), /differs from what mtls scaffold wrote/],
      ['an edited machinery', current.replace('rejectUnauthorized: true,', 'rejectUnauthorized: false,'), /generated part .* was edited/],
      ['an edited header', current.replace('// Yours:', '// Mine:'), /generated part .* was edited/],
      ['a repeated marker', current.replace(markers.handlersEnd, `${markers.handlersEnd}\n${markers.handlersEnd}`), /occurs more than once/],
      ['no handlers end marker', current.replace(markers.handlersEnd, '// end'), /only one of the markers/],
      ['an edited template line', current.replace(/machinery=sha256:[0-9a-f]+/, 'machinery=sha256:abc'), /mtls-template:' line was edited/],
      ['a newer template', current.replace(/mtls-template: v\d+/, 'mtls-template: v999'), /newer mTLS Workbench/],
      ['no config block', 'console.log(1);\n', /no mtls-config block/],
    ];
    for (const [name, text, reason] of cases) {
      assert.throws(() => planUpgrade(text, 'server.ts'), (e: unknown) => e instanceof UpgradeRefusedError && reason.test(e.message) && /Nothing was changed\.$/.test(e.message), name);
    }
  });

  it('mtls scaffold --upgrade --dry-run prints the changes and a diff that patch(1) applies, and writes nothing', async () => {
    const work = path.join(dir, 'dry');
    const file = path.join(work, 'server.ts');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    writeFileSync(file, fixture);
    const r = await runCommand(process.execPath, [cli, 'scaffold', '--upgrade', file, '--dry-run']);
    assert.equal(r.code, 0, r.output);
    assert.match(r.stdout, new RegExp(`Would upgrade .* from template 1 to ${templateVersion}`));
    assert.match(r.stdout, /^ {2}- your config block and handlers come first/m);
    assert.equal(readFileSync(file, 'utf8'), fixture);
    assert.deepEqual(readdirSync(work), ['server.ts']);
    // mtls serve notices the old template and says what the upgrade brings (then stops here: no certificates).
    const serve = await runCommand(process.execPath, [cli, 'serve', file, '--port', '0']);
    assert.equal(serve.code, 1, serve.output);
    assert.match(serve.stderr, new RegExp(`was written by template 1 \\(current: ${templateVersion}\\); mtls scaffold --upgrade .* would bring:\n  - `));
    // The printed diff is a real unified diff: patch turns the old file into the upgraded one.
    const diff = r.stdout.slice(r.stdout.indexOf('--- '));
    writeFileSync(path.join(work, 'up.diff'), diff + '\n');
    const p = await runCommand('patch', ['-s', file, path.join(work, 'up.diff')]);
    assert.equal(p.code, 0, p.output);
    assert.equal(readFileSync(file, 'utf8'), planUpgrade(fixture).newText);
    assert.equal(upgradeDiff(planUpgrade(readFileSync(file, 'utf8'))), '');
  });

  it('mtls scaffold --upgrade keeps a backup, writes the upgrade, then says it is up to date; a mangled file is refused untouched', async () => {
    const work = path.join(dir, 'apply');
    mkdirSync(work, { recursive: true });
    const file = path.join(work, 'server.ts');
    writeFileSync(file, fixture);
    const r = await runCommand(process.execPath, [cli, 'scaffold', '--upgrade'], undefined, undefined, work);
    assert.equal(r.code, 0, r.output);
    assert.match(r.stdout, /Backup of the old file: .*server\.ts\.bak-v1$/m);
    assert.equal(readFileSync(`${file}.bak-v1`, 'utf8'), fixture);
    assert.equal(readFileSync(file, 'utf8'), planUpgrade(fixture).newText);
    const again = await runCommand(process.execPath, [cli, 'scaffold', '--upgrade', file]);
    assert.match(again.stdout, /is up to date/);
    // A second upgrade of a template-1 file never overwrites the first backup.
    writeFileSync(file, fixture);
    assert.equal((await applyUpgrade(await planUpgradeFile(file))).backup, `${file}.bak-v1-2`);
    // Hand-mangled: refused with the reason, exit 1, bytes and folder unchanged.
    const mangled = readFileSync(file, 'utf8').replace("minVersion: 'TLSv1.2'", "minVersion: 'TLSv1'");
    writeFileSync(file, mangled);
    const before = readdirSync(work).sort();
    const refused = await runCommand(process.execPath, [cli, 'scaffold', '--upgrade', file]);
    assert.equal(refused.code, 1, refused.output);
    assert.match(refused.stderr, /Cannot upgrade .*server\.ts: the generated part .* was edited.*Nothing was changed\./);
    assert.equal(readFileSync(file, 'utf8'), mangled);
    assert.deepEqual(readdirSync(work).sort(), before);
  });

  it('readServerConfig reads every config field of the old and the new layout', async () => {
    const work = path.join(dir, 'config');
    mkdirSync(work, { recursive: true });
    const oldFile = path.join(work, 'old.ts');
    const newFile = path.join(work, 'server.ts');
    writeFileSync(oldFile, fixture);
    writeFileSync(newFile, planUpgrade(fixture).newText);
    for (const f of [oldFile, newFile]) {
      const c = await readServerConfig(f, {});
      assert.deepEqual(c.allowedClients, ['Google LLC', 'O=Example Org']);
      assert.equal(c.keyPath, path.join(work, 'tls', 'webhook-key.pem'));
      assert.deepEqual([c.authMode, c.authHasSecret, c.requestTimeoutMs, c.bodyLimitBytes], ['none', false, 3000, 1024 * 1024]);
      assert.deepEqual(c.webhookPaths, ['/webhook', '/']);
      assert.ok(c.handshakeTimeoutMs > 0 && c.maxConnections > 0);
    }
    assert.equal((await readServerConfig(oldFile, {})).templateVersion, 1);
    assert.equal((await readServerConfig(newFile, {})).templateVersion, templateVersion);
    const env = await readServerConfig(newFile, { MTLS_AUTH: 'Bearer s3cret', MTLS_ALLOWED_CLIENTS: 'a, b', MTLS_MAX_CONNECTIONS: '7' });
    assert.deepEqual([env.authMode, env.authHasSecret, env.allowedClients, env.maxConnections], ['bearer', true, ['a', 'b'], 7]);
    assert.ok(!JSON.stringify(env).includes('s3cret'), 'the secret is never returned');
  });

  const nodes = [{ name: `${process.versions.node} (this Node)`, path: process.execPath }, ...cachedNodes()];
  for (const node of nodes) {
    it(`the upgraded fixture serves the user's handlers on Node ${node.name}`, async () => {
      const work = path.join(dir, `run-${node.name.split(' ')[0]}`);
      mkdirSync(work, { recursive: true });
      const file = path.join(work, 'server.ts');
      writeFileSync(file, planUpgrade(fixture).newText);
      // What npm init -y writes: the file must not care.
      writeFileSync(path.join(work, 'package.json'), '{ "name": "hook", "version": "1.0.0", "type": "commonjs" }\n');
      const server = await startServer(file, { MTLS_KEY: pki.serverKey, MTLS_CERT: pki.serverCrt, MTLS_CA: pki.caBundle }, node.path);
      try {
        const client = { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt };
        const json = { contentType: 'application/json' };
        const cx = await curl(`${server.url}/webhook`, client, { ...json, body: JSON.stringify({ ...JSON.parse(cxRequest('check-balance')), sessionInfo: { parameters: { account: 'DE-1' } } }) });
        assert.equal(cx.status, 200, cx.body + server.output());
        assert.deepEqual(JSON.parse(cx.body), { fulfillmentResponse: { messages: [{ text: { text: ['Balance of DE-1: 42 EUR'] } }] }, sessionInfo: { parameters: { balance: 42 } } });
        if (node.path !== process.execPath) return; // the other Nodes: one request proves the file runs there
        const fallback = await curl(`${server.url}/webhook`, client, { ...json, body: cxRequest('nope') });
        assert.match(fallback.body, /Sorry, I cannot help with \\"nope\\" yet\./);
        const es = await curl(`${server.url}/webhook`, client, { ...json, body: esRequest('account.close') });
        assert.equal(JSON.parse(es.body).fulfillmentText, 'Closing is done in the branch.');
        const kore = await curl(`${server.url}/webhook`, client, { ...json, body: '{"name":"Ada"}' });
        assert.equal(JSON.parse(kore.body).message, 'Hi Ada, from our Kore.ai hook');
        // The user's pins still apply: a client the CA verifies but not pinned gets 403.
        const pinnedOut = await curl(`${server.url}/webhook`, { cert: pki.chainClientCrtWithIntermediate, key: pki.chainClientKey, ca: pki.caCrt }, { ...json, body: cxRequest('hello') });
        assert.equal(pinnedOut.status, 403);
        const noCert = await curl(`${server.url}/webhook`, { ca: pki.caCrt }, { ...json, body: cxRequest('hello') });
        assert.equal(noCert.status, 0);
      } finally {
        server.proc.kill('SIGKILL');
      }
    });
  }
});
