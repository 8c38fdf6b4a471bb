/** PKCS#10 certificate signing requests: subject, key, requested extensions, and whether the self-signature holds. */
import { Asn1Error, Tag, children, content, raw, readInteger, readOid, type Asn1Node } from '../asn1/der';
import { decodeExtensions } from './extensions';
import { decodeSignatureAlgorithm, decodeSpki, verifySignature } from './keys';
import { decodeName } from './name';
import { OID } from '../asn1/oids';
import type { CertificateExtensions, DecodedCsr, Extension, ItemSource } from './types';

/** True when the node is shaped like CertificationRequest (info with INTEGER, Name, SPKI, [0] attributes). */
export function looksLikeCsr(node: Asn1Node): boolean {
  if (node.tag !== Tag.SEQUENCE) return false;
  const k = children(node);
  if (k.length !== 3 || k[0].tag !== Tag.SEQUENCE || k[2].tag !== Tag.BIT_STRING) return false;
  const f = children(k[0]);
  return (
    f[0]?.tag === Tag.INTEGER &&
    f[1]?.tag === Tag.SEQUENCE &&
    f[2]?.tag === Tag.SEQUENCE &&
    (f[3] === undefined || f[3].tag === 0xa0)
  );
}

/** Decodes a CSR and verifies its signature with the key it carries. */
export function decodeCsr(node: Asn1Node, source: ItemSource): DecodedCsr {
  const [info, alg, sig] = children(node);
  const f = children(info);
  if (f.length < 3) throw new Asn1Error('certificate request: info is missing fields', info.start);
  const [versionNode, subjectNode, spkiNode, attrsNode] = f;
  let requested: CertificateExtensions = {};
  let extensions: Extension[] = [];
  const otherAttributes: string[] = [];
  if (attrsNode) {
    for (const attr of children(attrsNode)) {
      const [typeNode, values] = children(attr);
      const oid = readOid(typeNode);
      if (oid === OID.extensionRequest && values) {
        const first = children(values)[0];
        if (first) ({ extensions, fields: requested } = decodeExtensions(first));
      } else {
        otherAttributes.push(oid === OID.challengePassword ? 'challengePassword' : oid);
      }
    }
  }
  const signatureAlgorithm = decodeSignatureAlgorithm(alg);
  const sigBytes = content(sig).subarray(1);
  return {
    source,
    version: Number(readInteger(versionNode)) + 1,
    subject: decodeName(subjectNode),
    publicKey: decodeSpki(spkiNode),
    signatureAlgorithm,
    requested,
    extensions,
    signatureValid: verifySignature(signatureAlgorithm, raw(info), raw(spkiNode), sigBytes),
    otherAttributes,
  };
}
