// `mtls send` / `mtls probe` check --cert, --key and --ca before any connection (as curl does): an empty or
// wrong file is named with what it holds, instead of being blamed on the server. Real certificates and keys,
// a real strict mTLS server on 127.0.0.1 that counts the connections it sees.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { httpsServer, makeChain, tempDir, writeChain, type ChainFiles, type Running } from '../support/http';
import { capture } from '../support/cli';

describe('credential files checked before any connection (send, probe)', () => {
  let a: ChainFiles;
  let dir: string;
  let strict: Running & { server: import('node:https').Server };
  let connections = 0;

  before(async () => {
    a = await makeChain('Files Test');
    dir = writeChain(tempDir('credfiles'), a);
    const file = (name: string, contents: string | Buffer): void => writeFileSync(path.join(dir, name), contents);
    file('empty.pem', '');
    file('blank.pem', '\n  \n');
    file('garbage.der', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x02, 0x9c, 0x01, 0x00, 0xfe, 0x42]));
    file(
      'client-pub.pem',
      createPublicKey(createPrivateKey(a['client-key.pem'])).export({ type: 'spki', format: 'pem' }),
    );
    file('client-crt.der', new X509Certificate(a['client-crt.pem']).raw);
    file('cut-ca.pem', a['ca-root-crt.pem'].slice(0, a['ca-root-crt.pem'].length - 40));
    strict = await httpsServer({
      key: a['server-key.pem'],
      cert: a['server-fullchain.pem'],
      ca: a['ca-root-crt.pem'],
      requestCert: true,
      rejectUnauthorized: true,
    });
    strict.server.on('connection', () => connections++);
  });
  after(async () => {
    await strict?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const good = { cert: 'client-fullchain.pem', key: 'client-key.pem', ca: 'ca-root-crt.pem' };
  const cases: { name: string; files: Partial<typeof good>; message: RegExp }[] = [
    {
      name: 'an empty --key',
      files: { key: 'empty.pem' },
      message: /^mtls \w+: empty\.pem \(--key\) holds no private key: it is empty\. --key takes/,
    },
    {
      name: 'a certificate as --key',
      files: { key: 'client-crt.pem' },
      message:
        /client-crt\.pem \(--key\) holds no private key: it holds a PEM certificate\. That is a certificate: give it as --cert/,
    },
    {
      name: 'a public key as --key',
      files: { key: 'client-pub.pem' },
      message:
        /client-pub\.pem \(--key\) holds no private key: it holds a PEM public key\. A public key cannot sign the handshake/,
    },
    {
      name: 'an empty --cert',
      files: { cert: 'blank.pem' },
      message: /blank\.pem \(--cert\) holds no certificate: it is empty\. --cert needs the client certificate/,
    },
    {
      name: 'a private key as --cert',
      files: { cert: 'client-key.pem' },
      message:
        /client-key\.pem \(--cert\) holds no certificate: it holds a PEM private key\. --cert needs the client certificate\. That is a key: give it as --key/,
    },
    {
      name: 'a DER certificate as --cert',
      files: { cert: 'client-crt.der' },
      message:
        /client-crt\.der \(--cert\) holds no certificate: it is a DER certificate \(binary, not PEM\)\. .*openssl x509 -inform der -in client-crt\.der -out client-crt\.pem/,
    },
    {
      name: 'an empty --ca',
      files: { ca: 'empty.pem' },
      message:
        /empty\.pem \(--ca\) holds no certificate: it is empty\. --ca needs the CA certificate\(s\) that verify the server/,
    },
    {
      name: 'binary garbage as --ca',
      files: { ca: 'garbage.der' },
      message: /garbage\.der \(--ca\) holds no certificate: it is binary data that is neither PEM nor DER/,
    },
    {
      name: 'a private key as --ca',
      files: { ca: 'client-key.pem' },
      message:
        /client-key\.pem \(--ca\) holds no certificate: it holds a PEM private key\. .*A private key is never a trust anchor/,
    },
    {
      name: 'a cut-short --ca',
      files: { ca: 'cut-ca.pem' },
      message: /cut-ca\.pem \(--ca\) holds no certificate: it holds a damaged PEM block \(PEM block 1: no END line/,
    },
  ];

  for (const c of cases) {
    it(`refuses ${c.name}, naming the file and what it holds (send and probe, exit 1)`, async () => {
      const f = { ...good, ...c.files };
      const before = connections;
      for (const command of ['send', 'probe']) {
        const ctx = capture(dir);
        const code = await main([command, strict.url, '--cert', f.cert, '--key', f.key, '--ca', f.ca], ctx);
        assert.equal(code, 1, ctx.stdout());
        assert.match(ctx.stderr(), c.message);
        assert.equal(ctx.stdout(), '', 'nothing was sent, so there is no report');
      }
      assert.equal(connections, before, 'the server saw no connection');
    });
  }

  it('still sends with good files (the checks let them through)', async () => {
    const ctx = capture(dir);
    assert.equal(
      await main(['send', strict.url, '--cert', good.cert, '--key', good.key, '--ca', good.ca], ctx),
      0,
      ctx.stderr() + ctx.stdout(),
    );
    assert.match(ctx.stdout(), /HTTP 200/);
  });
});
