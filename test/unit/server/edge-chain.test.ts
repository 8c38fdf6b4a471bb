// The forwarded-chain verification of the server (src/server/forwardedCertificate.mts, the very file the scaffold
// copies), on chains made with the openssl CLI: the CA flag of every issuer, clientAuth in an intermediate's
// extendedKeyUsage, validity of intermediates, a CA certificate posing as the client, and the depth limit.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as ForwardedCertificate from '../../../src/server/forwardedCertificate.mjs' with {
  'resolution-mode': 'import',
};
import { tempDir } from '../support/scaffold';

type Module = typeof ForwardedCertificate;

let dir: string;
let fc: Module;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function ext(name: string, text: string): string {
  writeFileSync(path.join(dir, name), text);
  return name;
}

/** Issues `name` (subject CN=name) from `ca` with the extensions file `extFile`; days may be negative (expired). */
function issue(name: string, ca: string, extFile: string, days = '30'): void {
  openssl(['req', ...ec, '-keyout', name + '-key.pem', '-out', name + '.csr', '-subj', '/CN=' + name]);
  openssl([
    'x509',
    '-req',
    '-in',
    name + '.csr',
    '-CA',
    ca + '-crt.pem',
    '-CAkey',
    ca + '-key.pem',
    '-CAcreateserial',
    '-out',
    name + '-crt.pem',
    '-days',
    days,
    '-extfile',
    extFile,
  ]);
}

function cert(name: string): X509Certificate {
  return new X509Certificate(readFileSync(path.join(dir, name + '-crt.pem')));
}

before(async () => {
  fc = await import('../../../src/server/forwardedCertificate.mjs');
  dir = tempDir('edge-chain');
  const caExt = ext('ca.ext', 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n');
  const caServerOnly = ext(
    'ca-server.ext',
    'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nextendedKeyUsage=serverAuth\n',
  );
  const notCa = ext(
    'not-ca.ext',
    'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature,keyCertSign\nextendedKeyUsage=clientAuth\n',
  );
  const client = ext('client.ext', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n');
  const anyEku = ext('any.ext', 'extendedKeyUsage=anyExtendedKeyUsage\nkeyUsage=critical,digitalSignature\n');
  openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'root-key.pem',
    '-out',
    'root-crt.pem',
    '-days',
    '30',
    '-subj',
    '/CN=root',
    '-addext',
    'basicConstraints=critical,CA:true',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  let parent = 'root';
  for (const i of ['i1', 'i2', 'i3', 'i4', 'i5']) {
    issue(i, parent, caExt);
    parent = i;
  }
  issue('leaf4', 'i4', client); // 4 intermediates + root above it: allowed
  issue('leaf5', 'i5', client); // 5 intermediates + root above it: one too many
  issue('notca', 'root', notCa);
  issue('under-notca', 'notca', client);
  issue('int-server', 'root', caServerOnly);
  issue('under-int-server', 'int-server', client);
  issue('int-expired', 'root', caExt, '-1');
  issue('under-int-expired', 'int-expired', client);
  issue('any', 'root', anyEku);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('verifying a forwarded chain against the CA bundle', () => {
  const store = (): ReturnType<Module['trustStoreOf']> =>
    fc.trustStoreOf(readFileSync(path.join(dir, 'root-crt.pem'), 'utf8'));
  const chain = (...names: string[]): X509Certificate[] => names.map(cert);

  it('accepts a chain of 4 intermediates to the root, and refuses one of 5 (at most 5 certificates above the leaf)', () => {
    assert.equal(fc.verifyForwardedChain(cert('leaf4'), chain('i4', 'i3', 'i2', 'i1'), store()).length, 5);
    assert.throws(
      () => fc.verifyForwardedChain(cert('leaf5'), chain('i5', 'i4', 'i3', 'i2', 'i1'), store()),
      /more than 5 certificates above the client certificate/,
    );
  });

  it('refuses an issuer that is not a CA (basicConstraints CA:false)', () => {
    assert.throws(
      () => fc.verifyForwardedChain(cert('under-notca'), chain('notca'), store()),
      /the issuer "CN=notca" is not a CA/,
    );
  });

  it('refuses an intermediate whose extendedKeyUsage lacks clientAuth', () => {
    assert.throws(
      () => fc.verifyForwardedChain(cert('under-int-server'), chain('int-server'), store()),
      /the intermediate "CN=int-server" is not allowed for client authentication/,
    );
  });

  it('refuses an expired intermediate', () => {
    assert.throws(
      () => fc.verifyForwardedChain(cert('under-int-expired'), chain('int-expired'), store()),
      /the intermediate "CN=int-expired" expired on/,
    );
  });

  it('refuses a CA certificate posing as the client certificate', () => {
    assert.throws(() => fc.verifyForwardedChain(cert('i1'), [], store()), /is a CA certificate/);
  });

  it('accepts a client certificate whose extendedKeyUsage is anyExtendedKeyUsage', () => {
    assert.equal(fc.verifyForwardedChain(cert('any'), [], store()).length, 1);
  });

  it('completes a path with an intermediate from the CA bundle when the edge forwards the leaf alone', () => {
    const bundle = ['root', 'i1'].map((n) => readFileSync(path.join(dir, n + '-crt.pem'), 'utf8')).join('');
    issue('under-i1', 'i1', 'client.ext');
    assert.equal(fc.verifyForwardedChain(cert('under-i1'), [], fc.trustStoreOf(bundle)).length, 2);
    assert.throws(() => fc.verifyForwardedChain(cert('under-i1'), [], store()), /unknown CA/);
  });
});
