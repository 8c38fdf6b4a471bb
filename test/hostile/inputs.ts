/**
 * Hostile certificate files, made at test time (never checked in as binaries): a PKCS#12 whose MAC asks
 * for hours of key derivation, a bundle of thousands of same-name certificates, an issuer forged by name
 * and key identifiers, and a certificate whose subject is a Markdown command link.
 */
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { der } from '../../src/core/asn1/der';
import { signerFor } from '../../src/core/pki/keys';
import { encodeName } from '../../src/core/pki/names';
import { toPem } from '../../src/core/asn1/pemArmor';

const OID = {
  data: '1.2.840.113549.1.7.1',
  sha256: '2.16.840.1.101.3.4.2.1',
  basicConstraints: '2.5.29.19',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
};

/**
 * A ~2 KB PKCS#12 whose MAC (tried with the empty passphrase without asking) is 2,000 bytes of SHA-256 at
 * `iterations` rounds: 63 KDF output blocks × iterations × 2 empty-passphrase forms of hashing.
 */
export function kdfBombP12(iterations = 200_000, digestBytes = 2000): Buffer {
  const authSafe = der.sequence(); // no bags: the MAC alone is the cost
  const contentInfo = der.sequence(der.oid(OID.data), der.explicit(0, der.octetString(authSafe)));
  const macData = der.sequence(der.sequence(der.sequence(der.oid(OID.sha256), der.null()), der.octetString(Buffer.alloc(digestBytes, 0x5a))), der.octetString(Buffer.alloc(8, 7)), der.integer(iterations));
  return der.sequence(der.integer(3), contentInfo, macData);
}

export interface TestCertificate {
  readonly der: Buffer;
  readonly pem: string;
  readonly key: KeyObject;
  readonly subject: Buffer;
  readonly ski: Buffer;
}

/**
 * One X.509 v3 certificate with every identity field chosen by the caller, so a test can forge what a real
 * builder never would (another key under a CA's name and key identifier).
 */
export function testCertificate(o: {
  cn: string;
  issuer?: TestCertificate;
  /** Sign with this key instead of the issuer's (a forgery). */
  signingKey?: KeyObject;
  /** Subject key identifier to claim instead of the hash of the key. */
  ski?: Buffer;
  /** Issuer name and authority key identifier to claim instead of the issuer's. */
  claimIssuer?: { subject: Buffer; ski: Buffer };
  ca?: boolean;
  serial?: number;
  key?: KeyObject;
}): TestCertificate {
  const key = o.key ?? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const spki = createPublicKeyDer(key);
  const subject = encodeName({ cn: o.cn, org: 'mTLS Workbench tests' });
  const ski = o.ski ?? createHash('sha1').update(spki).digest();
  const issuerName = o.claimIssuer?.subject ?? o.issuer?.subject ?? subject;
  const aki = o.claimIssuer?.ski ?? o.issuer?.ski ?? ski;
  const signer = signerFor(o.signingKey ?? o.issuer?.key ?? key);
  const ext = (oid: string, critical: boolean, value: Buffer) => (critical ? der.sequence(der.oid(oid), der.boolean(true), der.octetString(value)) : der.sequence(der.oid(oid), der.octetString(value)));
  const now = Date.now();
  const tbs = der.sequence(
    der.explicit(0, der.integer(2)),
    der.integer(o.serial ?? 1 + Math.floor(Math.random() * 1e9)),
    signer.algorithm,
    issuerName,
    der.sequence(der.time(new Date(now - 86_400_000)), der.time(new Date(now + 365 * 86_400_000))),
    subject,
    spki,
    der.explicit(
      3,
      der.sequence(
        ext(OID.basicConstraints, true, o.ca ? der.sequence(der.boolean(true)) : der.sequence()),
        ext(OID.subjectKeyIdentifier, false, der.octetString(ski)),
        ext(OID.authorityKeyIdentifier, false, der.sequence(der.implicit(0, aki))),
      ),
    ),
  );
  const certDer = der.sequence(tbs, signer.algorithm, der.bitString(signer.sign(tbs)));
  return { der: certDer, pem: toPem('CERTIFICATE', certDer), key, subject, ski };
}

function createPublicKeyDer(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}

/**
 * `count` CA certificates with one name, each naming that name as its issuer under an authority key
 * identifier that is not its own: every one is a candidate issuer of every other (quadratic chain building).
 */
export function sameNameBundle(count: number): string {
  const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const subject = encodeName({ cn: 'Same Name CA', org: 'mTLS Workbench tests' });
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(testCertificate({ cn: 'Same Name CA', ca: true, key, serial: i + 1, claimIssuer: { subject, ski: Buffer.alloc(20, 0xee) } }).pem);
  return parts.join('');
}
