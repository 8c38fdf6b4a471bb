/** Certificate revocation lists: identified and summarised (issuer, dates, how many revoked), not checked. */
import { Tag, children, readTime, type Asn1Node } from '../asn1/der';
import { decodeName } from './name';
import type { DecodedCrl, ItemSource } from './types';

function tbsFields(node: Asn1Node): Asn1Node[] | undefined {
  if (node.tag !== Tag.SEQUENCE) return undefined;
  const k = children(node);
  if (k.length !== 3 || k[0].tag !== Tag.SEQUENCE || k[1].tag !== Tag.SEQUENCE || k[2].tag !== Tag.BIT_STRING)
    return undefined;
  const f = children(k[0]);
  return f[0]?.tag === Tag.INTEGER ? f.slice(1) : f;
}

const isTime = (n: Asn1Node | undefined) => n?.tag === Tag.UTC_TIME || n?.tag === Tag.GENERALIZED_TIME;

/** True when the node is shaped like a CertificateList. */
export function looksLikeCrl(node: Asn1Node): boolean {
  const f = tbsFields(node);
  return !!f && f[0]?.tag === Tag.SEQUENCE && f[1]?.tag === Tag.SEQUENCE && isTime(f[2]);
}

/** Summarises a CRL. */
export function decodeCrl(node: Asn1Node, source: ItemSource): DecodedCrl {
  const f = tbsFields(node) ?? [];
  const next = isTime(f[3]) ? f[3] : undefined;
  const revoked = f.slice(next ? 4 : 3).find((x) => x.tag === Tag.SEQUENCE);
  return {
    source,
    issuer: decodeName(f[1]),
    thisUpdate: readTime(f[2]).toISOString(),
    ...(next && { nextUpdate: readTime(next).toISOString() }),
    revokedCount: revoked ? children(revoked).length : 0,
  };
}
