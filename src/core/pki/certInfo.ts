/**
 * What generation reads back from an existing CA or leaf, taken from the x509 decoder (the one certificate
 * reader): the exact subject/issuer bytes (an issuer DN must be byte-identical to its CA's subject), the
 * validity, the key identifier a new certificate names as its authority, and the extensions that decide
 * whether a certificate may sign or serve.
 */
import { X509Certificate } from 'node:crypto';
import { InputError } from '../errors';
import { readCertificate } from '../x509/certificate';
import { OID } from '../asn1/oids';
import type { CertificateExtensions } from '../x509/types';
import { keyIdentifier } from './keys';

export interface CertFields extends Pick<
  CertificateExtensions,
  'basicConstraints' | 'keyUsage' | 'extendedKeyUsage' | 'subjectAltName'
> {
  readonly subject: Buffer;
  readonly issuer: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The subjectKeyIdentifier, or the one computed from the key (RFC 5280 method 1) when the extension is absent. */
  readonly subjectKeyId: Buffer;
}

// Generation decides with these; one that failed to decode must stop it, not read as "absent".
const DECIDING = new Set<string>([
  OID.subjectKeyIdentifier,
  OID.keyUsage,
  OID.subjectAltName,
  OID.basicConstraints,
  OID.extKeyUsage,
]);

/** Reads a DER certificate; throws when it is malformed, or when an extension generation relies on is. */
export function readCertFields(certDer: Buffer): CertFields {
  const c = readCertificate(certDer);
  const broken = c.decoded.extensions.find((e) => e.error !== undefined && DECIDING.has(e.oid));
  if (broken) throw new Error(`its ${broken.name} extension cannot be read (${broken.error})`);
  const { basicConstraints, keyUsage, extendedKeyUsage, subjectAltName, subjectKeyIdentifier } = c.decoded;
  return {
    subject: c.subjectDer,
    issuer: c.issuerDer,
    notBefore: new Date(c.decoded.notBefore),
    notAfter: new Date(c.decoded.notAfter),
    subjectKeyId:
      subjectKeyIdentifier === undefined
        ? keyIdentifier(c.spkiDer)
        : Buffer.from(subjectKeyIdentifier.replace(/:/g, ''), 'hex'),
    basicConstraints,
    keyUsage,
    extendedKeyUsage,
    subjectAltName,
  };
}

/**
 * A certificate a user gave generation, read by Node (names as text, key and signature checks) and by
 * readCertFields; when either cannot read it, an InputError `failure: why`.
 */
export function readGivenCertificate(certDer: Buffer, failure: string): { x509: X509Certificate; fields: CertFields } {
  try {
    return { x509: new X509Certificate(certDer), fields: readCertFields(certDer) };
  } catch (e) {
    throw new InputError(`${failure}: ${(e as Error).message}`, { cause: e });
  }
}
