// Key, certificate and CA bundle, read and cross-checked at start-up so a mistake is one clear line, not a TLS
// stack trace.
import * as nodeCrypto from 'node:crypto';
import * as fs from 'node:fs';
import type { Settings } from './config.mts';
import { fail, log } from './log.mts';

/** The bytes the TLS server is given. */
export interface Credentials {
  key: Buffer;
  cert: Buffer;
  ca: Buffer;
}

function readFile(file: string, code: string, what: string, envName: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT')
      fail(
        'ENOENT_' + code,
        what + ' not found: ' + file + ' (generate certificates with mtls chain, or set ' + envName + ')',
      );
    return fail('READ_' + code, 'cannot read ' + what + ' ' + file + ': ' + err.message);
  }
}

// Every label OpenSSL reads as a certificate when Node loads `ca` (PEM_read_bio_X509_AUX): a block under any of
// them is trusted by the handshake, so each must be checked like any other. A TRUSTED CERTIFICATE is the
// certificate followed by OpenSSL's trust settings; X509Certificate reads all three.
const certificateBlockRe =
  /-----BEGIN (CERTIFICATE|TRUSTED CERTIFICATE|X509 CERTIFICATE)-----[\s\S]*?(-----END \1-----|$)/g;

/** The PEM certificate blocks of a file, under each label Node trusts, a last one cut short included (so that it can be reported). */
export function certificateBlocks(pem: Buffer | string): string[] {
  return (typeof pem === 'string' ? pem : pem.toString('latin1')).match(certificateBlockRe) ?? [];
}

/** Reads and cross-checks key, certificate and CA bundle; exits with one line on the first problem. */
export function loadCredentials(s: Settings): Credentials {
  const key = readFile(s.keyPath, 'KEY', 'private key', 'MTLS_KEY');
  const cert = readFile(s.certPath, 'CERT', 'server certificate', 'MTLS_CERT');
  const ca = readFile(s.caPath, 'CA', 'CA bundle', 'MTLS_CA');
  checkServerIdentity(s, key, cert);
  checkCaBundle(s, ca);
  return { key, cert, ca };
}

/**
 * The CA bundle alone, checked the same way: behind an edge that speaks plain HTTP to this server, the server has
 * no TLS identity of its own (a container needs no private key), but still verifies forwarded certificates.
 */
export function loadCaBundle(s: Settings): Buffer {
  const ca = readFile(s.caPath, 'CA', 'CA bundle', 'MTLS_CA');
  checkCaBundle(s, ca);
  return ca;
}

/** The key opens (with the passphrase) and belongs to the first certificate of the certificate file. */
function checkServerIdentity(s: Settings, key: Buffer, cert: Buffer): void {
  let keyObject: nodeCrypto.KeyObject;
  try {
    keyObject = nodeCrypto.createPrivateKey({ key, passphrase: s.passphrase });
  } catch (e) {
    // OpenSSL's messages for these vary ('interrupted or cancelled', 'bad decrypt'): decide from the PEM.
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(key.toString('latin1'))) {
      if (s.passphrase === undefined)
        fail('BAD_PASSPHRASE', 'the private key ' + s.keyPath + ' is encrypted: set MTLS_KEY_PASSPHRASE');
      fail('BAD_PASSPHRASE', 'wrong passphrase for ' + s.keyPath + ' (MTLS_KEY_PASSPHRASE)');
    }
    return fail('BAD_KEY', 'not a private key: ' + s.keyPath + ' (' + (e as Error).message + ')');
  }
  let leaf: nodeCrypto.X509Certificate;
  try {
    leaf = new nodeCrypto.X509Certificate(cert);
  } catch (e) {
    return fail('BAD_CERT', 'not a PEM certificate: ' + s.certPath + ' (' + (e as Error).message + ')');
  }
  if (!leaf.checkPrivateKey(keyObject)) {
    const own = certificateBlocks(cert)
      .slice(1)
      .find((b) => {
        try {
          return new nodeCrypto.X509Certificate(b).checkPrivateKey(keyObject);
        } catch {
          return false;
        }
      });
    if (own !== undefined) {
      fail(
        'CERT_ORDER',
        'the certificate file ' +
          s.certPath +
          ' does not start with the server certificate: ' +
          new nodeCrypto.X509Certificate(own).subject.replace(/\n/g, ', ') +
          ' (the one the private key belongs to) must come first, then its intermediates',
      );
    }
    fail(
      'KEY_MISMATCH',
      'the private key ' +
        s.keyPath +
        ' does not belong to the certificate ' +
        s.certPath +
        ' (' +
        leaf.subject.replace(/\n/g, ', ') +
        ')',
    );
  }
  if (Date.parse(leaf.validTo) < Date.now())
    log('warning: the server certificate expired on ' + leaf.validTo + ': clients will refuse it');
}

/** At least one certificate, and none damaged. */
function checkCaBundle(s: Settings, ca: Buffer): void {
  const caBlocks = certificateBlocks(ca);
  if (caBlocks.length === 0) fail('BAD_CA', 'no PEM certificate in the CA bundle ' + s.caPath);
  // Node stops reading the bundle at a damaged certificate: every client of that CA, and of the ones after it,
  // would then be refused as unknown.
  caBlocks.forEach((b, i) => {
    try {
      new nodeCrypto.X509Certificate(b);
    } catch (e) {
      fail(
        'BAD_CA',
        'certificate ' +
          (i + 1) +
          ' of ' +
          caBlocks.length +
          ' in the CA bundle ' +
          s.caPath +
          ' is damaged or truncated (' +
          (e as Error).message +
          ')',
      );
    }
  });
}
