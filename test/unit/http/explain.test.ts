// explainTlsError: every row provoked for real on 127.0.0.1 (Node tls/https/net servers, openssl s_server,
// a local DNS responder), then the explanation code asserted. No stubbed errors.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as http from 'node:http';
import { Resolver } from 'node:dns';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { AddressInfo, LookupFunction } from 'node:net';
import {
  explainTlsError,
  explanationCodes,
  knownExplanations,
  sendWebhook,
  type SendOptions,
  type SendResult,
} from '../../../src/core/http/index';
import { currentWindow, futureWindow, leafFrom, pastWindow } from '../../../src/core/testIdentities/throwawayCerts';
import { buildPkcs12, generateChain, generateSelfSigned } from '../../../src/core/pki/index';
import {
  closedPort,
  httpsServer,
  makeChain,
  opensslServer,
  tcpServer,
  tempDir,
  writeChain,
  type ChainFiles,
  type Running,
} from '../support/http';
import { garbageDecryptingPassphrase } from '../../hostile/inputs';

const body = { detectIntentResponseId: 'x', fulfillmentInfo: { tag: 't' } };

async function send(o: Partial<SendOptions> & { url: string }): Promise<SendResult> {
  return sendWebhook({ body, platform: 'cx', timeoutMs: 5_000, ...o });
}

function expectCode(r: SendResult, code: string): void {
  assert.ok(r.error, `expected an error, got HTTP ${String(r.status)}`);
  assert.equal(r.error.code, code, `${r.error.code}: ${r.error.message}`);
  assert.equal(r.error.explanation.code, code);
  assert.ok(r.error.explanation.title.length > 0 && r.error.explanation.fix.length > 0);
  // An alert row must come from a real alert the peer sent, whose number is in OpenSSL's message.
  const alert = {
    ALERT_CERTIFICATE_REQUIRED: 116,
    ALERT_BAD_CERTIFICATE: 42,
    ALERT_UNKNOWN_CA: 48,
    ALERT_CERTIFICATE_EXPIRED: 45,
    ALERT_UNSUPPORTED_CERTIFICATE: 43,
    ALERT_HANDSHAKE_FAILURE: 40,
    ALERT_PROTOCOL_VERSION: 70,
  }[code];
  if (alert !== undefined) assert.match(r.error.message, new RegExp(`SSL alert number ${alert}\\b`));
}

describe('explainTlsError (each row provoked for real)', () => {
  let a: ChainFiles; // the CA the servers and good clients use
  let b: ChainFiles; // another, unrelated CA
  let dir: string;
  const open: Running[] = [];
  const serve = async (r: Promise<Running>): Promise<Running> => {
    const s = await r;
    open.push(s);
    return s;
  };
  const issuerA = () => ({
    certPem: a['ca-intermediate-crt.pem'] + a['ca-root-crt.pem'],
    keyPem: a['ca-intermediate-key.pem'],
  });
  const clientA = () => ({
    certPem: a['client-fullchain.pem'],
    keyPem: a['client-key.pem'],
    caPem: a['ca-root-crt.pem'],
  });
  // A strict openssl peer on TLS 1.2, where the server's alert arrives during the handshake.
  const strictOpenssl = () =>
    serve(
      opensslServer(
        [
          '-tls1_2',
          '-Verify',
          '2',
          '-verify_return_error',
          '-www',
          '-CAfile',
          'ca-root-crt.pem',
          '-cert',
          'server-fullchain.pem',
          '-key',
          'server-key.pem',
        ],
        dir,
      ),
    );

  before(async () => {
    [a, b] = await Promise.all([makeChain('Explain A'), makeChain('Explain B')]);
    dir = writeChain(tempDir('explain'), a);
  });
  after(async () => {
    for (const s of open) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ECONNREFUSED: nothing listens on the port → Start server', async () => {
    const r = await send({ url: `https://127.0.0.1:${await closedPort()}/webhook` });
    expectCode(r, 'ECONNREFUSED');
    assert.equal(r.error?.explanation.action, 'startServer');
  });

  it('ENOTFOUND: the host name does not resolve (NXDOMAIN from a DNS server on 127.0.0.1)', async () => {
    // A minimal DNS responder: echo the query with QR=1, RCODE=3 (NXDOMAIN).
    const dns = dgram.createSocket('udp4');
    dns.on('message', (q, rinfo) => {
      const resp = Buffer.from(q);
      resp[2] = 0x81 | (q[2] & 0x78);
      resp[3] = 0x83;
      dns.send(resp, rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => dns.bind(0, '127.0.0.1', r));
    try {
      const resolver = new Resolver();
      resolver.setServers([`127.0.0.1:${dns.address().port}`]);
      const lookup = ((
        host: string,
        opts: { all?: boolean },
        cb: (e: Error | null, a?: unknown, f?: number) => void,
      ) => {
        resolver.resolve4(host, (e, addrs) =>
          e
            ? cb(e)
            : opts.all
              ? cb(
                  null,
                  addrs.map((x) => ({ address: x, family: 4 })),
                )
              : cb(null, addrs[0], 4),
        );
      }) as unknown as LookupFunction;
      const r = await sendWebhook({
        url: 'https://webhook.does-not-exist.test/webhook',
        body,
        lookup,
        timeoutMs: 5_000,
      });
      expectCode(r, 'ENOTFOUND');
    } finally {
      dns.close();
    }
  });

  it('ETIMEDOUT: the server accepts TCP but never answers the handshake', async () => {
    const s = await serve(tcpServer(() => undefined));
    const r = await send({ url: s.url, timeoutMs: 300 });
    expectCode(r, 'ETIMEDOUT');
    assert.match(r.error!.message, /timed out after 300 ms: POST https:\/\/127\.0\.0\.1/);
  });

  it('UNABLE_TO_VERIFY_LEAF_SIGNATURE: the server omits its intermediate', async () => {
    const s = await serve(httpsServer({ key: a['server-key.pem'], cert: a['server-crt.pem'] }));
    const r = await send({ url: s.url, ...clientA() });
    expectCode(r, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.equal(r.error?.explanation.action, 'pickCa');
  });

  it('UNABLE_TO_GET_ISSUER_CERT_LOCALLY: the server chain comes from a CA we do not trust', async () => {
    const s = await serve(httpsServer({ key: a['server-key.pem'], cert: a['server-fullchain.pem'] }));
    const r = await send({ url: s.url, caPem: b['ca-root-crt.pem'] });
    expectCode(r, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('SELF_SIGNED_CERT_IN_CHAIN: the server sends its untrusted root too', async () => {
    const s = await serve(
      httpsServer({ key: a['server-key.pem'], cert: a['server-fullchain.pem'] + a['ca-root-crt.pem'] }),
    );
    const r = await send({ url: s.url, caPem: b['ca-root-crt.pem'] });
    expectCode(r, 'SELF_SIGNED_CERT_IN_CHAIN');
    assert.equal(r.error?.explanation.action, 'createTrustBundle');
  });

  it('DEPTH_ZERO_SELF_SIGNED_CERT: a self-signed server certificate, system roots → pick CA', async () => {
    const ss = Object.fromEntries(
      (await generateSelfSigned({ keyType: 'ec256' })).files.map((f) => [f.name, String(f.contents)]),
    );
    const s = await serve(httpsServer({ key: ss['server-key.pem'], cert: ss['server-crt.pem'] }));
    const r = await send({ url: s.url });
    expectCode(r, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.equal(r.error?.explanation.action, 'pickCa');
  });

  it('CERT_HAS_EXPIRED: the server certificate expired', async () => {
    const leaf = await leafFrom(issuerA(), { role: 'server', cn: 'localhost', ...pastWindow() });
    const s = await serve(httpsServer({ key: leaf.keyPem, cert: leaf.certPem }));
    expectCode(await send({ url: s.url, caPem: a['ca-root-crt.pem'] }), 'CERT_HAS_EXPIRED');
  });

  it('ERR_TLS_CERT_ALTNAME_INVALID: 127.0.0.1 is not in the SAN → regenerate with SAN', async () => {
    const c = Object.fromEntries(
      (await generateChain({ keyType: 'ec256', server: { cn: 'example.com', sans: ['DNS:example.com'] } })).files.map(
        (f) => [f.name, String(f.contents)],
      ),
    );
    const s = await serve(httpsServer({ key: c['server-key.pem'], cert: c['server-fullchain.pem'] }));
    const r = await send({ url: s.url, caPem: c['ca-root-crt.pem'] });
    expectCode(r, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.equal(r.error?.explanation.action, 'regenerateWithSan');
  });

  it('INVALID_PURPOSE: a clientAuth-only certificate served as the server certificate', async () => {
    const s = await serve(httpsServer({ key: a['client-key.pem'], cert: a['client-fullchain.pem'] }));
    expectCode(await send({ url: s.url, caPem: a['ca-root-crt.pem'] }), 'INVALID_PURPOSE');
  });

  it('alert 116 certificate required: TLS 1.3 server, no client certificate (seen at the first read)', async () => {
    const s = await serve(
      httpsServer({
        key: a['server-key.pem'],
        cert: a['server-fullchain.pem'],
        ca: a['ca-root-crt.pem'],
        requestCert: true,
        rejectUnauthorized: true,
      }),
    );
    const r = await send({ url: s.url, caPem: a['ca-root-crt.pem'] });
    expectCode(r, 'ALERT_CERTIFICATE_REQUIRED');
    assert.equal(r.error?.explanation.action, 'generateClient');
  });

  it('alert 42 bad certificate: openssl s_server refuses a not-yet-valid client certificate', async () => {
    const s = await strictOpenssl();
    const leaf = await leafFrom(issuerA(), { role: 'client', cn: 'future client', ...futureWindow() });
    expectCode(await send({ url: s.url, ...leaf, caPem: a['ca-root-crt.pem'] }), 'ALERT_BAD_CERTIFICATE');
  });

  it('alert 48 unknown CA: openssl s_server refuses a client certificate from another CA', async () => {
    const s = await strictOpenssl();
    expectCode(
      await send({
        url: s.url,
        certPem: b['client-fullchain.pem'],
        keyPem: b['client-key.pem'],
        caPem: a['ca-root-crt.pem'],
      }),
      'ALERT_UNKNOWN_CA',
    );
  });

  it('alert 45 certificate expired: openssl s_server refuses an expired client certificate', async () => {
    const s = await strictOpenssl();
    const leaf = await leafFrom(issuerA(), { role: 'client', cn: 'expired client', ...pastWindow() });
    expectCode(await send({ url: s.url, ...leaf, caPem: a['ca-root-crt.pem'] }), 'ALERT_CERTIFICATE_EXPIRED');
  });

  it('alert 43 unsupported certificate: openssl s_server refuses a serverAuth-only client certificate', async () => {
    const s = await strictOpenssl();
    const leaf = await leafFrom(issuerA(), { role: 'server', cn: 'server as client', ...currentWindow() });
    expectCode(await send({ url: s.url, ...leaf, caPem: a['ca-root-crt.pem'] }), 'ALERT_UNSUPPORTED_CERTIFICATE');
  });

  it('alert 40 handshake failure: TLS 1.2 Node server requiring a certificate, none sent', async () => {
    const s = await serve(
      httpsServer({
        key: a['server-key.pem'],
        cert: a['server-fullchain.pem'],
        ca: a['ca-root-crt.pem'],
        requestCert: true,
        rejectUnauthorized: true,
      }),
    );
    expectCode(
      await send({ url: s.url, caPem: a['ca-root-crt.pem'], maxTlsVersion: 'TLSv1.2' }),
      'ALERT_HANDSHAKE_FAILURE',
    );
  });

  it('alert 70 protocol version: a TLS 1.3-only server, a client capped at TLS 1.2', async () => {
    const s = await serve(
      httpsServer({ key: a['server-key.pem'], cert: a['server-fullchain.pem'], minVersion: 'TLSv1.3' }),
    );
    const r = await send({ url: s.url, caPem: a['ca-root-crt.pem'], maxTlsVersion: 'TLSv1.2' });
    expectCode(r, 'ALERT_PROTOCOL_VERSION');
    assert.match(r.error!.message, /SSL alert number 70/, 'the alert came from the server, not a local refusal');
  });

  it('key values mismatch: the key belongs to another certificate → check key pair', async () => {
    const s = await serve(httpsServer({ key: a['server-key.pem'], cert: a['server-fullchain.pem'] }));
    const r = await send({
      url: s.url,
      certPem: a['client-crt.pem'],
      keyPem: b['client-key.pem'],
      caPem: a['ca-root-crt.pem'],
    });
    expectCode(r, 'KEY_MISMATCH');
    assert.equal(r.error?.explanation.action, 'checkKeyPair');
  });

  it('bad decrypt: wrong passphrase for an encrypted key → check passphrase', async () => {
    const enc = Object.fromEntries(
      (await generateChain({ keyType: 'ec256', keyPassphrase: 'right horse' })).files.map((f) => [
        f.name,
        String(f.contents),
      ]),
    );
    const s = await serve(httpsServer({ key: a['server-key.pem'], cert: a['server-fullchain.pem'] }));
    const r = await send({
      url: s.url,
      certPem: enc['client-crt.pem'],
      keyPem: enc['client-key.pem'],
      passphrase: 'wrong horse',
      caPem: a['ca-root-crt.pem'],
    });
    expectCode(r, 'BAD_PASSPHRASE');
    assert.equal(r.error?.explanation.action, 'checkPassphrase');
  });

  it('a wrong passphrase whose garbage passes the padding check is still "check passphrase", not a damaged key', async () => {
    // About one wrong passphrase in 256: OpenSSL then fails in its key decoder ("unsupported"), not with "bad decrypt".
    const found = garbageDecryptingPassphrase();
    assert.ok(found, 'such a passphrase exists among 5,000 tries');
    const s = await serve(httpsServer({ key: a['server-key.pem'], cert: a['server-fullchain.pem'] }));
    const r = await send({
      url: s.url,
      certPem: a['client-crt.pem'],
      keyPem: found.keyPem,
      passphrase: found.passphrase,
      caPem: a['ca-root-crt.pem'],
    });
    expectCode(r, 'BAD_PASSPHRASE');
    assert.equal(r.error?.explanation.action, 'checkPassphrase');
  });

  it('mac verify failure: wrong passphrase for a PKCS#12 file', async () => {
    const pfx = await buildPkcs12({
      certPem: a['client-crt.pem'],
      keyPem: a['client-key.pem'],
      passphrase: 'p12 secret',
    });
    const s = await serve(httpsServer({ key: a['server-key.pem'], cert: a['server-fullchain.pem'] }));
    const r = await send({ url: s.url, pfx, passphrase: 'not it', caPem: a['ca-root-crt.pem'] });
    expectCode(r, 'PKCS12_BAD_PASSPHRASE');
  });

  it('ECONNRESET: the peer resets the connection mid-handshake', async () => {
    const s = await serve(tcpServer((sock) => sock.once('data', () => sock.resetAndDestroy())));
    expectCode(await send({ url: s.url }), 'ECONNRESET');
  });

  it('NOT_TLS: a plain HTTP server on the port', async () => {
    const plain = http.createServer((_q, res) => res.end('hello'));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    try {
      expectCode(await send({ url: `https://127.0.0.1:${(plain.address() as AddressInfo).port}/` }), 'NOT_TLS');
    } finally {
      plain.closeAllConnections();
      plain.close();
    }
  });

  it('an unrecognised error stays UNKNOWN instead of being mislabelled', () => {
    assert.equal(explainTlsError(new Error('something else entirely')).code, 'UNKNOWN');
    assert.equal(explainTlsError(undefined).code, 'UNKNOWN');
  });

  it("looks through undici's wrapping (cause chains) and prefers the precise TLS row", () => {
    const inner = Object.assign(new Error('tlsv1 alert unknown ca ... SSL alert number 48'), {
      code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
    });
    const outer = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET', cause: inner });
    assert.equal(explainTlsError(outer).code, 'ALERT_UNKNOWN_CA');
    assert.ok(explanationCodes.indexOf('ALERT_UNKNOWN_CA') < explanationCodes.indexOf('ECONNRESET'));
  });

  it('rejects http:// with a clear InputError instead of sending', async () => {
    await assert.rejects(
      sendWebhook({ url: 'http://127.0.0.1:1/webhook', body }),
      /plain HTTP: webhooks with client certificates need https:\/\//,
    );
  });
});
describe('docs/troubleshooting-tls.md', () => {
  it('lists every explanation, in match order, with its code, cause and fix as the tool gives them', () => {
    const page = readFileSync(path.join(__dirname, '..', '..', '..', '..', 'docs', 'troubleshooting-tls.md'), 'utf8');
    const flat = (t: string): string => t.replace(/\s+/g, ' ');
    let last = -1;
    for (const e of knownExplanations) {
      const at = page.indexOf(`#### ${e.title}\n`);
      assert.ok(at > last, `"${e.title}" is missing or out of order`);
      last = at;
      const entry = flat(page.slice(at, page.indexOf('\n####', at + 1)));
      assert.ok(entry.includes(`\`${e.code}\``), `${e.code} under its title`);
      assert.ok(entry.includes(flat(`**Cause:** ${e.cause}`)), `${e.code}: cause as the tool gives it`);
      assert.ok(entry.includes(flat(`**Fix:** ${e.fix}`)), `${e.code}: fix as the tool gives it`);
    }
  });
});
