/**
 * The one certificate builder: X.509 v3 certificates assembled with our DER writer and signed with
 * `crypto.sign`. Profiles (root CA, intermediate CA, server leaf, client leaf) are data, so every
 * certificate we make goes through the same few lines.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { der } from '../asn1/der';
import { keyUsageBits as KEY_USAGE_BITS, OID } from '../asn1/oids';
import { keyIdentifier, signerFor, spkiOf } from './keys';
import { encodeSans } from './names';
import { toPem } from '../asn1/pemArmor';

export type CertRole = 'root' | 'intermediate' | 'server' | 'client';

export interface CertificateSpec {
  readonly role: CertRole;
  /** Encoded subject Name (names.ts encodeName). */
  readonly subject: Buffer;
  /** Issuer Name bytes, copied from the CA certificate; omitted for a self-signed certificate. */
  readonly issuer?: Buffer;
  readonly publicKey: KeyObject;
  /** The key that signs: the CA's, or the subject's own for a self-signed certificate. */
  readonly signingKey: KeyObject;
  /** The issuer's subjectKeyIdentifier; omitted when self-signed (then it is our own). */
  readonly authorityKeyId?: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** 'DNS:x', 'IP:y', 'email:z', 'URI:u' (already checked by parseSans). */
  readonly sans?: readonly string[];
}

export interface BuiltCertificate {
  readonly der: Buffer;
  readonly pem: string;
  readonly subjectKeyId: Buffer;
}

/** A random positive serial of 128 bits (CA/B Forum asks for ≥ 64 bits of CSPRNG output). */
function randomSerial(): Buffer {
  const b = randomBytes(16);
  if (b[0] === 0) b[0] = 1; // keep all 16 octets significant, and never zero
  return b;
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  // DER forbids encoding a DEFAULT value, so `critical` appears only when true.
  return critical
    ? der.sequence(der.oid(oid), der.boolean(true), der.octetString(value))
    : der.sequence(der.oid(oid), der.octetString(value));
}

/** keyUsage as a DER BIT STRING: named bits, trailing zero bits removed (X.690 11.2.2). */
type KeyUsageName = (typeof KEY_USAGE_BITS)[number];

function keyUsageBits(names: readonly KeyUsageName[]): Buffer {
  const bits = names.map((n) => KEY_USAGE_BITS.indexOf(n));
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc((highest >> 3) + 1);
  for (const b of bits) bytes[b >> 3] |= 0x80 >> (b & 7);
  return der.bitString(bytes, 7 - (highest & 7));
}

function extensionsFor(spec: CertificateSpec, ski: Buffer): Buffer[] {
  const exts: Buffer[] = [];
  const isCa = spec.role === 'root' || spec.role === 'intermediate';
  if (isCa) {
    // Root pathlen 1 allows exactly one intermediate below it; the intermediate (pathlen 0) signs only leaves.
    exts.push(
      extension(OID.basicConstraints, true, der.sequence(der.boolean(true), der.integer(spec.role === 'root' ? 1 : 0))),
    );
    exts.push(extension(OID.keyUsage, true, keyUsageBits(['keyCertSign', 'cRLSign'])));
  } else {
    exts.push(extension(OID.basicConstraints, true, der.sequence()));
    // keyEncipherment only means something for RSA key transport (TLS 1.2 RSA kex); ECDSA/Ed25519 keys only sign.
    const usages: KeyUsageName[] =
      spec.publicKey.asymmetricKeyType === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
    exts.push(extension(OID.keyUsage, true, keyUsageBits(usages)));
    // A client certificate gets clientAuth ONLY: a server certificate must not double as a client identity (unlike mkcert -client).
    exts.push(
      extension(
        OID.extKeyUsage,
        false,
        der.sequence(der.oid(spec.role === 'server' ? OID.serverAuth : OID.clientAuth)),
      ),
    );
  }
  exts.push(extension(OID.subjectKeyIdentifier, false, der.octetString(ski)));
  exts.push(extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicit(0, spec.authorityKeyId ?? ski))));
  if (spec.sans && spec.sans.length > 0) {
    // RFC 5280 4.2.1.6: critical only when the subject is empty.
    const emptySubject = spec.subject.length === 2;
    exts.push(extension(OID.subjectAltName, emptySubject, encodeSans(spec.sans)));
  }
  return exts;
}

/** Builds and signs one X.509 v3 certificate. */
export function buildCertificate(spec: CertificateSpec): BuiltCertificate {
  const signer = signerFor(spec.signingKey);
  const spki = spkiOf(spec.publicKey);
  const ski = keyIdentifier(spki);
  const tbs = der.sequence(
    der.explicit(0, der.integer(2)), // v3
    der.integer(randomSerial()),
    signer.algorithm,
    spec.issuer ?? spec.subject,
    der.sequence(der.time(spec.notBefore), der.time(spec.notAfter)),
    spec.subject,
    spki,
    der.explicit(3, der.sequence(...extensionsFor(spec, ski))),
  );
  const certDer = der.sequence(tbs, signer.algorithm, der.bitString(signer.sign(tbs)));
  return { der: certDer, pem: toPem('CERTIFICATE', certDer), subjectKeyId: ski };
}
