import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunningServer } from '../../../src/extension/server/serverManager';
import type { SendRequestResult } from '../../../src/extension/commands/send/sendRequest';
import type { ProbeResult } from '../../../src/core/http';
import { longestStall } from '../../hostile/longestStall';
import { api, freePort, run, until, ws } from './support';

/** What OWASP recommends for PBKDF2-HMAC-SHA256 and what careful exporters write: half a second of key derivation. */
const ITERATIONS = 600_000;
/** What a carefully encrypted PEM key asks for: `openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 2000000`. */
const KEY_ITERATIONS = 2_000_000;
/** A stall users notice as a stutter (typing, hovers); the host stays under it while a .p12 or key is opened. */
const STALL_LIMIT_MS = 50;

/** Resolves once the decoder has had nothing to do for a while (the tree's background pass over the new files is done). */
async function decoderIdle(): Promise<void> {
  const a = await api();
  const idle = () => a.pendingDecodes().interactive + a.pendingDecodes().background === 0;
  await until(
    'the decoder idle',
    async () => (idle() && (await new Promise((r) => setTimeout(r, 500)), idle()) ? true : undefined),
    60_000,
  );
}

/**
 * The least stall of up to ten measured runs of `work`, stopping at the first under the limit: work on the host's
 * thread stalls every run (by hundreds of milliseconds here), while a machine busy with other processes (2 cores, the
 * other VS Code build's tests and Chromium beside this one) delays the host's timers in some runs only (one CI run
 * measured 75 / 166 / 91 / 61 / 11 ms, while the local runs stay near 15 ms).
 */
async function leastStall<T>(work: () => Promise<T>): Promise<{ value: T; stallMs: number; all: number[] }> {
  const all: number[] = [];
  let value: T | undefined;
  for (let i = 0; i < 10 && !(Math.min(...all) < STALL_LIMIT_MS); i++) {
    const measured = await longestStall(work);
    value = measured.value;
    all.push(measured.stallMs);
  }
  return { value: value as T, stallMs: Math.min(...all), all };
}

describe("the extension host never waits for a PKCS#12 file's or an encrypted key's key derivation", function () {
  this.timeout(120_000);
  const dir = () => path.join(ws(), 'stall');
  const certs = (name: string) => path.join(dir(), 'certs', name);
  const p12 = () => certs('client-600k.p12');
  const passphrase = 'stall meter secret';
  const encryptedKey = () => certs('client-key-2m.pem');
  let server: RunningServer;
  let url: string;

  before(async () => {
    await run('mtls.generateChain', { folder: 'stall/certs', keyType: 'ec256', overwrite: true });
    await run('mtls.scaffoldServer', { folder: 'stall', overwrite: true, open: false });
    server = await run<RunningServer>('mtls.startServer', {
      file: path.join(dir(), 'server.mts'),
      port: await freePort(),
    });
    url = `https://localhost:${server.port}/`;
    // Exported by OpenSSL itself, as a user's careful tool would: 600,000 iterations for the MAC and both PBKDF2s.
    execFileSync(
      'openssl',
      [
        'pkcs12',
        '-export',
        '-in',
        certs('client-crt.pem'),
        '-inkey',
        certs('client-key.pem'),
        '-certfile',
        certs('ca-intermediate-crt.pem'),
        '-out',
        p12(),
        '-passout',
        'env:MTLS_STALL_P12',
        '-iter',
        String(ITERATIONS),
        '-maciter',
      ],
      { env: { ...process.env, MTLS_STALL_P12: passphrase } },
    );
    execFileSync(
      'openssl',
      [
        'pkcs8',
        '-topk8',
        '-v2',
        'aes-256-cbc',
        '-iter',
        String(KEY_ITERATIONS),
        '-in',
        certs('client-key.pem'),
        '-out',
        encryptedKey(),
        '-passout',
        'env:MTLS_STALL_P12',
      ],
      { env: { ...process.env, MTLS_STALL_P12: passphrase } },
    );
    // The first send loads the send command and the HTTP client: a one-time cost, not the .p12's.
    const warm = await run<SendRequestResult>('mtls.sendRequest', {
      url,
      sample: 'cx',
      cert: certs('client-fullchain.pem'),
      key: certs('client-key.pem'),
      ca: certs('ca-root-crt.pem'),
      open: false,
    });
    assert.equal(warm.status, 200, JSON.stringify(warm.error));
    // The files just written are decoded in the background (the .p12 too, trying the empty passphrase): not the send's work.
    await decoderIdle();
  });

  after(async () => {
    await run('mtls.stopServer', { file: path.join(dir(), 'server.mts') });
    fs.rmSync(dir(), { recursive: true, force: true });
  });

  it(`sends with a ${ITERATIONS.toLocaleString('en-US')}-iteration .p12 to a real mTLS server while the host stalls under ${STALL_LIMIT_MS} ms`, async () => {
    const {
      value: r,
      stallMs,
      all,
    } = await leastStall(() =>
      run<SendRequestResult>('mtls.sendRequest', {
        url,
        sample: 'cx',
        pfx: p12(),
        passphrase,
        ca: certs('ca-root-crt.pem'),
        open: false,
      }),
    );
    console.log(
      `    send with the ${ITERATIONS.toLocaleString('en-US')}-iteration .p12: HTTP ${r.status}, extension host's longest stall ${all.join(' / ')} ms`,
    );
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.status, 200);
    assert.equal(r.observation.client.source, 'pkcs12');
    assert.ok(stallMs < STALL_LIMIT_MS, `the extension host stalled ${stallMs} ms`);
  });

  it('a wrong passphrase is still named as one, without the host waiting for the derivation', async () => {
    const { value: r, stallMs } = await leastStall(() =>
      run<SendRequestResult>('mtls.sendRequest', {
        url,
        sample: 'cx',
        pfx: p12(),
        passphrase: 'not it',
        ca: certs('ca-root-crt.pem'),
        open: false,
      }),
    );
    assert.equal(r.status, undefined);
    assert.match(r.error?.explanation.title ?? '', /Wrong passphrase for the PKCS#12/);
    assert.ok(stallMs < STALL_LIMIT_MS, `the extension host stalled ${stallMs} ms`);
  });

  it(`sends with a PEM key encrypted at ${KEY_ITERATIONS.toLocaleString('en-US')} iterations while the host stalls under ${STALL_LIMIT_MS} ms`, async () => {
    const {
      value: r,
      stallMs,
      all,
    } = await leastStall(() =>
      run<SendRequestResult>('mtls.sendRequest', {
        url,
        sample: 'cx',
        cert: certs('client-fullchain.pem'),
        key: encryptedKey(),
        passphrase,
        ca: certs('ca-root-crt.pem'),
        open: false,
      }),
    );
    console.log(
      `    send with the ${KEY_ITERATIONS.toLocaleString('en-US')}-iteration encrypted key: HTTP ${r.status}, extension host's longest stall ${all.join(' / ')} ms`,
    );
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.status, 200);
    assert.equal(r.observation.client.source, 'pem');
    assert.equal(r.observation.client.chain.length, 2);
    assert.ok(stallMs < STALL_LIMIT_MS, `the extension host stalled ${stallMs} ms`);
  });

  it('a wrong key passphrase is still named as one, without the host waiting for the derivation', async () => {
    const { value: r, stallMs } = await leastStall(() =>
      run<SendRequestResult>('mtls.sendRequest', {
        url,
        sample: 'cx',
        cert: certs('client-fullchain.pem'),
        key: encryptedKey(),
        passphrase: 'not it',
        ca: certs('ca-root-crt.pem'),
        open: false,
      }),
    );
    assert.equal(r.status, undefined);
    assert.equal(r.error?.code, 'BAD_PASSPHRASE');
    assert.equal(r.error?.explanation.title, 'The private key could not be decrypted');
    assert.ok(stallMs < STALL_LIMIT_MS, `the extension host stalled ${stallMs} ms`);
  });

  it('the probe presents the .p12 as the accepted client, opening it off the host thread', async () => {
    const {
      value: r,
      stallMs,
      all,
    } = await leastStall(() =>
      run<ProbeResult>('mtls.probeEndpoint', {
        url,
        pfx: p12(),
        passphrase,
        ca: certs('ca-root-crt.pem'),
        open: false,
      }),
    );
    console.log(`    probe with the .p12: ${r.verdict}, extension host's longest stall ${all.join(' / ')} ms`);
    assert.equal(
      r.rows.find((x) => x.id === 'valid')?.observed,
      'accepted',
      JSON.stringify(r.rows.map((x) => [x.id, x.observed, x.detail])),
    );
    assert.equal(r.verdict, 'enforced');
    assert.ok(stallMs < STALL_LIMIT_MS, `the extension host stalled ${stallMs} ms`);
  });
});
