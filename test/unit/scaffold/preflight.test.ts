// Startup failures: the generated server's own `mtls-server error [CODE]` line + exit 1, and core preflight() on
// the settings the scaffolded server.mts reports (--print-config).
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { scaffoldServer } from '../../../src/core/scaffold/scaffoldServer';
import { preflight, formatProblem } from '../../../src/core/scaffold/preflight';
import { readServerConfig } from '../../../src/core/scaffold/serverConfig';
import { serverErrorLine } from '../../../src/core/scaffold/serverLines';
import { ensureBuilt, loaderPath, makePki, runToExit, tempDir, type Pki } from '../support/scaffold';

function occupyPort(): Promise<net.Server> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

function portOf(s: net.Server): number {
  const a = s.address();
  return typeof a === 'object' && a !== null ? a.port : 0;
}

describe('startup failures', () => {
  let dir: string;
  let pki: Pki;
  let serverFile: string;
  let busy: net.Server;

  before(async () => {
    ensureBuilt();
    dir = tempDir('preflight');
    pki = makePki(path.join(dir, 'certs'));
    serverFile = await scaffoldServer(dir);
    busy = await occupyPort();
  });

  const PATH = process.env['PATH'];
  const read = { loaderPath };

  after(() => {
    busy?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The one error line of a failed start, parsed. */
  function errorLine(output: string): { code: string; message: string; count: number } {
    const lines = output.split('\n').filter((l) => l.startsWith('mtls-server error ['));
    const m = serverErrorLine.exec(lines[0] ?? '');
    return { code: m?.[1] ?? '', message: m?.[2] ?? '', count: lines.length };
  }

  it('server: a port in use is EADDRINUSE, one line, exit 1', async () => {
    const r = await runToExit(serverFile, { MTLS_PORT: String(portOf(busy)) });
    assert.equal(r.code, 1);
    const e = errorLine(r.output);
    assert.equal(e.code, 'EADDRINUSE');
    assert.equal(e.count, 1);
    assert.match(e.message, new RegExp(`port ${portOf(busy)} on 127\\.0\\.0\\.1 is already in use`));
  });

  it('server: a missing key / certificate / CA is ENOENT_KEY / ENOENT_CERT / ENOENT_CA', async () => {
    for (const [variable, code] of [
      ['MTLS_KEY', 'ENOENT_KEY'],
      ['MTLS_CERT', 'ENOENT_CERT'],
      ['MTLS_CA', 'ENOENT_CA'],
    ] as const) {
      const r = await runToExit(serverFile, { MTLS_PORT: '0', [variable]: path.join(dir, 'missing.pem') });
      assert.equal(r.code, 1, r.output);
      assert.equal(errorLine(r.output).code, code, r.output);
      assert.match(r.output, /missing\.pem/);
    }
  });

  it('server: a key that does not belong to the certificate is KEY_MISMATCH', async () => {
    const r = await runToExit(serverFile, { MTLS_PORT: '0', MTLS_KEY: pki.otherKey });
    assert.equal(r.code, 1);
    assert.equal(errorLine(r.output).code, 'KEY_MISMATCH');
  });

  it('server: an encrypted key without or with a wrong passphrase is BAD_PASSPHRASE; the right one starts', async () => {
    const none = await runToExit(serverFile, { MTLS_PORT: '0', MTLS_KEY: pki.serverKeyEncrypted });
    assert.equal(none.code, 1);
    assert.equal(errorLine(none.output).code, 'BAD_PASSPHRASE');
    const wrong = await runToExit(serverFile, {
      MTLS_PORT: '0',
      MTLS_KEY: pki.serverKeyEncrypted,
      MTLS_KEY_PASSPHRASE: 'wrong horse',
    });
    assert.equal(wrong.code, 1);
    assert.equal(errorLine(wrong.output).code, 'BAD_PASSPHRASE');
    assert.doesNotMatch(wrong.output, /wrong horse/, 'never prints the passphrase');
    // The right passphrase gets as far as listening: prove it by making the port busy (EADDRINUSE comes after the key checks).
    const right = await runToExit(serverFile, {
      MTLS_PORT: String(portOf(busy)),
      MTLS_KEY: pki.serverKeyEncrypted,
      MTLS_KEY_PASSPHRASE: 'correct horse',
    });
    assert.equal(errorLine(right.output).code, 'EADDRINUSE', right.output);
  });

  it('preflight: reads the settings server.mts reports and finds the same problems before starting anything', async () => {
    const ok = await readServerConfig(serverFile, { PATH, MTLS_PORT: '0' }, read);
    assert.equal(ok.keyPath, pki.serverKey);
    assert.equal(ok.certPath, pki.serverCrt, 'server-fullchain.pem is absent, so server-crt.pem');
    assert.equal(ok.caPath, pki.caCrt);
    assert.equal(ok.host, '127.0.0.1');
    assert.deepEqual(await preflight(ok), []);

    const busyConfig = await readServerConfig(serverFile, { PATH, MTLS_PORT: String(portOf(busy)) }, read);
    assert.deepEqual(
      (await preflight(busyConfig)).map((p) => p.code),
      ['EADDRINUSE'],
    );

    const missing = await readServerConfig(
      serverFile,
      { PATH, MTLS_PORT: '0', MTLS_KEY: path.join(dir, 'nope-key.pem'), MTLS_CA: path.join(dir, 'nope-ca.pem') },
      read,
    );
    assert.deepEqual(
      (await preflight(missing)).map((p) => p.code),
      ['ENOENT_KEY', 'ENOENT_CA'],
    );

    const mismatch = await readServerConfig(serverFile, { PATH, MTLS_PORT: '0', MTLS_KEY: pki.otherKey }, read);
    const problems = await preflight(mismatch);
    assert.deepEqual(
      problems.map((p) => p.code),
      ['KEY_MISMATCH'],
    );
    assert.match(
      formatProblem(problems[0]),
      /^mtls-server error \[KEY_MISMATCH\]: the private key .*unrelated-key\.pem does not belong to the certificate/,
    );

    const wrong = await readServerConfig(
      serverFile,
      { PATH, MTLS_PORT: '0', MTLS_KEY: pki.serverKeyEncrypted, MTLS_KEY_PASSPHRASE: 'nope' },
      read,
    );
    assert.deepEqual(
      (await preflight(wrong)).map((p) => p.code),
      ['BAD_PASSPHRASE'],
    );
    const right = await readServerConfig(
      serverFile,
      { PATH, MTLS_PORT: '0', MTLS_KEY: pki.serverKeyEncrypted, MTLS_KEY_PASSPHRASE: 'correct horse' },
      read,
    );
    assert.deepEqual(await preflight(right), []);
  });

  it('preflight: behind an edge on plain HTTP only the CA bundle is needed, as the server itself reads it', async () => {
    const edge = {
      PATH,
      MTLS_PORT: '0',
      MTLS_EDGE: 'nginx',
      MTLS_EDGE_SECRET: 's',
      MTLS_KEY: path.join(dir, 'nope-key.pem'),
      MTLS_CERT: path.join(dir, 'nope-crt.pem'),
    };
    assert.deepEqual(await preflight(await readServerConfig(serverFile, edge, read)), []);
    const noCa = await readServerConfig(serverFile, { ...edge, MTLS_CA: path.join(dir, 'nope-ca.pem') }, read);
    assert.deepEqual(
      (await preflight(noCa)).map((p) => p.code),
      ['ENOENT_CA'],
    );
    // HTTPS towards the edge uses the server's own certificate: then the key and certificate are needed again.
    const https = await readServerConfig(serverFile, { ...edge, MTLS_EDGE_LISTEN: 'https' }, read);
    assert.deepEqual(
      (await preflight(https)).map((p) => p.code),
      ['ENOENT_KEY', 'ENOENT_CERT'],
    );
  });

  it('preflight: reads a CA bundle under TRUSTED CERTIFICATE or X509 CERTIFICATE as the server does; one without a certificate is BAD_CA', async () => {
    const relabelled = {
      'ca-trusted.pem': execFileSync('openssl', ['x509', '-in', pki.caCrt, '-trustout', '-addtrust', 'clientAuth'], {
        encoding: 'utf8',
      }),
      'ca-x509.pem': readFileSync(pki.caCrt, 'utf8').replace(
        /(BEGIN|END) CERTIFICATE-----/g,
        '$1 X509 CERTIFICATE-----',
      ),
      'ca-key-only.pem': readFileSync(pki.clientKey, 'utf8'),
    };
    for (const [name, text] of Object.entries(relabelled)) {
      writeFileSync(path.join(dir, name), text);
      const c = await readServerConfig(serverFile, { PATH, MTLS_PORT: '0', MTLS_CA: path.join(dir, name) }, read);
      assert.deepEqual(
        (await preflight(c)).map((p) => p.code),
        name === 'ca-key-only.pem' ? ['BAD_CA'] : [],
        name,
      );
    }
  });

  it('preflight: prefers certs/server-fullchain.pem when it exists', async () => {
    copyFileSync(pki.serverCrt, path.join(dir, 'certs', 'server-fullchain.pem'));
    try {
      const c = await readServerConfig(serverFile, { PATH }, read);
      assert.equal(c.certPath, path.join(dir, 'certs', 'server-fullchain.pem'));
      assert.equal(c.port, 4433);
    } finally {
      rmSync(path.join(dir, 'certs', 'server-fullchain.pem'));
    }
  });
});
