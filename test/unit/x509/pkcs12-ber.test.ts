// PKCS#12 in BER, as NSS's pk12util writes it (indefinite lengths, OCTET STRINGs in pieces, in every layer), and
// as BER allows it inside the bags: decoded to what openssl reads from the same files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { children, content, der, parseDer, raw, type Asn1Node } from '../../../src/core/asn1/der';
import {
  decodeBytes,
  looksLikeCertificateFile,
  type DecodedCertificate,
  type DecodedFile,
} from '../../../src/core/x509/index';

let dir = '';
const run = (cmd: string, ...args: string[]) =>
  execFileSync(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString('utf8');
const file = (f: string) => readFileSync(join(dir, f));
const hasPk12util = spawnSync('pk12util', ['-h'], { stdio: 'ignore' }).error === undefined;

/** DER → BER framing: every constructed element indefinite, every OCTET STRING over 8 bytes in 7-byte pieces. */
function berify(node: Asn1Node): Buffer {
  const eoc = Buffer.from([0, 0]);
  if (node.constructed) return Buffer.concat([Buffer.from([node.tag, 0x80]), ...children(node).map(berify), eoc]);
  const c = content(node);
  if (node.tag !== 0x04 || c.length <= 8) return raw(node);
  const pieces: Buffer[] = [];
  for (let i = 0; i < c.length; i += 7) pieces.push(der.octetString(c.subarray(i, i + 7)));
  return Buffer.concat([Buffer.from([0x24, 0x80]), ...pieces, eoc]);
}

/**
 * A PFX without MAC and with plain bags, rewritten in BER at every layer: the PFX, the AuthenticatedSafe and each
 * SafeContents (the certificate bag's OCTET STRING in pieces too). The bytes inside stay those of the DER file.
 */
function berPfx(derPfx: Buffer): Buffer {
  const [version, authSafe] = children(parseDer(derPfx));
  const authData = content(children(children(authSafe)[1])[0]);
  const infos = children(parseDer(authData)).map((ci) => {
    const [oid, wrap] = children(ci);
    return der.sequence(raw(oid), der.explicit(0, der.octetString(berify(parseDer(content(children(wrap)[0]))))));
  });
  const auth = berify(parseDer(der.sequence(...infos)));
  return berify(
    parseDer(
      der.sequence(raw(version), der.sequence(der.oid('1.2.840.113549.1.7.1'), der.explicit(0, der.octetString(auth)))),
    ),
  );
}

/** What a decoded file says, without where each item came from (bag numbers differ between writers). */
function summary(r: DecodedFile): unknown {
  return {
    errors: r.errors,
    items: r.items.map((i) =>
      i.kind === 'certificate'
        ? { kind: i.kind, sha256: i.fingerprints.sha256, subject: i.subject.text }
        : { kind: i.kind, algorithm: 'algorithm' in i ? i.algorithm : undefined },
    ),
    keyMatches: r.chain.keyMatches.length,
  };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pkcs12-ber-'));
  run(
    'openssl',
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'client.key',
    '-subj',
    '/CN=BER client',
    '-days',
    '30',
    '-out',
    'client.pem',
  );
  run(
    'openssl',
    'pkcs12',
    '-export',
    '-in',
    'client.pem',
    '-inkey',
    'client.key',
    '-name',
    'ber client',
    '-passout',
    'pass:s3cret',
    '-out',
    'client.p12',
  );
  run(
    'openssl',
    'pkcs12',
    '-export',
    '-in',
    'client.pem',
    '-inkey',
    'client.key',
    '-name',
    'plain',
    '-nomac',
    '-keypbe',
    'NONE',
    '-certpbe',
    'NONE',
    '-passout',
    'pass:',
    '-out',
    'plain.p12',
  );
  if (hasPk12util) {
    // NSS's own export: import our file into a fresh NSS database, export it again.
    mkdirSync(join(dir, 'nssdb'));
    run('certutil', '-N', '-d', 'sql:nssdb', '--empty-password');
    run('pk12util', '-i', 'client.p12', '-d', 'sql:nssdb', '-W', 's3cret');
    run('pk12util', '-o', 'nss.p12', '-n', 'ber client', '-d', 'sql:nssdb', '-W', 's3cret');
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

test(
  'a PKCS#12 file exported by NSS pk12util (BER: indefinite lengths, OCTET STRINGs in pieces) decodes as openssl reads it',
  { skip: !hasPk12util && 'pk12util (libnss3-tools) is not installed' },
  () => {
    const bytes = file('nss.p12');
    const structure = run('openssl', 'asn1parse', '-inform', 'DER', '-in', 'nss.p12');
    assert.match(structure, /^ +0:d=0 +hl=2 l=inf +cons: SEQUENCE/, 'the PFX has an indefinite length');
    assert.match(structure, /l=inf +cons: OCTET STRING/, 'the authSafe data is an OCTET STRING in pieces');
    assert.ok(looksLikeCertificateFile(bytes), 'the workspace scan lists it');

    const r = decodeBytes(bytes, { passphrase: 's3cret' });
    assert.deepEqual(r.errors, []);
    assert.equal(r.format, 'pkcs12');
    const certs = r.items.filter((i): i is DecodedCertificate & { kind: 'certificate' } => i.kind === 'certificate');
    assert.equal(certs.length, 1);
    assert.equal(r.items.filter((i) => i.kind === 'privateKey').length, 1);
    assert.equal(r.chain.keyMatches.length, 1, 'the key matches the certificate');
    // openssl's view of the same file: its certificate's fingerprint and friendly name.
    const osslPem = run('openssl', 'pkcs12', '-in', 'nss.p12', '-passin', 'pass:s3cret', '-nokeys');
    writeFileSync(join(dir, 'nss-cert.pem'), osslPem);
    const fingerprint = /=(.*)$/m.exec(
      run('openssl', 'x509', '-in', 'nss-cert.pem', '-noout', '-fingerprint', '-sha256'),
    )![1];
    assert.equal(certs[0].fingerprints.sha256, fingerprint);
    assert.equal(certs[0].source.friendlyName, /friendlyName: (.*)$/m.exec(osslPem)![1]);
    assert.equal(certs[0].publicKey.curve, 'P-256');

    assert.equal(decodeBytes(bytes, { passphrase: 'wrong' }).errors[0]?.code, 'wrong-passphrase');
  },
);

test('BER in every layer and bag (OCTET STRINGs in pieces around the certificate) decodes like the DER file; openssl agrees', () => {
  const derFile = file('plain.p12');
  const ber = berPfx(derFile);
  writeFileSync(join(dir, 'plain-ber.p12'), ber);
  assert.ok(ber.length > derFile.length);
  // openssl reads the hand-made BER (so it is BER openssl accepts) to the same certificate.
  const osslCert = run('openssl', 'pkcs12', '-in', 'plain-ber.p12', '-passin', 'pass:', '-nokeys', '-nomacver');
  assert.match(osslCert, /BEGIN CERTIFICATE/);
  const fromDer = decodeBytes(derFile);
  const fromBer = decodeBytes(ber);
  assert.deepEqual(fromDer.errors, []);
  assert.deepEqual(summary(fromBer), summary(fromDer));
  // Trailing whitespace is tolerated as for DER; other trailing bytes are not.
  assert.deepEqual(decodeBytes(Buffer.concat([ber, Buffer.from('\r\n')])).errors, []);
  assert.match(
    decodeBytes(Buffer.concat([ber, Buffer.from([1])])).errors[0].message,
    /^PKCS#12: 1 trailing bytes after the BER element/,
  );
});

test('certificates inside a BER file stay strictly DER: a BER-encoded certificate in a bag is reported, not accepted', () => {
  // The certificate itself re-framed as BER (its SEQUENCEs indefinite) inside an otherwise valid BER file.
  const derFile = file('plain.p12');
  const [version, authSafe] = children(parseDer(derFile));
  const authData = content(children(children(authSafe)[1])[0]);
  const certDer = Buffer.from(
    readFileSync(join(dir, 'client.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, ''),
    'base64',
  );
  const certBer = berify(parseDer(certDer));
  const infos = children(parseDer(authData)).map((ci) => {
    const safe = content(children(children(ci)[1])[0]);
    if (!safe.includes(certDer)) return raw(ci);
    // Rebuild the certificate's OCTET STRING with the BER certificate (lengths around it grow).
    const bags = children(parseDer(safe)).map((bag) => {
      const [id, value, attrs] = children(bag);
      const [certType] = children(children(value)[0]);
      return der.sequence(
        raw(id),
        der.explicit(0, der.sequence(raw(certType), der.explicit(0, der.octetString(certBer)))),
        ...(attrs ? [raw(attrs)] : []),
      );
    });
    return der.sequence(raw(children(ci)[0]), der.explicit(0, der.octetString(der.sequence(...bags))));
  });
  const pfx = berify(
    parseDer(
      der.sequence(
        raw(version),
        der.sequence(der.oid('1.2.840.113549.1.7.1'), der.explicit(0, der.octetString(der.sequence(...infos)))),
      ),
    ),
  );
  const r = decodeBytes(pfx);
  assert.equal(r.items.filter((i) => i.kind === 'certificate').length, 0);
  assert.ok(
    r.errors.some(
      (e) =>
        e.code === 'der' &&
        /PKCS#12 bag \d+: not a certificate: indefinite length is not allowed in DER/.test(e.message),
    ),
    JSON.stringify(r.errors),
  );
  assert.equal(r.items.filter((i) => i.kind === 'privateKey').length, 1, 'the rest of the file is still read');
});

test('1,500 seeded mutations of a BER PKCS#12 file: always a result or typed errors, each within a generous bound', () => {
  const ber = berPfx(file('plain.p12'));
  let a = 0xbe12;
  const rand = () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
  let worst = 0;
  let refused = 0;
  for (let i = 0; i < 1500; i++) {
    let b = Buffer.from(ber);
    const kind = i % 3;
    if (kind === 0)
      for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
    else if (kind === 1) b = b.subarray(0, Math.floor(rand() * b.length));
    else {
      const at = Math.floor(rand() * b.length);
      b = Buffer.concat([
        b.subarray(0, at),
        Buffer.from([0x30, 0x80, 0x24, 0x80, 0x00, 0x00].slice(0, 1 + Math.floor(rand() * 6))),
        b.subarray(at),
      ]);
    }
    const t0 = performance.now();
    const r = decodeBytes(b, { passphrase: '' });
    worst = Math.max(worst, performance.now() - t0);
    assert.ok(Array.isArray(r.errors) && Array.isArray(r.items));
    // Array.isArray above left r.errors typed any[]: its elements are the decoder's errors.
    for (const e of r.errors as DecodedFile['errors'])
      assert.notEqual(e.code, 'internal', `mutation ${i}: ${e.message}`);
    if (r.errors.length > 0) refused++;
  }
  assert.ok(refused > 0, 'the mutations do break files');
  assert.ok(worst < 2000, `slowest decode ${Math.round(worst)} ms`);
});
