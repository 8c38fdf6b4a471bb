/** X.509 v3 extensions (RFC 5280 4.2) decoded with the lean DER reader; unknown ones kept as hex. */
import {
  Asn1Error,
  Tag,
  children,
  content,
  encapsulated,
  readBitString,
  readBoolean,
  readInteger,
  readIntegerHex,
  readOid,
  readString,
  type Asn1Node,
} from '../asn1/der';
import { colonHex } from './colonHex';
import { decodeGeneralName, decodeGeneralNames, generalNameText } from './name';
import { extKeyUsages, extensionNames, keyUsageBits, OID } from '../asn1/oids';
import { decodeSctList } from './sct';
import type { CertificateExtensions, Extension, GeneralName } from './types';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function keyUsage(v: Asn1Node): string[] {
  const { bytes } = readBitString(v);
  const out: string[] = [];
  keyUsageBits.forEach((name, i) => {
    if (i >> 3 < bytes.length && bytes[i >> 3] & (0x80 >> (i & 7))) out.push(name);
  });
  return out;
}

function basicConstraints(v: Asn1Node): { ca: boolean; pathLength?: number } {
  let ca = false;
  let pathLength: number | undefined;
  for (const c of children(v)) {
    if (c.tag === Tag.BOOLEAN) ca = readBoolean(c);
    else if (c.tag === Tag.INTEGER) pathLength = Number(readInteger(c));
  }
  return pathLength === undefined ? { ca } : { ca, pathLength };
}

function authorityKeyId(v: Asn1Node): NonNullable<CertificateExtensions['authorityKeyIdentifier']> {
  const out: { keyId?: string; issuer?: GeneralName[]; serial?: string } = {};
  for (const c of children(v)) {
    if (c.tag === 0x80) out.keyId = colonHex(content(c));
    else if (c.tag === 0xa1) out.issuer = decodeGeneralNames(c);
    else if (c.tag === 0x82) out.serial = readIntegerHex({ ...c, tag: Tag.INTEGER });
  }
  return out;
}

function aia(v: Asn1Node): NonNullable<CertificateExtensions['authorityInfoAccess']> {
  const ocsp: string[] = [];
  const caIssuers: string[] = [];
  const other: string[] = [];
  for (const ad of children(v)) {
    const [m, loc] = children(ad);
    const method = readOid(m);
    const g = decodeGeneralName(loc);
    const text = g.type === 'URI' ? g.value : generalNameText(g);
    if (method === OID.aiaOcsp) ocsp.push(text);
    else if (method === OID.aiaCaIssuers) caIssuers.push(text);
    else other.push(`${method} - ${text}`);
  }
  return { ocsp, caIssuers, other };
}

function crlPoints(v: Asn1Node): string[] {
  const out: string[] = [];
  for (const dp of children(v)) {
    for (const f of children(dp)) {
      if (f.tag !== 0xa0) continue; // reasons / cRLIssuer are not what people look for
      for (const dpn of children(f)) {
        if (dpn.tag === 0xa0)
          for (const g of decodeGeneralNames(dpn)) out.push(g.type === 'URI' ? g.value : generalNameText(g));
      }
    }
  }
  return out;
}

function policies(v: Asn1Node): NonNullable<CertificateExtensions['certificatePolicies']> {
  return children(v).map((pi) => {
    const [idNode, quals] = children(pi);
    const cps: string[] = [];
    const userNotices: string[] = [];
    if (quals) {
      for (const q of children(quals)) {
        const [qid, qv] = children(q);
        const kind = readOid(qid);
        if (kind === OID.cpsQualifier && qv) cps.push(readString(qv));
        else if (kind === OID.userNoticeQualifier && qv) {
          for (const part of children(qv)) if (part.tag !== Tag.SEQUENCE) userNotices.push(readString(part));
        }
      }
    }
    return { oid: readOid(idNode), cps, userNotices };
  });
}

function nameConstraints(v: Asn1Node): NonNullable<CertificateExtensions['nameConstraints']> {
  const permitted: GeneralName[] = [];
  const excluded: GeneralName[] = [];
  for (const c of children(v)) {
    const target = c.tagNumber === 0 ? permitted : excluded;
    for (const subtree of children(c)) target.push(decodeGeneralName(children(subtree)[0]));
  }
  return { permitted, excluded };
}

/** A SkipCerts INTEGER (0..MAX), read from an INTEGER or an [n] IMPLICIT one: a count of certificates, never negative. */
function skipCerts(node: Asn1Node, what: string): number {
  const n = readInteger(node.cls === 2 && !node.constructed ? { ...node, tag: Tag.INTEGER } : node);
  if (n < 0n || n > BigInt(Number.MAX_SAFE_INTEGER))
    throw new Asn1Error(`${what} of ${n} is not a count of certificates`, node.start);
  return Number(n);
}

function policyConstraints(v: Asn1Node): NonNullable<CertificateExtensions['policyConstraints']> {
  const out: { requireExplicitPolicy?: number; inhibitPolicyMapping?: number } = {};
  for (const c of children(v)) {
    if (c.tag === 0x80) out.requireExplicitPolicy = skipCerts(c, 'requireExplicitPolicy');
    else if (c.tag === 0x81) out.inhibitPolicyMapping = skipCerts(c, 'inhibitPolicyMapping');
    else throw new Asn1Error(`policy constraints: unexpected tag 0x${c.tag.toString(16)}`, c.start);
  }
  return out;
}

/** Decodes the Extensions SEQUENCE: every extension listed, the well-known ones decoded into fields. */
export function decodeExtensions(node: Asn1Node): { extensions: Extension[]; fields: CertificateExtensions } {
  const extensions: Extension[] = [];
  const f: Mutable<CertificateExtensions> = {};
  for (const ext of children(node)) {
    const parts = children(ext);
    if (parts.length < 2) throw new Asn1Error('extension: too few fields', ext.start);
    const oid = readOid(parts[0]);
    const critical = parts.length === 3 ? readBoolean(parts[1]) : false;
    const valueNode = parts[parts.length - 1];
    if (valueNode.tag !== Tag.OCTET_STRING)
      throw new Asn1Error('extension: value is not an OCTET STRING', valueNode.start);
    const name = extensionNames[oid] ?? oid;
    let known = true;
    try {
      const v = (): Asn1Node => encapsulated(valueNode);
      switch (oid) {
        case OID.subjectAltName:
          f.subjectAltName = decodeGeneralNames(v());
          break;
        case OID.keyUsage:
          f.keyUsage = keyUsage(v());
          break;
        case OID.extKeyUsage:
          f.extendedKeyUsage = children(v()).map((o) => extKeyUsages[readOid(o)] ?? readOid(o));
          break;
        case OID.basicConstraints:
          f.basicConstraints = basicConstraints(v());
          break;
        case OID.subjectKeyIdentifier:
          f.subjectKeyIdentifier = colonHex(content(v()));
          break;
        case OID.authorityKeyIdentifier:
          f.authorityKeyIdentifier = authorityKeyId(v());
          break;
        case OID.authorityInfoAccess:
          f.authorityInfoAccess = aia(v());
          break;
        case OID.crlDistributionPoints:
          f.crlDistributionPoints = crlPoints(v());
          break;
        case OID.certificatePolicies:
          f.certificatePolicies = policies(v());
          break;
        case OID.nameConstraints:
          f.nameConstraints = nameConstraints(v());
          break;
        case OID.policyConstraints:
          f.policyConstraints = policyConstraints(v());
          break;
        case OID.inhibitAnyPolicy:
          f.inhibitAnyPolicy = skipCerts(v(), 'inhibitAnyPolicy');
          break;
        case OID.sctList:
          f.signedCertificateTimestamps = decodeSctList(valueNode);
          break;
        default:
          known = false;
      }
    } catch (e) {
      extensions.push({
        oid,
        name,
        critical,
        valueHex: content(valueNode).toString('hex'),
        error: e instanceof Error ? e.message : String(e),
      });
      continue;
    }
    extensions.push(
      known ? { oid, name, critical } : { oid, name, critical, valueHex: content(valueNode).toString('hex') },
    );
  }
  return { extensions, fields: f };
}
