// A PKCS#12 file opened for a send in the decoder's worker thread: its key derivation (600,000 iterations here, as
// careful exporters write) costs the calling thread nothing, and the send does not open it again. The file is
// written by the openssl CLI, the server is `openssl s_server` (another process) on 127.0.0.1.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { IsolatedDecoder } from '../../../src/core/decodeWorker/isolatedDecoder';
import { MtlsError, InputError } from '../../../src/core/errors';
import { sendWebhook } from '../../../src/core/http/index';
import { pemOfOpened, pkcs12ToPem } from '../../../src/core/credentials/pkcs12ToPem';
import { Pkcs12Error } from '../../../src/core/x509/pkcs12';
import { longestStall } from '../../hostile/longestStall';
import { makeChain, opensslServer, tempDir, writeChain, type ChainFiles, type Running } from '../support/http';

const PASS = 'p12 worker pass';
const ITERATIONS = 600_000;
/** Far below the half second the key derivation takes on this thread, far above a loaded machine's jitter. */
const STALL_LIMIT_MS = 150;

describe('a PKCS#12 file opened off the calling thread', () => {
  let a: ChainFiles;
  let dir: string;
  let p12: Buffer;
  let ossl: Running;
  const decoder = new IsolatedDecoder({
    script: path.join(__dirname, '../../../src/core/decodeWorker/worker.js'),
    timeoutMs: () => 5000,
  });

  before(async () => {
    a = await makeChain('P12 Worker Test');
    dir = writeChain(tempDir('p12-worker'), a);
    const r = spawnSync(
      'openssl',
      [
        'pkcs12',
        '-export',
        '-iter',
        String(ITERATIONS),
        '-maciter',
        '-in',
        'client-crt.pem',
        '-certfile',
        'ca-intermediate-crt.pem',
        '-inkey',
        'client-key.pem',
        '-out',
        'slow.p12',
        '-passout',
        'env:P12_PASS',
      ],
      { cwd: dir, env: { ...process.env, P12_PASS: PASS }, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    p12 = readFileSync(path.join(dir, 'slow.p12'));
    ossl = await opensslServer(
      [
        '-Verify',
        '2',
        '-verify_return_error',
        '-www',
        '-CAfile',
        'ca-root-crt.pem',
        '-cert',
        'server-crt.pem',
        '-cert_chain',
        'ca-intermediate-crt.pem',
        '-key',
        'server-key.pem',
      ],
      dir,
    );
    // Loading the HTTP client is a one-time cost of the first send, not the file's.
    const warm = await sendWebhook({
      url: ossl.url,
      method: 'GET',
      body: '',
      certPem: a['client-fullchain.pem'],
      keyPem: a['client-key.pem'],
      caPem: a['ca-root-crt.pem'],
      timeoutMs: 10_000,
    });
    assert.equal(warm.status, 200, JSON.stringify(warm.error));
  });
  after(async () => {
    decoder.dispose();
    await ossl?.close();
  });

  it('gives the same chain and key as opening it on this thread, which it never stalls', async () => {
    const t0 = performance.now();
    const here = pkcs12ToPem(p12, PASS);
    const hereMs = Math.round(performance.now() - t0);
    const { value: opened, stallMs } = await longestStall(() => decoder.openPkcs12(p12, PASS));
    console.log(
      `    ${ITERATIONS.toLocaleString('en-US')} iterations: ${hereMs} ms on this thread; opened in the worker with a longest stall of ${stallMs} ms`,
    );
    assert.ok(here);
    assert.deepEqual(pemOfOpened(opened), here);
    assert.match(here.certPem, /^(-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n){2}$/);
    assert.ok(stallMs < STALL_LIMIT_MS, `the calling thread stalled ${stallMs} ms`);
  });

  it('a send with the opened file presents it without deriving its keys again on this thread', async () => {
    const opened = await decoder.openPkcs12(p12, PASS);
    const { value: r, stallMs } = await longestStall(() =>
      sendWebhook({
        url: ossl.url,
        method: 'GET',
        body: '',
        pfx: p12,
        pfxOpened: opened,
        passphrase: PASS,
        caPem: a['ca-root-crt.pem'],
        timeoutMs: 10_000,
      }),
    );
    assert.equal(r.status, 200, JSON.stringify(r.error));
    assert.equal(r.observation.client.source, 'pkcs12');
    assert.equal(r.observation.client.chain.length, 2, 'the leaf and its intermediate, as from --cert/--key');
    assert.ok(stallMs < STALL_LIMIT_MS, `the send stalled its thread ${stallMs} ms`);
  });

  it('a wrong passphrase comes back typed, and the send explains it as one', async () => {
    const opened = await decoder.openPkcs12(p12, 'not the passphrase');
    assert.throws(
      () => pemOfOpened(opened),
      (e: unknown) => e instanceof Pkcs12Error && e.code === 'wrong-passphrase',
    );
    const { value: r, stallMs } = await longestStall(() =>
      sendWebhook({
        url: ossl.url,
        method: 'GET',
        body: '',
        pfx: p12,
        pfxOpened: opened,
        passphrase: 'not the passphrase',
        caPem: a['ca-root-crt.pem'],
      }),
    );
    assert.equal(r.status, undefined);
    assert.equal(r.error?.explanation.title, 'Wrong passphrase for the PKCS#12 (.p12/.pfx) file');
    assert.ok(stallMs < STALL_LIMIT_MS, `the send stalled its thread ${stallMs} ms`);
  });

  it('a file that is not PKCS#12 comes back as the InputError saying what it is', async () => {
    const opened = await decoder.openPkcs12(Buffer.from(a['client-crt.pem']), PASS);
    assert.throws(
      () => pemOfOpened(opened),
      (e: unknown) => e instanceof InputError && /is not a PKCS#12 file: it .*certificate.*--cert/.test(e.message),
    );
  });

  it('past its deadline the worker is stopped and the error says what to do', async () => {
    const opened = await decoder.openPkcs12(p12, PASS, { timeoutMs: 5 });
    assert.throws(
      () => pemOfOpened(opened),
      (e: unknown) =>
        e instanceof MtlsError &&
        e.code === 'E_PKCS12_TIMEOUT' &&
        /took longer than 5 ms.*-iter 100000/.test(e.message),
    );
    // A new worker opens the next file.
    assert.ok(pemOfOpened(await decoder.openPkcs12(p12, PASS)));
  });
});
