/**
 * Hostile certificate files, made at test time (never checked in as binaries), for the hostile-input unit
 * suite, the decoding worker's tests and the extension-host suite: key-derivation bombs (PKCS#12 MACs and
 * bags, PBES2 keys), bundles of thousands of same-name certificates, issuers forged by name and key
 * identifiers, malformed extensions, and a certificate whose subject is a Markdown command link.
 */
import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { der } from '../../src/core/asn1/der';
import { toPem } from '../../src/core/asn1/pemArmor';
import { bmpPassword, pkcs12Kdf, Pkcs12KeyId } from '../../src/core/crypto/pkcs12Kdf';
import { signerFor } from '../../src/core/pki/keys';
import { encodeName } from '../../src/core/pki/names';

export const OIDS = {
  data: '1.2.840.113549.1.7.1',
  basicConstraints: '2.5.29.19',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  encryptedData: '1.2.840.113549.1.7.6',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  scrypt: '1.3.6.1.4.1.11591.4.11',
  hmacSha1: '1.2.840.113549.2.7',
  hmacSha256: '1.2.840.113549.2.9',
  hmacSha512: '1.2.840.113549.2.11',
  aes256: '2.16.840.1.101.3.4.1.42',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  pbeSha1TripleDes: '1.2.840.113549.1.12.1.3',
} as const;

export interface HostileFile {
  readonly name: string;
  readonly bytes: Buffer;
  readonly passphrase?: string;
}

/** PBES2 AlgorithmIdentifier with PBKDF2 (`prf` an hmacWith… OID) and AES-256-CBC. */
export function pbes2Pbkdf2(
  iterations: number | bigint,
  prf: string = OIDS.hmacSha256,
  salt = Buffer.alloc(16, 1),
): Buffer {
  return der.sequence(
    der.oid(OIDS.pbes2),
    der.sequence(
      der.sequence(
        der.oid(OIDS.pbkdf2),
        der.sequence(der.octetString(salt), der.integer(BigInt(iterations)), der.sequence(der.oid(prf), der.null())),
      ),
      der.sequence(der.oid(OIDS.aes256), der.octetString(Buffer.alloc(16, 2))),
    ),
  );
}

/** PBES2 AlgorithmIdentifier with scrypt(N, r, p) and AES-256-CBC. */
export function pbes2Scrypt(n: number, r: number, p: number): Buffer {
  return der.sequence(
    der.oid(OIDS.pbes2),
    der.sequence(
      der.sequence(
        der.oid(OIDS.scrypt),
        der.sequence(
          der.octetString(Buffer.alloc(16, 1)),
          der.integer(n),
          der.integer(r),
          der.integer(p),
          der.integer(32),
        ),
      ),
      der.sequence(der.oid(OIDS.aes256), der.octetString(Buffer.alloc(16, 2))),
    ),
  );
}

/** An EncryptedPrivateKeyInfo (random ciphertext) under `alg`, as PEM text. */
export function encryptedKeyPem(alg: Buffer): string {
  const body = der.sequence(alg, der.octetString(randomBytes(64))).toString('base64');
  return `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${body.replace(/.{1,64}/g, '$&\n')}-----END ENCRYPTED PRIVATE KEY-----\n`;
}

const dataInfo = (content: Buffer): Buffer =>
  der.sequence(der.oid(OIDS.data), der.explicit(0, der.octetString(content)));

/**
 * A PFX. `mac`: its digest is computed for real with the empty passphrase (so the decoder's automatic empty
 * attempt succeeds and goes on to the bags) unless `digest` is given.
 */
export function pfx(
  contentInfos: Buffer[],
  mac?: { hash: 'sha1' | 'sha256'; iterations: number | bigint; salt?: Buffer; digest?: Buffer },
): Buffer {
  const authSafe = der.sequence(...contentInfos);
  const parts = [der.integer(3), dataInfo(authSafe)];
  if (mac) {
    const salt = mac.salt ?? Buffer.alloc(8, 7);
    const size = mac.hash === 'sha1' ? 20 : 32;
    const digest =
      mac.digest ??
      createHmac(mac.hash, pkcs12Kdf(mac.hash, bmpPassword(''), salt, Pkcs12KeyId.mac, Number(mac.iterations), size))
        .update(authSafe)
        .digest();
    parts.push(
      der.sequence(
        der.sequence(
          der.sequence(der.oid(mac.hash === 'sha1' ? OIDS.sha1 : OIDS.sha256), der.null()),
          der.octetString(digest),
        ),
        der.octetString(salt),
        der.integer(BigInt(mac.iterations)),
      ),
    );
  }
  return der.sequence(...parts);
}

/** A plain data ContentInfo holding `count` shrouded key bags, each encrypted under `alg`. */
export function shroudedKeys(count: number, alg: Buffer): Buffer {
  const bag = der.sequence(
    der.oid(OIDS.shroudedKeyBag),
    der.explicit(0, der.sequence(alg, der.octetString(Buffer.alloc(32, 5)))),
  );
  return dataInfo(der.sequence(...Array.from({ length: count }, () => bag)));
}

/** An EncryptedData ContentInfo (random ciphertext) under `alg`. */
export function encryptedContent(alg: Buffer): Buffer {
  const eci = der.sequence(der.oid(OIDS.data), alg, der.implicit(0, randomBytes(48)));
  return der.sequence(der.oid(OIDS.encryptedData), der.explicit(0, der.sequence(der.integer(0), eci)));
}

/** Every key-derivation bomb the decoder must refuse quickly (no file is over 1 MB). */
export function kdfBombs(): HostileFile[] {
  const files: HostileFile[] = [
    // A 2,000-byte MAC digest: 63 output blocks of the PKCS#12 KDF per attempt in a naive decoder.
    {
      name: 'mac-2000-byte-digest.p12',
      bytes: pfx([], { hash: 'sha256', iterations: 5_000_000, digest: Buffer.alloc(2000, 9) }),
    },
    {
      name: 'mac-5M-iterations.p12',
      bytes: pfx([], { hash: 'sha256', iterations: 5_000_000, digest: Buffer.alloc(32, 9) }),
    },
    {
      name: 'mac-2^63-iterations.p12',
      bytes: pfx([], { hash: 'sha1', iterations: 2n ** 63n - 1n, digest: Buffer.alloc(20, 9) }),
    },
    {
      name: 'mac-huge-salt.p12',
      bytes: pfx([], { hash: 'sha1', iterations: 2048, salt: Buffer.alloc(500_000, 3), digest: Buffer.alloc(20, 9) }),
    },
    // Cheap, valid MAC (empty passphrase), then work hidden in the bags.
    {
      name: '4000-encrypted-bags.p12',
      bytes: pfx([shroudedKeys(4000, pbes2Pbkdf2(2048))], { hash: 'sha256', iterations: 1 }),
    },
    { name: 'bags-without-mac.p12', bytes: pfx([shroudedKeys(3, pbes2Pbkdf2(5_000_000))]) },
    {
      name: 'pbkdf2-sha1-multi-block.p12',
      bytes: pfx([encryptedContent(pbes2Pbkdf2(3_000_000, OIDS.hmacSha1))], { hash: 'sha1', iterations: 1 }),
    },
    {
      name: 'pkcs12-pbe-3des-bag.p12',
      bytes: pfx(
        [
          encryptedContent(
            der.sequence(
              der.oid(OIDS.pbeSha1TripleDes),
              der.sequence(der.octetString(Buffer.alloc(8)), der.integer(4_000_000)),
            ),
          ),
        ],
        { hash: 'sha1', iterations: 1 },
      ),
    },
  ];
  const keys: [string, Buffer][] = [
    ['pbkdf2-5M.key', pbes2Pbkdf2(5_000_000, OIDS.hmacSha512)],
    ['scrypt-1GiB.key', pbes2Scrypt(2 ** 20, 8, 1)],
    ['scrypt-p-1000.key', pbes2Scrypt(16384, 8, 1000)],
    ['scrypt-r-huge.key', pbes2Scrypt(2, 2 ** 24, 1)],
  ];
  for (const [name, alg] of keys) files.push({ name, bytes: Buffer.from(encryptedKeyPem(alg)), passphrase: 'x' });
  return files;
}

/** Many small keys that add up: 500 PEM blocks of 100,000 PBKDF2 iterations each (the first ones fit the budget). */
export function manyEncryptedKeys(): HostileFile {
  return {
    name: '500-encrypted-keys.pem',
    bytes: Buffer.from(Array.from({ length: 500 }, () => encryptedKeyPem(pbes2Pbkdf2(100_000))).join('')),
    passphrase: 'x',
  };
}

// ---------------------------------------------------------------- certificates made without openssl (thousands, fast)

const nameOf = (n: string | Buffer): Buffer =>
  typeof n === 'string' ? der.sequence(der.set(der.sequence(der.oid('2.5.4.3'), der.utf8(n)))) : n;

export interface CertSpec {
  /** A CN, or an encoded Name. */
  readonly subject: string | Buffer;
  readonly issuer: string | Buffer;
  /** The certificate's own key pair. */
  readonly key: KeyPair;
  /** Signs the certificate (defaults to `key`: self-signed when subject === issuer); any key type signerFor knows. */
  readonly signer?: KeyPair;
  readonly ski?: Buffer;
  readonly aki?: Buffer;
  /** basicConstraints (critical) with cA true or false; absent when undefined. */
  readonly ca?: boolean;
  /** Replace the signature with random bytes of the same length. */
  readonly garbageSignature?: boolean;
  readonly serial?: number;
  /** Complete Extension elements appended as they are (e.g. malformed ones). */
  readonly extraExtensions?: readonly Buffer[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}
export interface KeyPair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

let serialCounter = 1;

/** One DER X.509 v3 certificate with every field chosen by the caller, so a test can forge what a real builder never would. */
export function makeCertificate(s: CertSpec): Buffer {
  const ext: Buffer[] = [];
  if (s.ca !== undefined)
    ext.push(
      der.sequence(
        der.oid(OIDS.basicConstraints),
        der.boolean(true),
        der.octetString(s.ca ? der.sequence(der.boolean(true)) : der.sequence()),
      ),
    );
  if (s.ski) ext.push(der.sequence(der.oid(OIDS.subjectKeyIdentifier), der.octetString(der.octetString(s.ski))));
  if (s.aki)
    ext.push(der.sequence(der.oid(OIDS.authorityKeyIdentifier), der.octetString(der.sequence(der.implicit(0, s.aki)))));
  ext.push(...(s.extraExtensions ?? []));
  const signer = signerFor((s.signer ?? s.key).privateKey);
  const tbs = der.sequence(
    der.explicit(0, der.integer(2)),
    der.integer(s.serial ?? serialCounter++),
    signer.algorithm,
    nameOf(s.issuer),
    der.sequence(
      der.time(s.notBefore ?? new Date(Date.UTC(2025, 0, 1))),
      der.time(s.notAfter ?? new Date(Date.UTC(2045, 0, 1))),
    ),
    nameOf(s.subject),
    s.key.publicKey.export({ type: 'spki', format: 'der' }),
    ...(ext.length > 0 ? [der.explicit(3, der.sequence(...ext))] : []),
  );
  let sig = signer.sign(tbs);
  if (s.garbageSignature) sig = der.sequence(der.integer(randomBytes(32)), der.integer(randomBytes(32)));
  return der.sequence(tbs, signer.algorithm, der.bitString(sig));
}

export const ecKey = (): KeyPair => generateKeyPairSync('ec', { namedCurve: 'P-256' });

export const pemOf = (certs: readonly Buffer[]): string => certs.map((c) => toPem('CERTIFICATE', c)).join('');

/**
 * `n` CA certificates with one name and one key identifier, self-issued with garbage signatures, plus a leaf that
 * names them as issuer but was signed by another key: every same-name pair is a candidate link, none verifies.
 */
export function sameNameIssuers(n: number): HostileFile {
  const ski = Buffer.alloc(20, 0xab);
  const key = ecKey();
  const certs = Array.from({ length: n }, () =>
    makeCertificate({ subject: 'Same CA', issuer: 'Same CA', key, ski, aki: ski, ca: true, garbageSignature: true }),
  );
  const other = ecKey();
  certs.push(
    makeCertificate({ subject: 'victim leaf', issuer: 'Same CA', key: other, signer: other, aki: ski, ca: false }),
  );
  return { name: `${n}-same-name-issuers.pem`, bytes: Buffer.from(pemOf(certs)) };
}

/**
 * A ~2 KB PKCS#12 whose MAC (tried with the empty passphrase without asking) is 2,000 bytes of SHA-256 at
 * `iterations` rounds: 63 KDF output blocks × iterations × 2 empty-passphrase forms of hashing.
 */
export function kdfBombP12(iterations = 200_000, digestBytes = 2000): Buffer {
  return pfx([], { hash: 'sha256', iterations, digest: Buffer.alloc(digestBytes, 0x5a) }); // no bags: the MAC alone is the cost
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
  const key = o.key ?? ecKey().privateKey;
  const pair = (k: KeyObject): KeyPair => ({ publicKey: createPublicKey(k), privateKey: k });
  const subject = encodeName({ cn: o.cn, org: 'mTLS Workbench tests' });
  const ski =
    o.ski ??
    createHash('sha1')
      .update(pair(key).publicKey.export({ type: 'spki', format: 'der' }))
      .digest();
  const now = Date.now();
  const certDer = makeCertificate({
    subject,
    issuer: o.claimIssuer?.subject ?? o.issuer?.subject ?? subject,
    key: pair(key),
    signer: pair(o.signingKey ?? o.issuer?.key ?? key),
    ski,
    aki: o.claimIssuer?.ski ?? o.issuer?.ski ?? ski,
    ca: o.ca ?? false,
    serial: o.serial ?? 1 + Math.floor(Math.random() * 1e9),
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 365 * 86_400_000),
  });
  return { der: certDer, pem: toPem('CERTIFICATE', certDer), key, subject, ski };
}

/**
 * `count` CA certificates with one name, each naming that name as its issuer under an authority key
 * identifier that is not its own: every one is a candidate issuer of every other (quadratic chain building).
 */
export function sameNameBundle(count: number): string {
  const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const subject = encodeName({ cn: 'Same Name CA', org: 'mTLS Workbench tests' });
  const parts: string[] = [];
  for (let i = 0; i < count; i++)
    parts.push(
      testCertificate({
        cn: 'Same Name CA',
        ca: true,
        key,
        serial: i + 1,
        claimIssuer: { subject, ski: Buffer.alloc(20, 0xee) },
      }).pem,
    );
  return parts.join('');
}

/**
 * An encrypted PKCS#8 key and a wrong passphrase whose decryption passes the padding check (about one in 256),
 * so OpenSSL fails in its key decoder ("unsupported") instead of with "bad decrypt". Undefined when none of
 * 5,000 tries is one (never seen: that would take odds of about e^-19).
 */
export function garbageDecryptingPassphrase(): { keyPem: string; passphrase: string } | undefined {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyPem = privateKey
    .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' })
    .toString();
  for (let i = 0; i < 5000; i++) {
    try {
      createPrivateKey({ key: keyPem, format: 'pem', passphrase: `wrong-${i}` });
    } catch (e) {
      if (!/bad decrypt/i.test((e as Error).message)) return { keyPem, passphrase: `wrong-${i}` };
    }
  }
  return undefined;
}
