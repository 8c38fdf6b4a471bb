// An encrypted PEM private key opened for a send in the decoder's worker thread: its key derivation (2,000,000
// PBKDF2 iterations here) costs the calling thread nothing, the TLS context is built from the plain key, and a wrong
// or missing passphrase is explained exactly as when the context decrypts the key itself. Keys encrypted by the
// openssl CLI; a real mTLS server on 127.0.0.1 that trusts only the root.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { IsolatedDecoder } from '../../../src/core/decodeWorker/isolatedDecoder';
import { sendWebhook, type SendOptions, type SendResult } from '../../../src/core/http/index';
import { MtlsError } from '../../../src/core/errors';
import { keyPemOfOpened } from '../../../src/core/credentials/openedKeyPem';
import { longestStall } from '../../hostile/longestStall';
import { httpsServer, makeChain, tempDir, writeChain, type ChainFiles, type Running } from '../support/http';

const PASS = 'key worker pass';
const ITERATIONS = 2_000_000;
/** Far below what the key derivation takes on this thread, far above a loaded machine's jitter. */
const STALL_LIMIT_MS = 150;

describe('an encrypted PEM key opened off the calling thread', () => {
  let a: ChainFiles;
  let dir: string;
  let pkcs8: string;
  let legacy: string;
  let strict: Running;
  const decoder = new IsolatedDecoder({
    script: path.join(__dirname, '../../../src/core/decodeWorker/worker.js'),
    timeoutMs: () => 10_000,
  });
  const send = (o: Partial<SendOptions>): Promise<SendResult> =>
    sendWebhook({
      url: strict.url,
      body: {},
      certPem: a['client-fullchain.pem'],
      caPem: a['ca-root-crt.pem'],
      timeoutMs: 10_000,
      ...o,
    });

  before(async () => {
    a = await makeChain('Key Worker Test');
    dir = writeChain(tempDir('key-worker'), a);
    const openssl = (...args: string[]) =>
      execFileSync('openssl', args, { cwd: dir, env: { ...process.env, KEY_PASS: PASS }, stdio: 'pipe' });
    openssl(
      'pkcs8',
      '-topk8',
      '-v2',
      'aes-256-cbc',
      '-iter',
      String(ITERATIONS),
      '-in',
      'client-key.pem',
      '-passout',
      'env:KEY_PASS',
      '-out',
      'client-key-pkcs8.pem',
    );
    openssl(
      'pkey',
      '-in',
      'client-key.pem',
      '-aes256',
      '-traditional',
      '-passout',
      'env:KEY_PASS',
      '-out',
      'legacy.pem',
    );
    pkcs8 = readFileSync(path.join(dir, 'client-key-pkcs8.pem'), 'utf8');
    legacy = readFileSync(path.join(dir, 'legacy.pem'), 'utf8');
    assert.match(pkcs8, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    assert.match(legacy, /Proc-Type: 4,ENCRYPTED/);
    strict = await httpsServer({
      key: a['server-key.pem'],
      cert: a['server-fullchain.pem'],
      ca: a['ca-root-crt.pem'],
      requestCert: true,
      rejectUnauthorized: true,
    });
    // Loading the HTTP client is a one-time cost of the first send, not the key's.
    const warm = await send({ keyPem: a['client-key.pem'] });
    assert.equal(warm.status, 200, JSON.stringify(warm.error));
  });
  after(async () => {
    decoder.dispose();
    await strict?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`sends with a key encrypted at ${ITERATIONS.toLocaleString('en-US')} iterations, decrypted in the worker, without stalling the calling thread`, async () => {
    const t0 = performance.now();
    createPrivateKey({ key: pkcs8, passphrase: PASS });
    const hereMs = Math.round(performance.now() - t0);
    const { value: r, stallMs } = await longestStall(async () =>
      send({ keyPem: pkcs8, keyOpened: await decoder.openKeyPem(pkcs8, PASS), passphrase: PASS }),
    );
    console.log(
      `    ${ITERATIONS.toLocaleString('en-US')} iterations: ${hereMs} ms to decrypt on this thread; decrypted in the worker and sent with a longest stall of ${stallMs} ms`,
    );
    assert.equal(r.status, 200, JSON.stringify(r.error));
    assert.equal(r.observation.client.chain.length, 2);
    assert.ok(stallMs < STALL_LIMIT_MS, `the calling thread stalled ${stallMs} ms`);
  });

  it('the worker returns the key unencrypted (PKCS#8), the same key', async () => {
    for (const pem of [pkcs8, legacy]) {
      const plain = keyPemOfOpened(await decoder.openKeyPem(pem, PASS));
      assert.match(plain, /^-----BEGIN PRIVATE KEY-----\n/);
      assert.deepEqual(
        createPrivateKey(plain).export({ type: 'pkcs8', format: 'der' }),
        createPrivateKey(a['client-key.pem']).export({ type: 'pkcs8', format: 'der' }),
      );
    }
    const r = await send({ keyPem: legacy, keyOpened: await decoder.openKeyPem(legacy, PASS), passphrase: PASS });
    assert.equal(r.status, 200, JSON.stringify(r.error));
  });

  it('a wrong or missing passphrase is explained as when the TLS context decrypts the key', async () => {
    for (const pem of [pkcs8, legacy]) {
      for (const passphrase of ['not it', '', undefined]) {
        const given = passphrase !== undefined ? { passphrase } : {};
        const today = await send({ keyPem: pem, ...given });
        const { value: r, stallMs } = await longestStall(async () =>
          send({ keyPem: pem, keyOpened: await decoder.openKeyPem(pem, passphrase), ...given }),
        );
        assert.ok(today.error, 'the key did not open');
        assert.deepEqual(r.error, today.error, `${pem.split('\n')[0]} with ${JSON.stringify(passphrase)}`);
        assert.equal(r.observation.marks.connectedMs, undefined, 'no connection was made');
        assert.ok(stallMs < STALL_LIMIT_MS, `the calling thread stalled ${stallMs} ms`);
      }
    }
    assert.equal(
      (await send({ keyPem: pkcs8, passphrase: 'not it' })).error?.explanation.action,
      'checkPassphrase',
      'a wrong passphrase is named as one',
    );
  });

  it('past its deadline the worker is stopped and the error says what to do', async () => {
    const opened = await decoder.openKeyPem(pkcs8, PASS, { timeoutMs: 5 });
    assert.throws(
      () => keyPemOfOpened(opened),
      (e: unknown) =>
        e instanceof MtlsError && e.code === 'E_KEY_TIMEOUT' && /took longer than 5 ms.*-iter 600000/.test(e.message),
    );
    assert.ok(keyPemOfOpened(await decoder.openKeyPem(pkcs8, PASS)));
  });
});
