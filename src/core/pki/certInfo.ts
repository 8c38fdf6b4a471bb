/**
 * The few certificate fields generation needs to read back from an existing CA or leaf: the exact
 * subject/issuer bytes (an issuer DN must be byte-identical to its CA's subject), key identifiers, key
 * usage bits and basic constraints — the last three Node's X509Certificate does not expose.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { children, content, parseDer, raw, readBitString, readBoolean, readInteger, readOid, readTime, sequence, Tag, type Asn1Node } from '../asn1/der';

export interface CertFields {
  readonly tbs: Buffer;
  readonly issuer: Buffer;
  readonly subject: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spki: Buffer;
  /** Extensions by OID: criticality and the extnValue content (the DER inside the OCTET STRING). */
  readonly extensions: ReadonlyMap<string, { critical: boolean; value: Buffer }>;
}

export const ExtOid = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
} as const;

/** Reads the TBS fields of a DER certificate with the strict DER reader (throws Asn1Error if malformed). */
export function readCertFields(certDer: Buffer): CertFields {
  const [tbsNode] = sequence(parseDer(certDer), 'certificate');
  const f = sequence(tbsNode, 'tbsCertificate');
  let i = f[0].tag === 0xa0 ? 1 : 0; // [0] version is optional (v1 certificates)
  i++; // serialNumber
  i++; // signature algorithm
  const issuer = f[i++];
  const validity = sequence(f[i++], 'validity');
  const subject = f[i++];
  const spki = f[i++];
  const extensions = new Map<string, { critical: boolean; value: Buffer }>();
  for (; i < f.length; i++) {
    if (f[i].tag !== 0xa3) continue;
    for (const ext of sequence(children(f[i])[0], 'extensions')) {
      const parts = sequence(ext, 'extension');
      const critical = parts.length === 3 ? readBoolean(parts[1]) : false;
      extensions.set(readOid(parts[0]), { critical, value: Buffer.from(content(parts[parts.length - 1])) });
    }
  }
  return {
    tbs: Buffer.from(raw(tbsNode)),
    issuer: Buffer.from(raw(issuer)),
    subject: Buffer.from(raw(subject)),
    notBefore: readTime(validity[0]),
    notAfter: readTime(validity[1]),
    spki: Buffer.from(raw(spki)),
    extensions,
  };
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING (not of the whole SPKI). */
export function keyIdentifier(spkiDer: Buffer): Buffer {
  const [, bits] = sequence(parseDer(spkiDer), 'subjectPublicKeyInfo');
  return createHash('sha1').update(readBitString(bits).bytes).digest();
}

/** The SPKI DER of a public (or private) key. */
export function spkiOf(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** The certificate's subjectKeyIdentifier, or the one computed from its key when the extension is absent. */
export function subjectKeyId(fields: CertFields): Buffer {
  const ext = fields.extensions.get(ExtOid.subjectKeyIdentifier);
  return ext ? Buffer.from(content(parseDer(ext.value))) : keyIdentifier(fields.spki);
}

export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;
export type KeyUsageName = keyof typeof KeyUsageBit;

/** Key usage names set in the certificate, or undefined when it has no keyUsage extension. */
export function keyUsages(fields: CertFields): KeyUsageName[] | undefined {
  const ext = fields.extensions.get(ExtOid.keyUsage);
  if (!ext) return undefined;
  const { bytes } = readBitString(parseDer(ext.value));
  return (Object.keys(KeyUsageBit) as KeyUsageName[]).filter((n) => {
    const bit = KeyUsageBit[n];
    return (bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7));
  });
}

/** basicConstraints: cA and pathLenConstraint (undefined when the extension is absent). */
export function basicConstraints(fields: CertFields): { ca: boolean; pathLen?: number } | undefined {
  const ext = fields.extensions.get(ExtOid.basicConstraints);
  if (!ext) return undefined;
  const items: Asn1Node[] = sequence(parseDer(ext.value), 'basicConstraints');
  let ca = false;
  let pathLen: number | undefined;
  for (const it of items) {
    if (it.tag === Tag.BOOLEAN) ca = readBoolean(it);
    else if (it.tag === Tag.INTEGER) pathLen = Number(readInteger(it));
  }
  return { ca, pathLen };
}

/** extendedKeyUsage OIDs, or undefined when absent. */
export function extKeyUsages(fields: CertFields): string[] | undefined {
  const ext = fields.extensions.get(ExtOid.extKeyUsage);
  return ext ? sequence(parseDer(ext.value), 'extKeyUsage').map(readOid) : undefined;
}


