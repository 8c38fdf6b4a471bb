/** PKCS#7 / CMS SignedData as used for certificate bundles (.p7b): only the certificates matter. */
import { Asn1Error, Tag, children, readOid, type Asn1Node } from '../asn1/der';
import { OID } from '../asn1/oids';

/** True when the node is a ContentInfo holding SignedData. */
export function looksLikePkcs7(node: Asn1Node): boolean {
  if (node.tag !== Tag.SEQUENCE) return false;
  const [oid, body] = children(node);
  return oid?.tag === Tag.OID && readOid(oid) === OID.pkcs7SignedData && body?.tag === 0xa0;
}

/** The certificates (and how many CRLs) a SignedData ContentInfo carries. */
export function pkcs7Certificates(node: Asn1Node): { certificates: Asn1Node[]; crlCount: number } {
  const [, body] = children(node);
  const signedData = children(body)[0];
  if (!signedData || signedData.tag !== Tag.SEQUENCE) throw new Asn1Error('PKCS#7: SignedData missing', body.start);
  const parts = children(signedData);
  const certs = parts.find((p) => p.tag === 0xa0);
  const crls = parts.find((p) => p.tag === 0xa1);
  return { certificates: certs ? children(certs) : [], crlCount: crls ? children(crls).length : 0 };
}
