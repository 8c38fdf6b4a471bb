/**
 * PKCS#12 (.p12/.pfx) written the way OpenSSL 3 writes it by default, so `openssl pkcs12` (no -legacy),
 * Node's `pfx` option, Java and Windows all read it: certificates in a PBES2 (PBKDF2-HMAC-SHA256,
 * AES-256-CBC) encrypted SafeContents, the key as an encrypted PKCS#8 shrouded bag, HMAC-SHA256 MAC.
 */
import { createCipheriv, createHash, createHmac, pbkdf2Sync, randomBytes, X509Certificate } from 'node:crypto';
import { der } from '../asn1/der';
import { bmpPassword, pkcs12Kdf, Pkcs12KeyId } from '../crypto/pkcs12Kdf';
import { InputError } from '../errors';
import { loadPrivateKey } from './keys';
import { certificatesFromPem } from './pem';

/** OpenSSL 3's default iteration count for both PBKDF2 and the MAC. */
export const PKCS12_ITERATIONS = 2048;

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.2', // pkcs8ShroudedKeyBag
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSHA256: '1.2.840.113549.2.9',
  aes256cbc: '2.16.840.1.101.3.4.1.42',
  sha256: '2.16.840.1.101.3.4.2.1',
};

function contentInfo(type: string, content: Buffer): Buffer {
  return der.sequence(der.oid(type), der.explicit(0, content));
}

function attribute(oid: string, value: Buffer): Buffer {
  return der.sequence(der.oid(oid), der.set(value));
}

function safeBag(bagId: string, value: Buffer, attrs: Buffer[]): Buffer {
  return attrs.length ? der.sequence(der.oid(bagId), der.explicit(0, value), der.set(...attrs)) : der.sequence(der.oid(bagId), der.explicit(0, value));
}

/** PBES2 encryption as in RFC 8018: PBKDF2 over the UTF-8 password (OpenSSL does not use BMPString here). */
function pbes2Encrypt(plain: Buffer, password: string): { algorithm: Buffer; encrypted: Buffer } {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, PKCS12_ITERATIONS, 32, 'sha256');
  const c = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([c.update(plain), c.final()]);
  const algorithm = der.sequence(
    der.oid(OID.pbes2),
    der.sequence(
      der.sequence(der.oid(OID.pbkdf2), der.sequence(der.octetString(salt), der.integer(PKCS12_ITERATIONS), der.sequence(der.oid(OID.hmacWithSHA256), der.null()))),
      der.sequence(der.oid(OID.aes256cbc), der.octetString(iv)),
    ),
  );
  return { algorithm, encrypted };
}

/** Builds a .p12 holding the key, its certificate (first) and the chain, protected by `passphrase`. */
export function buildPkcs12(o: { certPem: string; keyPem: string; keyPassphrase?: string; chainPem?: string; passphrase: string; friendlyName?: string }): Buffer {
  if (!o.passphrase) throw new InputError('A PKCS#12 file needs a non-empty passphrase (Node and Java refuse empty ones inconsistently).');
  const [leaf, ...rest] = certificatesFromPem(o.certPem, 'The certificate file');
  const chain = [...rest, ...(o.chainPem ? certificatesFromPem(o.chainPem, 'The chain file') : [])].filter((c, i, all) => !c.equals(leaf) && all.findIndex((d) => d.equals(c)) === i);
  const key = loadPrivateKey(o.keyPem, o.keyPassphrase, 'The key file');
  let leafX509: X509Certificate;
  try {
    leafX509 = new X509Certificate(leaf);
  } catch (e) {
    throw new InputError(`The certificate file does not hold a readable certificate: ${(e as Error).message}`, { cause: e });
  }
  if (!leafX509.checkPrivateKey(key)) throw new InputError('The key does not belong to the certificate (the first certificate in --cert). Pass the matching key file.');

  // localKeyId ties the key bag to its certificate; OpenSSL uses the SHA-1 of the certificate, so do we.
  const localKeyId = attribute(OID.localKeyId, der.octetString(createHash('sha1').update(leaf).digest()));
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(leafX509.subject)?.[1];
  const nameAttr = attribute(OID.friendlyName, der.bmp(o.friendlyName ?? cn ?? 'certificate'));

  const certBag = (c: Buffer) => der.sequence(der.oid(OID.x509Certificate), der.explicit(0, der.octetString(c)));
  const certSafe = der.sequence(safeBag(OID.certBag, certBag(leaf), [localKeyId, nameAttr]), ...chain.map((c) => safeBag(OID.certBag, certBag(c), [])));
  const enc = pbes2Encrypt(certSafe, o.passphrase);
  const encryptedData = der.sequence(der.integer(0), der.sequence(der.oid(OID.data), enc.algorithm, der.implicit(0, enc.encrypted)));

  // Node's encrypted PKCS#8 export is exactly an EncryptedPrivateKeyInfo with PBES2/AES-256-CBC.
  const shrouded = key.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: o.passphrase });
  const keySafe = der.sequence(safeBag(OID.keyBag, shrouded, [localKeyId, nameAttr]));

  const authSafe = der.sequence(contentInfo(OID.encryptedData, encryptedData), contentInfo(OID.data, der.octetString(keySafe)));
  const macSalt = randomBytes(16);
  const macKey = pkcs12Kdf('sha256', bmpPassword(o.passphrase), macSalt, Pkcs12KeyId.mac, PKCS12_ITERATIONS, 32);
  const mac = createHmac('sha256', macKey).update(authSafe).digest();
  const macData = der.sequence(der.sequence(der.sequence(der.oid(OID.sha256), der.null()), der.octetString(mac)), der.octetString(macSalt), der.integer(PKCS12_ITERATIONS));
  return der.sequence(der.integer(3), contentInfo(OID.data, der.octetString(authSafe)), macData);
}
