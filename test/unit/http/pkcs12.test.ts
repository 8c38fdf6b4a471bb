// A PKCS#12 file as the client certificate: read by our own decoder and presented like --cert/--key, so the
// legacy RC2 files of `openssl pkcs12 -export -legacy` (Java, Windows, older tools) work although OpenSSL 3 and
// Node refuse them; files that are not PKCS#12 are refused before any connection. Real servers on 127.0.0.1,
// PKCS#12 files written by the openssl CLI.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { sendWebhook, type ProbeResult } from '../../../src/core/http/index';
import {
  httpsServer,
  makeChain,
  opensslServer,
  tempDir,
  writeChain,
  type ChainFiles,
  type Running,
} from '../support/http';
import { capture } from '../support/cli';

const PASS = 'p12 pass';

/** `openssl pkcs12 -export` of the client certificate, its intermediate and key, with `args` choosing the encryption. */
function exportP12(dir: string, name: string, args: string[]): { ok: boolean; why: string } {
  const r = spawnSync(
    'openssl',
    [
      'pkcs12',
      '-export',
      ...args,
      '-in',
      'client-crt.pem',
      '-certfile',
      'ca-intermediate-crt.pem',
      '-inkey',
      'client-key.pem',
      '-out',
      name,
      '-passout',
      'env:P12_PASS',
    ],
    { cwd: dir, env: { ...process.env, P12_PASS: PASS }, encoding: 'utf8' },
  );
  return { ok: r.status === 0, why: r.stderr };
}

/** What `openssl pkcs12 -info` says about how the file is encrypted (it writes that to stderr). */
function p12Info(dir: string, name: string, legacy: boolean): string {
  const r = spawnSync(
    'openssl',
    ['pkcs12', ...(legacy ? ['-legacy'] : []), '-in', name, '-info', '-noout', '-passin', 'env:P12_PASS'],
    { cwd: dir, env: { ...process.env, P12_PASS: PASS }, encoding: 'utf8' },
  );
  return r.stdout + r.stderr;
}

describe('PKCS#12 client certificates (legacy RC2 and 3DES included)', () => {
  let a: ChainFiles;
  let dir: string;
  let strict: Running & { server: import('node:https').Server };
  let ossl: Running & { output(): string };
  let legacy: { ok: boolean; why: string };
  let connections = 0;
  const seen: string[] = [];

  before(async () => {
    a = await makeChain('P12 Test');
    dir = writeChain(tempDir('p12'), a);
    legacy = exportP12(dir, 'legacy.p12', ['-legacy']);
    assert.ok(
      exportP12(dir, 'des.p12', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']).ok,
    );
    writeFileSync(path.join(dir, 'garbage.p12'), Buffer.from([0x00, 0xff, 0x13, 0x37, 0x02, 0x9c, 0x01, 0x00]));
    // The first bytes of a PFX (SEQUENCE, INTEGER 3), then nothing of the 65,535 bytes it announces.
    writeFileSync(path.join(dir, 'cut.p12'), Buffer.from('3082ffff0201030400', 'hex'));
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
    strict.server.on('connection', () => connections++);
    // Only the root in -CAfile: the handshake verifies only when the client sends its intermediate too.
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
  });
  after(async () => {
    await strict?.close();
    await ossl?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends with an `openssl pkcs12 -export -legacy` (RC2-40) file that Node alone refuses; openssl s_server verifies the chain', async (t) => {
    if (!legacy.ok) return t.skip(`this openssl has no legacy provider: ${legacy.why.split('\n')[0]}`);
    assert.match(p12Info(dir, 'legacy.p12', true), /pbeWithSHA1And40BitRC2-CBC/);
    const pfx = readFileSync(path.join(dir, 'legacy.p12'));
    // What the client used to do: OpenSSL 3 without its legacy provider cannot read the file.
    assert.throws(() => createSecureContext({ pfx, passphrase: PASS }), /Unsupported PKCS12 PFX data|unsupported/i);
    const r = await sendWebhook({
      url: ossl.url,
      method: 'GET',
      body: '',
      pfx,
      passphrase: PASS,
      caPem: a['ca-root-crt.pem'],
      timeoutMs: 10_000,
    });
    assert.equal(r.status, 200, r.error?.message);
    assert.match(r.body ?? '', /Subject: O=P12 Test, CN=mtls-client/);
    assert.match(r.body ?? '', /Verify return code: 0 \(ok\)/);
    assert.equal(r.observation.client.source, 'pkcs12');
    assert.deepEqual(
      r.observation.client.chain.map((c) => c.subject),
      ['O=P12 Test, CN=mtls-client', 'O=P12 Test, CN=P12 Test Intermediate CA'],
    );
    assert.equal(r.tls?.clientCertificate.subject, 'O=P12 Test, CN=mtls-client');
  });

  it('sends with a 3DES file (-keypbe/-certpbe PBE-SHA1-3DES) the same way', async () => {
    assert.match(p12Info(dir, 'des.p12', false), /pbeWithSHA1And3-KeyTripleDES-CBC/);
    const r = await sendWebhook({
      url: ossl.url,
      method: 'GET',
      body: '',
      pfx: readFileSync(path.join(dir, 'des.p12')),
      passphrase: PASS,
      caPem: a['ca-root-crt.pem'],
      timeoutMs: 10_000,
    });
    assert.equal(r.status, 200, r.error?.message);
    assert.match(r.body ?? '', /Verify return code: 0 \(ok\)/);
  });

  it('mtls send and mtls probe accept --pfx legacy.p12 like --cert/--key', async (t) => {
    const file = legacy.ok ? 'legacy.p12' : 'des.p12';
    if (!legacy.ok) t.diagnostic('no legacy provider: the 3DES file stands in');
    const env = { P12_PASS: PASS };
    let ctx = capture(dir, env);
    assert.equal(
      await main(['send', strict.url, '--pfx', file, '--passphrase-env', 'P12_PASS', '--ca', 'ca-root-crt.pem'], ctx),
      0,
      ctx.stderr() + ctx.stdout(),
    );
    assert.match(ctx.stdout(), /HTTP 200/);
    assert.equal(seen.at(-1), 'mtls-client');
    ctx = capture(dir, env);
    const code = await main(
      [
        'probe',
        strict.url,
        '--pfx',
        file,
        '--passphrase-env',
        'P12_PASS',
        '--ca',
        'ca-root-crt.pem',
        '--issuer-cert',
        'ca-intermediate-crt.pem',
        '--issuer-key',
        'ca-intermediate-key.pem',
        '--json',
      ],
      ctx,
    );
    const r = JSON.parse(ctx.stdout()) as ProbeResult;
    assert.equal(code, 0, r.summary);
    assert.equal(r.verdict, 'enforced');
    assert.equal(r.rows.find((row: { id: string }) => row.id === 'valid')?.observed, 'accepted');
  });

  it('a PKCS#12 file in BER (indefinite lengths, as some Windows and Java exports) is read like a DER one', async () => {
    const der = readFileSync(path.join(dir, 'des.p12'));
    const header = der[1] & 0x80 ? 2 + (der[1] & 0x7f) : 2;
    writeFileSync(
      path.join(dir, 'ber.p12'),
      Buffer.concat([Buffer.from([0x30, 0x80]), der.subarray(header), Buffer.from([0, 0])]),
    );
    assert.match(p12Info(dir, 'ber.p12', false), /pbeWithSHA1And3-KeyTripleDES-CBC/, 'openssl reads the BER file');
    const ctx = capture(dir, { P12_PASS: PASS });
    assert.equal(
      await main(
        ['send', strict.url, '--pfx', 'ber.p12', '--passphrase-env', 'P12_PASS', '--ca', 'ca-root-crt.pem'],
        ctx,
      ),
      0,
      ctx.stderr() + ctx.stdout(),
    );
    assert.equal(seen.at(-1), 'mtls-client');
  });

  it('a wrong or missing passphrase is still explained as one', async () => {
    const pfx = readFileSync(path.join(dir, legacy.ok ? 'legacy.p12' : 'des.p12'));
    for (const passphrase of ['not it', undefined]) {
      const r = await sendWebhook({
        url: strict.url,
        body: {},
        pfx,
        ...(passphrase !== undefined ? { passphrase } : {}),
        caPem: a['ca-root-crt.pem'],
        timeoutMs: 10_000,
      });
      assert.equal(r.error?.code, 'PKCS12_BAD_PASSPHRASE', r.error?.message);
      assert.equal(r.error?.explanation.action, 'checkPassphrase');
      assert.equal(r.observation.marks.connectedMs, undefined, 'no connection was made');
    }
  });

  it('refuses a file that is not PKCS#12 before any connection, saying what it is', async () => {
    writeFileSync(path.join(dir, 'empty.p12'), '');
    const cases: [string, RegExp][] = [
      [
        'client-crt.pem',
        /client-crt\.pem \(--pfx\) is not a PKCS#12 file: it holds a PEM certificate; use --cert \(the certificate\) and --key/,
      ],
      ['client-key.pem', /client-key\.pem \(--pfx\) is not a PKCS#12 file: it holds a PEM private key; use --cert/],
      ['garbage.p12', /garbage\.p12 \(--pfx\) is not a PKCS#12 file: it is binary data that is neither PEM nor DER/],
      ['empty.p12', /empty\.p12 \(--pfx\) is not a PKCS#12 file: it is empty/],
      ['cut.p12', /cut\.p12 \(--pfx\) is a damaged PKCS#12 file \(element claims 65535 bytes.*\): export it again/],
    ];
    const before = connections;
    for (const [file, message] of cases) {
      for (const command of ['send', 'probe']) {
        const ctx = capture(dir, { P12_PASS: PASS });
        assert.equal(
          await main(
            [command, strict.url, '--pfx', file, '--passphrase-env', 'P12_PASS', '--ca', 'ca-root-crt.pem'],
            ctx,
          ),
          1,
          ctx.stdout(),
        );
        assert.match(ctx.stderr(), message);
        assert.equal(ctx.stdout(), '');
      }
    }
    assert.equal(connections, before, 'the server saw no connection');
  });
});
