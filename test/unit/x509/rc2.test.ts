// RC2 (RFC 2268), which legacy .p12 files need: always tested with the RFC's known-answer vectors, and
// cross-checked against `openssl enc -rc2-cbc` through OpenSSL 3's legacy provider.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rc2CbcDecrypt, rc2DecryptBlock } from '../../../src/core/x509/rc2';

// RFC 2268 section 5: key, effective key bits, plaintext, ciphertext.
const VECTORS: [string, number, string, string][] = [
  ['0000000000000000', 63, '0000000000000000', 'ebb773f993278eff'],
  ['ffffffffffffffff', 64, 'ffffffffffffffff', '278b27e42e2f0d49'],
  ['3000000000000000', 64, '1000000000000001', '30649edf9be7d2c2'],
  ['88', 64, '0000000000000000', '61a8a244adacccf0'],
  ['88bca90e90875a', 64, '0000000000000000', '6ccf4308974c267f'],
  ['88bca90e90875a7f0f79c384627bafb2', 64, '0000000000000000', '1a807d272bbe5db1'],
  ['88bca90e90875a7f0f79c384627bafb2', 128, '0000000000000000', '2269552ab0f85ca6'],
  ['88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e', 129, '0000000000000000', '5b78d3a43dfff1f1'],
];

test('RFC 2268 known-answer vectors decrypt to their plaintexts', () => {
  for (const [key, bits, plain, cipher] of VECTORS) {
    assert.equal(
      rc2DecryptBlock(Buffer.from(key, 'hex'), bits, Buffer.from(cipher, 'hex')).toString('hex'),
      plain,
      `key ${key}, ${bits} bits`,
    );
  }
});

test('RC2-CBC matches `openssl enc -rc2-cbc` (legacy provider) for 40- and 128-bit keys', (t) => {
  // openssl itself must be there (a missing tool fails); its legacy provider is optional in OpenSSL 3 builds.
  assert.equal(spawnSync('openssl', ['version']).status, 0, 'openssl is installed');
  if (spawnSync('openssl', ['list', '-cipher-algorithms', '-provider', 'legacy']).status !== 0) {
    t.skip('not applicable: this openssl has no legacy provider; the RFC 2268 vectors above carry the RC2 test');
    return;
  }
  for (const [cipher, keyBytes] of [
    ['rc2-40-cbc', 5],
    ['rc2-cbc', 16],
  ] as const) {
    const key = randomBytes(keyBytes);
    const iv = randomBytes(8);
    const plain = randomBytes(37);
    const enc = execFileSync(
      'openssl',
      [
        'enc',
        `-${cipher}`,
        '-provider',
        'legacy',
        '-provider',
        'default',
        '-K',
        key.toString('hex'),
        '-iv',
        iv.toString('hex'),
      ],
      { input: plain },
    );
    assert.equal(rc2CbcDecrypt(key, keyBytes * 8, iv, enc).toString('hex'), plain.toString('hex'), cipher);
  }
});
