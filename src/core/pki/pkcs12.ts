/**
 * PKCS#12 (.p12/.pfx) written the way OpenSSL 3 writes it by default, so `openssl pkcs12` (no -legacy),
 * Node's `pfx` option, Java and Windows all read it: certificates in a PBES2 (PBKDF2-HMAC-SHA256,
 * AES-256-CBC) encrypted SafeContents, the key as an encrypted PKCS#8 shrouded bag, HMAC-SHA256 MAC.
 */
import { createHash, createHmac, randomBytes, X509Certificate } from 'node:crypto';
import { der } from '../asn1/der';
import { encryptPkcs8, kdfIterations, MAX_PKCS12_ITERATIONS, pbes2Encrypt } from '../crypto/pbes2';
import { bmpPassword, pkcs12KdfAsync, Pkcs12KeyId } from '../crypto/pkcs12Kdf';
import { InputError } from '../errors';
import { OID } from '../asn1/oids';
import { loadPrivateKey } from './keys';
import { certificatesFromPem } from '../x509/pem';

function contentInfo(type: string, content: Buffer): Buffer {
  return der.sequence(der.oid(type), der.explicit(0, content));
}

function attribute(oid: string, value: Buffer): Buffer {
  return der.sequence(der.oid(oid), der.set(value));
}

function safeBag(bagId: string, value: Buffer, attrs: Buffer[]): Buffer {
  return attrs.length
    ? der.sequence(der.oid(bagId), der.explicit(0, value), der.set(...attrs))
    : der.sequence(der.oid(bagId), der.explicit(0, value));
}

/**
 * Builds a .p12 holding the key, its certificate (first) and the chain, protected by `passphrase`. Its three key
 * derivations never hold up the caller's thread: PBKDF2 runs on the thread pool, the MAC's KDF in slices.
 */
export async function buildPkcs12(o: {
  certPem: string;
  keyPem: string;
  keyPassphrase?: string;
  chainPem?: string;
  passphrase: string;
  friendlyName?: string;
  iterations?: number;
}): Promise<Buffer> {
  const iterations = kdfIterations(o.iterations);
  if (iterations > MAX_PKCS12_ITERATIONS)
    throw new InputError(
      `A PKCS#12 file takes at most ${MAX_PKCS12_ITERATIONS.toLocaleString('en')} iterations (got ${iterations.toLocaleString('en')}): its MAC uses the slow PKCS#12 key derivation, and readers (ours included) refuse more.`,
    );
  if (!o.passphrase)
    throw new InputError(
      'A PKCS#12 file needs a non-empty passphrase (Node and Java refuse empty ones inconsistently).',
    );
  const [leaf, ...rest] = certificatesFromPem(o.certPem, 'The certificate file');
  const chain = [...rest, ...(o.chainPem ? certificatesFromPem(o.chainPem, 'The chain file') : [])].filter(
    (c, i, all) => !c.equals(leaf) && all.findIndex((d) => d.equals(c)) === i,
  );
  const key = loadPrivateKey(o.keyPem, o.keyPassphrase, 'The key file');
  let leafX509: X509Certificate;
  try {
    leafX509 = new X509Certificate(leaf);
  } catch (e) {
    throw new InputError(`The certificate file does not hold a readable certificate: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (!leafX509.checkPrivateKey(key))
    throw new InputError(
      'The key does not belong to the certificate (the first certificate in --cert). Pass the matching key file.',
    );

  // localKeyId ties the key bag to its certificate; OpenSSL uses the SHA-1 of the certificate, so do we.
  const localKeyId = attribute(OID.localKeyId, der.octetString(createHash('sha1').update(leaf).digest()));
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(leafX509.subject)?.[1];
  const nameAttr = attribute(OID.friendlyName, der.bmp(o.friendlyName ?? cn ?? 'certificate'));

  const certBag = (c: Buffer) => der.sequence(der.oid(OID.x509Certificate), der.explicit(0, der.octetString(c)));
  const certSafe = der.sequence(
    safeBag(OID.certBag, certBag(leaf), [localKeyId, nameAttr]),
    ...chain.map((c) => safeBag(OID.certBag, certBag(c), [])),
  );
  const [enc, shrouded] = await Promise.all([
    pbes2Encrypt(certSafe, o.passphrase, iterations),
    encryptPkcs8(key.export({ type: 'pkcs8', format: 'der' }), o.passphrase, iterations),
  ]);
  const encryptedData = der.sequence(
    der.integer(0),
    der.sequence(der.oid(OID.pkcs7Data), enc.algorithm, der.implicit(0, enc.encrypted)),
  );

  const keySafe = der.sequence(safeBag(OID.shroudedKeyBag, shrouded, [localKeyId, nameAttr]));

  const authSafe = der.sequence(
    contentInfo(OID.pkcs7EncryptedData, encryptedData),
    contentInfo(OID.pkcs7Data, der.octetString(keySafe)),
  );
  const macSalt = randomBytes(16);
  const macKey = await pkcs12KdfAsync('sha256', bmpPassword(o.passphrase), macSalt, Pkcs12KeyId.mac, iterations, 32);
  const mac = createHmac('sha256', macKey).update(authSafe).digest();
  const macData = der.sequence(
    der.sequence(der.sequence(der.oid(OID.sha256), der.null()), der.octetString(mac)),
    der.octetString(macSalt),
    der.integer(iterations),
  );
  return der.sequence(der.integer(3), contentInfo(OID.pkcs7Data, der.octetString(authSafe)), macData);
}
