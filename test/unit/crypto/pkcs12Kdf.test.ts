import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { iterateHash } from '../../../src/core/crypto/iteratedHash';
import { pkcs12Kdf, pkcs12KdfAsync, bmpPassword, Pkcs12KeyId } from '../../../src/core/crypto/pkcs12Kdf';

function opensslKdf(digest: string, pass: Buffer, saltHex: string, iter: number, id: number, len: number): string {
  const out = execFileSync('openssl', [
    'kdf',
    '-keylen',
    String(len),
    '-kdfopt',
    `digest:${digest}`,
    '-kdfopt',
    `hexpass:${pass.toString('hex')}`,
    '-kdfopt',
    `hexsalt:${saltHex}`,
    '-kdfopt',
    `iter:${iter}`,
    '-kdfopt',
    `id:${id}`,
    'PKCS12KDF',
  ]);
  return out.toString().trim().replace(/:/g, '').toLowerCase();
}

test('derives the same bytes as the openssl PKCS12KDF (SHA-256 MAC key, SHA-1 3DES key over several blocks)', () => {
  const salt = '0102030405060708';
  const pw = bmpPassword('changeit');
  assert.equal(
    pkcs12Kdf('sha256', pw, Buffer.from(salt, 'hex'), Pkcs12KeyId.mac, 2048, 32).toString('hex'),
    opensslKdf('SHA256', pw, salt, 2048, 3, 32),
  );
  const pw2 = bmpPassword('pässwörd');
  assert.equal(
    pkcs12Kdf('sha1', pw2, Buffer.from(salt, 'hex'), Pkcs12KeyId.key, 3, 56).toString('hex'),
    opensslKdf('SHA1', pw2, salt, 3, 1, 56),
  );
});

test('bmpPassword is UTF-16BE with a NUL terminator', () => {
  assert.equal(bmpPassword('ab').toString('hex'), '006100620000');
});

test('iterateHash (JavaScript SHA-1 and SHA-256 rounds) equals createHash applied round by round', () => {
  for (const hash of ['sha1', 'sha256', 'sha512'] as const) {
    for (const rounds of [0, 1, 2, 65, 1000]) {
      const start = createHash(hash).update(randomBytes(40)).digest();
      let want = start;
      for (let i = 0; i < rounds; i++) want = createHash(hash).update(want).digest();
      assert.equal(iterateHash(hash, start, rounds).toString('hex'), want.toString('hex'), `${hash} × ${rounds}`);
    }
  }
});

test('a high-iteration PKCS#12 KDF (600,000 SHA-256 rounds, as OpenSSL 3 writes with -iter 600000) matches openssl', () => {
  const pw = bmpPassword('pw');
  assert.equal(
    pkcs12Kdf('sha256', pw, Buffer.from('a1a2a3a4a5a6a7a8', 'hex'), Pkcs12KeyId.mac, 600_000, 32).toString('hex'),
    opensslKdf('SHA256', pw, 'a1a2a3a4a5a6a7a8', 600_000, 3, 32),
  );
});

test('the sliced PKCS#12 KDF (the event loop turning between slices) derives the same bytes as openssl, across slices and blocks', async () => {
  const pw = bmpPassword('pw');
  const salt = 'b1b2b3b4b5b6b7b8';
  // 25,000 rounds: two whole slices and a part; 56 bytes of SHA-1: three output blocks.
  assert.equal(
    (await pkcs12KdfAsync('sha256', pw, Buffer.from(salt, 'hex'), Pkcs12KeyId.mac, 25_000, 32)).toString('hex'),
    opensslKdf('SHA256', pw, salt, 25_000, 3, 32),
  );
  assert.equal(
    (await pkcs12KdfAsync('sha1', pw, Buffer.from(salt, 'hex'), Pkcs12KeyId.key, 10_001, 56)).toString('hex'),
    opensslKdf('SHA1', pw, salt, 10_001, 1, 56),
  );
  assert.equal(
    (await pkcs12KdfAsync('sha512', pw, Buffer.from(salt, 'hex'), Pkcs12KeyId.iv, 1, 8)).toString('hex'),
    opensslKdf('SHA512', pw, salt, 1, 2, 8),
  );
});
