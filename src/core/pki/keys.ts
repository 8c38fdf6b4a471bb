/**
 * Key types we offer, key generation, and the signature algorithm that goes with each key. Node's crypto
 * generates every key type we need; it cannot build certificates, which is what certificate.ts is for.
 */
import { createHash, createPrivateKey, generateKeyPair as generateKeyPairCb, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { der, parseDer, readBitString, sequence } from '../asn1/der';
import { toPem } from '../asn1/pemArmor';
import { DEFAULT_KDF_ITERATIONS, encryptPkcs8 } from '../crypto/pbes2';
import { isEncryptedKeyPem, isWrongPassphrase } from '../crypto/wrongPassphrase';
import { InputError } from '../errors';
import { OID } from '../asn1/oids';

export type KeyType = 'rsa2048' | 'rsa3072' | 'rsa4096' | 'ec256' | 'ec384' | 'ed25519';

/** Key types for a quick pick: id, a label and one line on when to choose it. */
export const keyTypes: readonly { id: KeyType; label: string; detail: string }[] = [
  { id: 'rsa2048', label: 'RSA 2048', detail: 'Works everywhere (Dialogflow, Kore.ai, old Java stacks). The default.' },
  { id: 'rsa3072', label: 'RSA 3072', detail: 'Stronger RSA, slower to generate; for policies that ask for it.' },
  { id: 'rsa4096', label: 'RSA 4096', detail: 'Strongest RSA; generating it takes seconds.' },
  { id: 'ec256', label: 'ECDSA P-256', detail: 'Small and fast; supported by every modern TLS stack.' },
  { id: 'ec384', label: 'ECDSA P-384', detail: 'ECDSA with a larger curve (signed with SHA-384).' },
  { id: 'ed25519', label: 'Ed25519', detail: 'Modern and fast, but not accepted by browsers and many TLS clients.' },
];

export const defaultKeyType: KeyType = 'rsa2048';

/** Checks a user-supplied key type name; the message lists the valid ones. */
export function parseKeyType(value: string): KeyType {
  const found = keyTypes.find((k) => k.id === value.toLowerCase());
  if (!found) throw new InputError(`Unknown key type "${value}". Use one of: ${keyTypes.map((k) => k.id).join(', ')}.`);
  return found.id;
}

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

const generate = promisify(generateKeyPairCb);

/** Generates a key pair off the main thread (libuv pool), so several keys can be made at once. */
export async function generateKeyPair(type: KeyType): Promise<KeyPair> {
  switch (type) {
    case 'rsa2048':
    case 'rsa3072':
    case 'rsa4096':
      return generate('rsa', { modulusLength: Number(type.slice(3)) });
    case 'ec256':
      return generate('ec', { namedCurve: 'prime256v1' });
    case 'ec384':
      return generate('ec', { namedCurve: 'secp384r1' });
    case 'ed25519':
      return generate('ed25519', {});
    default:
      throw new InputError(`Unknown key type "${String(type)}".`);
  }
}

/** Unencrypted PKCS#8 PEM. */
export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/**
 * The PEM of a key file: with a passphrase, encrypted PKCS#8 (PBES2: PBKDF2-HMAC-SHA256 with `iterations`, default
 * DEFAULT_KDF_ITERATIONS, and AES-256-CBC) that openssl and Node both read, its PBKDF2 run on the thread pool;
 * without one, privateKeyPem's.
 */
export async function privateKeyFilePem(key: KeyObject, passphrase?: string, iterations?: number): Promise<string> {
  if (passphrase === '')
    throw new InputError('The key passphrase is empty: give a real passphrase, or do not encrypt the key.');
  if (passphrase === undefined) return privateKeyPem(key);
  return toPem(
    'ENCRYPTED PRIVATE KEY',
    await encryptPkcs8(key.export({ type: 'pkcs8', format: 'der' }), passphrase, iterations ?? DEFAULT_KDF_ITERATIONS),
  );
}

/** Loads a private key from PEM, turning OpenSSL's terse errors into advice. `what` names the file. */
export function loadPrivateKey(pem: string, passphrase: string | undefined, what: string): KeyObject {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new InputError(`${what} holds no PEM private key (expected "-----BEGIN PRIVATE KEY-----" or similar).`);
  }
  if (!/-----END [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new InputError(`${what} is truncated: the private key has a BEGIN line but no END line.`);
  }
  const encrypted = isEncryptedKeyPem(pem);
  try {
    return createPrivateKey(
      passphrase === undefined ? { key: pem, format: 'pem' } : { key: pem, format: 'pem', passphrase },
    );
  } catch (e) {
    if (encrypted && passphrase === undefined) {
      throw new InputError(
        `${what} is encrypted: supply its passphrase (CLI: --ca-passphrase-env VAR for a CA's key, --key-passphrase-env VAR for a key to export).`,
        { cause: e },
      );
    }
    if (isWrongPassphrase(pem, passphrase, e)) {
      throw new InputError(
        `Wrong passphrase for ${what.charAt(0).toLowerCase()}${what.slice(1)}: it could not be decrypted.`,
        { cause: e },
      );
    }
    throw new InputError(`${what} is not a readable private key (damaged or truncated PEM?): ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/** How a key signs a certificate: the AlgorithmIdentifier DER and the signing function. */
export interface Signer {
  readonly algorithm: Buffer;
  readonly name: string;
  sign(data: Buffer): Buffer;
}

/** The signature algorithm for a private key: RSA→sha256WithRSAEncryption, P-256/384/521→ECDSA with the matching SHA-2, Ed25519→pure. */
export function signerFor(key: KeyObject): Signer {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      // RFC 4055: the parameters of sha256WithRSAEncryption are an explicit NULL.
      return {
        name: 'sha256WithRSAEncryption',
        algorithm: der.sequence(der.oid(OID.sha256WithRsaEncryption), der.null()),
        sign: (d) => sign('sha256', d, key),
      };
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      const hash =
        curve === 'prime256v1'
          ? 'sha256'
          : curve === 'secp384r1'
            ? 'sha384'
            : curve === 'secp521r1'
              ? 'sha512'
              : undefined;
      if (!hash)
        throw new InputError(`EC curve ${curve ?? 'unknown'} is not supported for signing; use P-256, P-384 or P-521.`);
      const oid =
        hash === 'sha256' ? OID.ecdsaWithSha256 : hash === 'sha384' ? OID.ecdsaWithSha384 : OID.ecdsaWithSha512;
      // RFC 5758: ECDSA AlgorithmIdentifiers have no parameters at all.
      return {
        name: `ecdsa-with-${hash.toUpperCase()}`,
        algorithm: der.sequence(der.oid(oid)),
        sign: (d) => sign(hash, d, { key, dsaEncoding: 'der' }),
      };
    }
    case 'ed25519':
      return { name: 'Ed25519', algorithm: der.sequence(der.oid(OID.ed25519)), sign: (d) => sign(null, d, key) };
    default:
      throw new InputError(
        `Keys of type ${key.asymmetricKeyType ?? 'unknown'} cannot sign certificates here; use RSA, ECDSA or Ed25519.`,
      );
  }
}

/** The SPKI DER of a public (or private) key. */
export function spkiOf(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING (not of the whole SPKI). */
export function keyIdentifier(spkiDer: Buffer): Buffer {
  const [, bits] = sequence(parseDer(spkiDer), 'subjectPublicKeyInfo');
  return createHash('sha1').update(readBitString(bits).bytes).digest();
}
