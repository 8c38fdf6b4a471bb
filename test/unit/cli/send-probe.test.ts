// `mtls send` and `mtls probe` end to end through main(), with a captured context and real servers on 127.0.0.1.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { main } from '../../../src/cli/main';
import type { ProbeResult, SendResult } from '../../../src/core/http/index';
import {
  closedPort,
  httpsServer,
  makeChain,
  tempDir,
  writeChain,
  type ChainFiles,
  type Running,
} from '../support/http';
import { capture } from '../support/cli';

describe('mtls send / mtls probe (CLI)', () => {
  let a: ChainFiles;
  let dir: string;
  let strict: Running;
  let lax: Running;
  const seen: { auth?: string; ua?: string; peer?: DetailedPeerCertificate }[] = [];
  const tls = ['--cert', 'client-fullchain.pem', '--key', 'client-key.pem', '--ca', 'ca-root-crt.pem'];

  before(async () => {
    a = await makeChain('CLI Test');
    dir = writeChain(tempDir('cli'), a);
    const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
      seen.push({
        auth: req.headers.authorization,
        ua: req.headers['user-agent'],
        peer: (req.socket as TLSSocket).getPeerCertificate(true),
      });
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ fulfillmentText: 'hi', fulfillmentMessages: [{ text: { text: ['hi'] } }] }));
    };
    const base = {
      key: a['server-key.pem'],
      cert: a['server-fullchain.pem'],
      ca: a['ca-root-crt.pem'],
      requestCert: true,
    };
    strict = await httpsServer({ ...base, rejectUnauthorized: true }, handler);
    lax = await httpsServer({ ...base, rejectUnauthorized: false }, handler);
  });
  after(async () => {
    await strict.close();
    await lax.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('send --sample es prints a text report and exits 0; the bearer token comes from the environment', async () => {
    const ctx = capture(dir, { HOOK_TOKEN: 'tok-123' });
    const code = await main(
      ['send', strict.url, '--sample', 'es', ...tls, '--bearer-env', 'HOOK_TOKEN', '--header', 'X-Env: dev'],
      ctx,
    );
    assert.equal(code, 0, ctx.stderr() + ctx.stdout());
    assert.match(ctx.stdout(), /HTTP 200/);
    assert.match(ctx.stdout(), /TLS: TLSv1\.3/);
    assert.equal(seen.at(-1)?.auth, 'Bearer tok-123');
    assert.equal(seen.at(-1)?.ua, 'Google-Dialogflow');
    assert.doesNotMatch(ctx.stdout(), /tok-123/);
  });

  it('send --json prints a parseable SendResult', async () => {
    const ctx = capture(dir);
    const code = await main(['send', strict.url, '--sample', 'cx', '--platform', 'es', ...tls, '--json'], ctx);
    assert.equal(code, 0, ctx.stderr());
    const r = JSON.parse(ctx.stdout()) as SendResult;
    assert.equal(r.status, 200);
    assert.equal(r.request.platform, 'es');
    assert.equal(typeof r.timing.tlsMs, 'number');
    assert.equal(r.tls?.clientCertificate.presented, true);
  });

  it('send a JSON file as the body', async () => {
    writeFileSync(path.join(dir, 'body.json'), JSON.stringify({ session: 's', anything: [1, 2] }));
    const ctx = capture(dir);
    assert.equal(
      await main(['send', strict.url, '--sample', 'body.json', '--platform', 'kore', ...tls, '--json'], ctx),
      0,
      ctx.stderr(),
    );
    assert.equal(
      (JSON.parse(ctx.stdout()) as SendResult).request.bytes,
      JSON.stringify({ session: 's', anything: [1, 2] }).length,
    );
  });

  it('send exits 1 with an explanation when nothing listens', async () => {
    const ctx = capture(dir);
    const code = await main(['send', `https://127.0.0.1:${await closedPort()}/`, ...tls, '--json'], ctx);
    assert.equal(code, 1);
    const r = JSON.parse(ctx.stdout()) as SendResult;
    assert.equal(r.error?.code, 'ECONNREFUSED');
    assert.equal(r.error?.explanation.action, 'startServer');
  });

  it('send exits 1 for http:// and 2 for bad command lines', async () => {
    let ctx = capture(dir);
    assert.equal(await main(['send', 'http://127.0.0.1:1/', ...tls], ctx), 1);
    assert.match(ctx.stderr(), /plain HTTP/);
    ctx = capture(dir);
    assert.equal(await main(['send', strict.url, '--ca', 'ca-root-crt.pem'], ctx), 2);
    assert.match(ctx.stderr(), /--cert F --key F/);
    ctx = capture(dir);
    assert.equal(await main(['send', strict.url, ...tls, '--header', 'Authorization: Bearer x'], ctx), 2);
    ctx = capture(dir);
    assert.equal(await main(['send', strict.url, ...tls, '--bearer-env', 'UNSET_VAR_XYZ'], ctx), 2);
    ctx = capture(dir);
    assert.equal(
      await main(['send', strict.url, '--as-dialogflow', '--cert', 'client-crt.pem', '--key', 'client-key.pem'], ctx),
      2,
    );
  });

  it('send --as-dialogflow sends CN=Google LLC + intermediate and writes the TEST root that signed it', async () => {
    const ctx = capture(dir, { XDG_CACHE_HOME: path.join(dir, 'cache') });
    const code = await main(
      ['send', lax.url, '--as-dialogflow', '--root-out', 'df-root.pem', '--ca', 'ca-root-crt.pem', '--print-commands'],
      ctx,
    );
    assert.equal(code, 0, ctx.stderr() + ctx.stdout());
    const peer = seen.at(-1)!.peer!;
    assert.equal(peer.subject.CN, 'Google LLC');
    const root = new X509Certificate(readFileSync(path.join(dir, 'df-root.pem')));
    assert.ok(
      new X509Certificate(peer.issuerCertificate.raw).verify(root.publicKey),
      'the intermediate the client sent is signed by the written root',
    );
    assert.match(ctx.stdout(), /The server must trust this TEST root \(written to df-root\.pem\)/);
    assert.match(ctx.stdout(), /^curl -sS -X POST /m);
    assert.match(ctx.stdout(), /^openssl s_client -connect 127\.0\.0\.1:\d+/m);
  });

  it('send --insecure says so loudly', async () => {
    const ctx = capture(dir);
    assert.equal(
      await main(['send', strict.url, '--cert', 'client-fullchain.pem', '--key', 'client-key.pem', '--insecure'], ctx),
      0,
      ctx.stderr(),
    );
    assert.match(ctx.stdout(), /^!!! TLS VERIFICATION WAS OFF/);
  });

  it('probe exits 0 for an enforcing server and 1 (NOT ENFORCING) for a lax one; --json parses', async () => {
    let ctx = capture(dir);
    assert.equal(
      await main(
        [
          'probe',
          strict.url,
          ...tls,
          '--issuer-cert',
          'ca-intermediate-crt.pem',
          '--issuer-key',
          'ca-intermediate-key.pem',
        ],
        ctx,
      ),
      0,
      ctx.stdout() + ctx.stderr(),
    );
    assert.match(ctx.stdout(), /PASS: mTLS is enforced/);
    ctx = capture(dir);
    assert.equal(await main(['probe', lax.url, ...tls, '--json'], ctx), 1);
    const r = JSON.parse(ctx.stdout()) as ProbeResult;
    assert.equal(r.verdict, 'not-enforced');
    assert.equal(r.rows.length, 6);
    ctx = capture(dir);
    assert.equal(await main(['probe', lax.url, '--ca', 'ca-root-crt.pem'], ctx), 2);
  });
});
