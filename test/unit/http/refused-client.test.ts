// A client certificate the server refuses at the handshake, sent for real by the `mtls` process to the scaffolded
// server on 127.0.0.1: the result is always printed with exit 1 (a refusal that arrives right after a TLS 1.3
// handshake once left Node 20's undici waiting, and the process ended with nothing printed), and what our own
// certificate gets wrong is said up front.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { scaffoldServer, serverFileName } from '../../../src/core/scaffold/scaffoldServer';
import {
  ensureBuilt,
  makePki,
  repoRoot,
  runCommand,
  startServer,
  tempDir,
  type Pki,
  type RunningServer,
} from '../support/scaffold';

const cli = path.join(repoRoot, 'dist', 'cli.js');

describe('mtls send with a client certificate the server refuses', () => {
  let dir: string;
  let pki: Pki;
  let server: RunningServer;

  before(async () => {
    ensureBuilt();
    dir = tempDir('refused-client');
    pki = makePki(path.join(dir, 'certs'));
    const serverTs = path.join(dir, serverFileName);
    await scaffoldServer(dir);
    server = await startServer(serverTs, { MTLS_KEY: pki.serverKey, MTLS_CERT: pki.serverCrt, MTLS_CA: pki.caCrt });
  });

  after(() => {
    server?.proc.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const send = (cert: string, key: string) =>
    runCommand(process.execPath, [
      cli,
      'send',
      `${server.url}/webhook`,
      '--cert',
      cert,
      '--key',
      key,
      '--ca',
      pki.caCrt,
      '--timeout',
      '8000',
    ]);

  it('an expired certificate: every run prints its result and the likely cause, exits 1, and never waits for the deadline', async () => {
    // The lost refusal was a race (about one run in ten on Node 20): twenty runs.
    for (let i = 0; i < 20; i++) {
      const r = await send(pki.expiredClientCrt, pki.clientKey);
      assert.equal(r.code, 1, `run ${i}: ${r.output}`);
      assert.match(
        r.stdout,
        /^!!! Your client certificate \(CN=Google LLC, .*\) expired on \d{4}-\d{2}-\d{2}: a server that checks it refuses it at the handshake\. Issue a new one \(mtls client\)\.$/m,
        `run ${i}`,
      );
      assert.match(r.stdout, /^FAILED: /m, `run ${i}: ${r.output}`);
      assert.doesNotMatch(r.output, /timed out|stopped without a result/, `run ${i}`);
    }
  });

  it('a server certificate given as the client certificate: said to be not for client authentication', async () => {
    const r = await send(pki.serverCrt, pki.serverKey);
    assert.equal(r.code, 1, r.output);
    assert.match(
      r.stdout,
      /^!!! Your client certificate \(CN=localhost\) is not for client authentication \(its extendedKeyUsage lacks clientAuth\): a server that checks it refuses it \(INVALID_PURPOSE\)\./m,
    );
    assert.match(r.stdout, /^FAILED: /m);
  });

  it('a good certificate: no warning about it', async () => {
    const r = await send(pki.clientCrt, pki.clientKey);
    assert.equal(r.code, 0, r.output);
    assert.doesNotMatch(r.stdout, /Your client certificate/);
  });
});
