// A single-file server.ts converted to server.mts + mtls-server/ is a working server: it type-checks under the
// tsconfig.json the conversion wrote, starts for real (planLaunch, this Node) and answers real mTLS requests
// with the user's own handlers, config and pins.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import { applyUpgrade, planUpgradeFile } from '../../../src/core/scaffold/upgradeServer';
import {
  curl,
  cxRequest,
  ensureBuilt,
  esRequest,
  makePki,
  repoRoot,
  startServer,
  tempDir,
  type Pki,
} from '../support/scaffold';

const ts = createRequire(path.join(repoRoot, 'package.json'))('typescript') as typeof TS;
const fixture = (name: string): string => readFileSync(path.join(repoRoot, 'test', 'fixtures', name), 'utf8');

describe('a converted single-file server runs', () => {
  let dir: string;
  let pki: Pki;

  before(() => {
    ensureBuilt(); // dist/ts-loader.mjs: this Node (20) runs .mts through it
    dir = tempDir('migrate-serve');
    pki = makePki(path.join(dir, 'certs'));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Converts fixture `name` in its own folder; returns the folder. */
  async function convert(name: string, folder: string): Promise<string> {
    const work = path.join(dir, folder);
    mkdirSync(work);
    writeFileSync(path.join(work, 'server.ts'), fixture(name));
    // What npm init -y writes: the server is an ES module whatever package.json says.
    writeFileSync(path.join(work, 'package.json'), '{ "name": "hook", "version": "1.0.0", "type": "commonjs" }\n');
    await applyUpgrade(await planUpgradeFile(path.join(work, 'server.ts')));
    return work;
  }

  it('converted printings of templates 1, 3 and 4 type-check under the tsconfig.json they got', async () => {
    for (const [name, folder] of [
      ['server-v1/server.ts', 'tsc-v1'],
      ['server-v1/printing-4/es-kore/server.ts', 'tsc-v1-4'],
      ['server-v3/printing-1/cx/server.ts', 'tsc-v3'],
      ['server-v4/cx-es-kore/server.ts', 'tsc-v4'],
    ] as const) {
      const work = await convert(name, folder);
      const parsed = ts.parseJsonConfigFileContent(
        JSON.parse(readFileSync(path.join(work, 'tsconfig.json'), 'utf8')),
        ts.sys,
        work,
      );
      const program = ts.createProgram(parsed.fileNames, {
        ...parsed.options,
        typeRoots: [path.join(repoRoot, 'node_modules', '@types')],
      });
      const problems = ts
        .getPreEmitDiagnostics(program)
        .map(
          (d) =>
            `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
        );
      assert.deepEqual(problems, [], name);
    }
  });

  it('the converted template-1 fixture serves its own handlers and keeps its pins', async () => {
    const work = await convert('server-v1/server.ts', 'v1');
    // Its config block moved the key to tls/ and pins 'Google LLC' and 'O=Example Org'; the test PKI is elsewhere.
    const server = await startServer(path.join(work, 'server.mts'), {
      MTLS_KEY: pki.serverKey,
      MTLS_CERT: pki.serverCrt,
      MTLS_CA: pki.caBundle,
    });
    try {
      const client = { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt };
      const json = { contentType: 'application/json' };
      const cx = await curl(`${server.url}/webhook`, client, {
        ...json,
        body: JSON.stringify({
          ...JSON.parse(cxRequest('check-balance')),
          sessionInfo: { parameters: { account: 'DE-1' } },
        }),
      });
      assert.equal(cx.status, 200, cx.body + server.output());
      assert.deepEqual(JSON.parse(cx.body), {
        fulfillmentResponse: { messages: [{ text: { text: ['Balance of DE-1: 42 EUR'] } }] },
        sessionInfo: { parameters: { balance: 42 } },
      });
      const fallback = await curl(`${server.url}/webhook`, client, { ...json, body: cxRequest('nope') });
      assert.match(fallback.body, /Sorry, I cannot help with \\"nope\\" yet\./);
      const es = await curl(`${server.url}/webhook`, client, { ...json, body: esRequest('account.close') });
      assert.equal(
        (JSON.parse(es.body) as { fulfillmentText?: unknown }).fulfillmentText,
        'Closing is done in the branch.',
      );
      const kore = await curl(`${server.url}/webhook`, client, { ...json, body: '{"name":"Ada"}' });
      assert.equal((JSON.parse(kore.body) as { message?: unknown }).message, 'Hi Ada, from our Kore.ai hook');
      // The route every server.mts gets.
      const status = await curl(`${server.url}/status`, client);
      assert.deepEqual([status.status, JSON.parse(status.body)], [200, { status: 'ok' }]);
      // Its pins still apply: a client the CA verifies but not pinned gets 403; no certificate, no handshake.
      const pinnedOut = await curl(
        `${server.url}/webhook`,
        { cert: pki.chainClientCrtWithIntermediate, key: pki.chainClientKey, ca: pki.caCrt },
        { ...json, body: cxRequest('hello') },
      );
      assert.equal(pinnedOut.status, 403);
      const noCert = await curl(`${server.url}/webhook`, { ca: pki.caCrt }, { ...json, body: cxRequest('hello') });
      assert.equal(noCert.status, 0);
      // Its request timeout (3000 in its config block) is the one in force.
      assert.match(
        readFileSync(path.join(work, 'server.mts'), 'utf8'),
        /requestTimeoutMs: 3000, \/\/ our agent answers fast/,
      );
    } finally {
      server.proc.kill('SIGKILL');
    }
  });

  it('the converted template-4 server answers CX, ES and Kore.ai calls over mTLS', async () => {
    const work = await convert('server-v4/cx-es-kore/server.ts', 'v4');
    const server = await startServer(path.join(work, 'server.mts'), {
      MTLS_KEY: pki.serverKey,
      MTLS_CERT: pki.serverCrt,
      MTLS_CA: pki.caBundle,
    });
    try {
      const client = { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt };
      const json = { contentType: 'application/json' };
      const cx = await curl(`${server.url}/webhook`, client, { ...json, body: cxRequest('order-status') });
      assert.equal(cx.status, 200, cx.body + server.output());
      assert.deepEqual((JSON.parse(cx.body) as { sessionInfo?: unknown }).sessionInfo, {
        parameters: { last_checked_order: 'A-42' },
      });
      const es = await curl(`${server.url}/webhook`, client, { ...json, body: esRequest('order.status') });
      assert.equal((JSON.parse(es.body) as { fulfillmentText?: unknown }).fulfillmentText, 'Order B-7 is on its way.');
      const kore = await curl(`${server.url}/webhook`, client, { ...json, body: '{"a":1,"b":2}' });
      assert.deepEqual((JSON.parse(kore.body) as { receivedKeys?: unknown }).receivedKeys, ['a', 'b']);
      const other = await curl(
        `${server.url}/webhook`,
        { cert: pki.otherClientCrt, key: pki.otherClientKey, ca: pki.caCrt },
        { ...json, body: cxRequest('hello') },
      );
      assert.equal(other.status, 0, 'a client certificate from another CA fails the handshake');
    } finally {
      server.proc.kill('SIGKILL');
    }
  });
});
