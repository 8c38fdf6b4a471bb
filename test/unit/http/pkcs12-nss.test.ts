// A PKCS#12 file exported by NSS's pk12util (BER: indefinite lengths, OCTET STRINGs in pieces; 600,000 iterations)
// as the client certificate: read by our own reader like a DER file, so it is opened in the decoder's worker thread
// and its key derivation never runs on the calling thread. The server is a real mTLS server on 127.0.0.1 that
// trusts only the root, so the handshake verifies only when the intermediate is sent too.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { IsolatedDecoder } from '../../../src/core/decodeWorker/isolatedDecoder';
import { pkcs12ToPem } from '../../../src/core/credentials/pkcs12ToPem';
import { sendWebhook, type SendResult } from '../../../src/core/http/index';
import { longestStall } from '../../hostile/longestStall';
import { httpsServer, makeChain, tempDir, writeChain, type ChainFiles, type Running } from '../support/http';
import { capture } from '../support/cli';

const PASS = 'nss p12 pass';
/** Far below the second NSS's 600,000 iterations cost on this thread, far above a loaded machine's jitter. */
const STALL_LIMIT_MS = 150;
const hasPk12util = spawnSync('pk12util', ['-h'], { stdio: 'ignore' }).error === undefined;

describe(
  'a PKCS#12 file in BER written by NSS pk12util',
  { skip: !hasPk12util && 'pk12util (libnss3-tools) is not installed' },
  () => {
    let a: ChainFiles;
    let dir: string;
    let nss: Buffer;
    let strict: Running;
    const seen: string[] = [];
    const decoder = new IsolatedDecoder({
      script: path.join(__dirname, '../../../src/core/decodeWorker/worker.js'),
      timeoutMs: () => 10_000,
    });

    before(async () => {
      a = await makeChain('NSS P12 Test');
      dir = writeChain(tempDir('p12-nss'), a);
      const run = (cmd: string, ...args: string[]) =>
        execFileSync(cmd, args, {
          cwd: dir,
          env: { ...process.env, P12_PASS: PASS },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      // Into an NSS database with its chain, then out again as pk12util writes it.
      run(
        'openssl',
        'pkcs12',
        '-export',
        '-in',
        'client-crt.pem',
        '-certfile',
        'ca-intermediate-crt.pem',
        '-inkey',
        'client-key.pem',
        '-name',
        'nss client',
        '-passout',
        'env:P12_PASS',
        '-out',
        'client.p12',
      );
      mkdirSync(path.join(dir, 'nssdb'));
      run('certutil', '-N', '-d', 'sql:nssdb', '--empty-password');
      run('pk12util', '-i', 'client.p12', '-d', 'sql:nssdb', '-W', PASS);
      run('pk12util', '-o', 'nss.p12', '-n', 'nss client', '-d', 'sql:nssdb', '-W', PASS);
      nss = readFileSync(path.join(dir, 'nss.p12'));
      const structure = run('openssl', 'asn1parse', '-inform', 'DER', '-in', 'nss.p12').toString('utf8');
      assert.match(structure, /^ +0:d=0 +hl=2 l=inf +cons: SEQUENCE/, 'the PFX has an indefinite length');
      const info = spawnSync('openssl', ['pkcs12', '-in', 'nss.p12', '-info', '-noout', '-passin', 'env:P12_PASS'], {
        cwd: dir,
        env: { ...process.env, P12_PASS: PASS },
        encoding: 'utf8',
      });
      assert.match(
        info.stdout + info.stderr,
        /Shrouded Keybag: PBES2.*Iteration 600000/,
        'NSS derives its keys 600,000 times',
      );
      writeFileSync(path.join(dir, 'cut.p12'), nss.subarray(0, nss.length - 40));
      strict = await httpsServer(
        {
          key: a['server-key.pem'],
          cert: a['server-fullchain.pem'],
          ca: a['ca-root-crt.pem'],
          requestCert: true,
          rejectUnauthorized: true,
        },
        (req, res) => {
          seen.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN));
          req.resume();
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ fulfillmentResponse: { messages: [{ text: { text: ['ok'] } }] } }));
        },
      );
      // Loading the HTTP client is a one-time cost of the first send, not the file's.
      const warm = await sendWebhook({
        url: strict.url,
        body: {},
        certPem: a['client-fullchain.pem'],
        keyPem: a['client-key.pem'],
        caPem: a['ca-root-crt.pem'],
        timeoutMs: 10_000,
      });
      assert.equal(warm.status, 200, JSON.stringify(warm.error));
    });
    after(async () => {
      decoder.dispose();
      await strict?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('mtls send --pfx presents its leaf and intermediate to a strict mTLS server', async () => {
      const ctx = capture(dir, { P12_PASS: PASS });
      const code = await main(
        ['send', strict.url, '--pfx', 'nss.p12', '--passphrase-env', 'P12_PASS', '--ca', 'ca-root-crt.pem', '--json'],
        ctx,
      );
      assert.equal(code, 0, ctx.stderr() + ctx.stdout());
      const r = JSON.parse(ctx.stdout()) as SendResult;
      assert.equal(r.status, 200);
      assert.equal(r.observation.client.source, 'pkcs12');
      assert.equal(r.observation.client.chain.length, 2, 'the leaf and its intermediate, as from --cert/--key');
      assert.equal(seen.at(-1), 'mtls-client');
    });

    it('opened in the worker and sent, without stalling the calling thread', async () => {
      const t0 = performance.now();
      pkcs12ToPem(nss, PASS);
      const hereMs = Math.round(performance.now() - t0);
      const { value: r, stallMs } = await longestStall(async () =>
        sendWebhook({
          url: strict.url,
          body: {},
          pfx: nss,
          pfxOpened: await decoder.openPkcs12(nss, PASS),
          passphrase: PASS,
          caPem: a['ca-root-crt.pem'],
          timeoutMs: 10_000,
        }),
      );
      console.log(
        `    pk12util's BER file: ${hereMs} ms to open on this thread; opened in the worker and sent with a longest stall of ${stallMs} ms`,
      );
      assert.equal(r.status, 200, JSON.stringify(r.error));
      assert.equal(r.observation.client.chain.length, 2);
      assert.ok(stallMs < STALL_LIMIT_MS, `the calling thread stalled ${stallMs} ms`);
    });

    it('given as --cert it is named as PKCS#12, to pass with --pfx', async () => {
      const ctx = capture(dir, { P12_PASS: PASS });
      const code = await main(
        ['send', strict.url, '--cert', 'nss.p12', '--key', 'client-key.pem', '--ca', 'ca-root-crt.pem'],
        ctx,
      );
      assert.equal(code, 1, ctx.stdout());
      assert.match(
        ctx.stderr(),
        /nss\.p12 \(--cert\) holds no certificate: it is a PKCS#12 \(\.p12\/\.pfx\) file\. .*Give a PKCS#12 file as --pfx/,
      );
    });

    it('cut short, it is a damaged PKCS#12 file, refused before any connection', async () => {
      const before = seen.length;
      const ctx = capture(dir, { P12_PASS: PASS });
      const code = await main(
        ['send', strict.url, '--pfx', 'cut.p12', '--passphrase-env', 'P12_PASS', '--ca', 'ca-root-crt.pem'],
        ctx,
      );
      assert.equal(code, 1, ctx.stdout());
      assert.match(ctx.stderr(), /cut\.p12 \(--pfx\) is a damaged PKCS#12 file \(.+\): export it again/);
      assert.equal(seen.length, before);
    });
  },
);
