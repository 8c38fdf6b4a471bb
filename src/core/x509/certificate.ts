/** X.509 certificates: every field read with the lean DER reader (signatures are checked by chain.ts). */
import { digest } from '../crypto/digest';
import {
  Asn1Error,
  Tag,
  children,
  parseDer,
  raw,
  readBitString,
  readInteger,
  readIntegerHex,
  readTime,
  type Asn1Node,
} from '../asn1/der';
import { colonHex } from './colonHex';
import { decodeExtensions } from './extensions';
import { decodeSpki, decodeSignatureAlgorithm } from './keys';
import { decodeName } from './name';
import { toPem } from './pem';
import type { DecodedCertificate, ItemSource } from './types';

const DAY_MS = 86_400_000;

/**
 * Validity times, read digit by digit for the two forms RFC 5280 allows (YYMMDDHHMMSSZ, YYYYMMDDHHMMSSZ);
 * anything else goes to the general reader. A regex per date showed up in profiles of 100+ certificate files.
 */
function readValidityTime(n: Asn1Node): Date {
  const b = n.buf;
  const len = n.end - n.contentStart;
  const utc = n.tag === Tag.UTC_TIME && len === 13;
  const gen = n.tag === Tag.GENERALIZED_TIME && len === 15;
  if ((utc || gen) && b[n.end - 1] === 0x5a) {
    let p = n.contentStart;
    const two = (): number => {
      const hi = b[p] - 48;
      const lo = b[p + 1] - 48;
      p += 2;
      return hi >= 0 && hi <= 9 && lo >= 0 && lo <= 9 ? hi * 10 + lo : NaN;
    };
    let year = two();
    if (gen) year = year * 100 + two();
    else year += year < 50 ? 2000 : 1900;
    const mo = two();
    const d = two();
    const h = two();
    const mi = two();
    const sec = two();
    const t = Date.UTC(year, mo - 1, d, h, mi, sec);
    if (!Number.isNaN(t)) return new Date(t);
  }
  return readTime(n);
}

/** A decoded certificate plus the raw parts chain building needs (kept out of the JSON result). */
export interface ParsedCertificate {
  readonly decoded: { -readonly [K in keyof DecodedCertificate]: DecodedCertificate[K] };
  readonly der: Buffer;
  readonly subjectDer: Buffer;
  readonly issuerDer: Buffer;
  /** What chain building needs to verify signatures: the signed bytes, the signature, and this certificate's key. */
  readonly tbsDer: Buffer;
  readonly signature: Buffer;
  readonly spkiDer: Buffer;
}

/** True when the node is shaped like Certificate ::= SEQUENCE { tbs SEQUENCE, alg SEQUENCE, sig BIT STRING }. */
export function looksLikeCertificate(node: Asn1Node): boolean {
  if (node.tag !== Tag.SEQUENCE) return false;
  const k = children(node);
  return (
    k.length === 3 &&
    k[0].tag === Tag.SEQUENCE &&
    k[1].tag === Tag.SEQUENCE &&
    k[2].tag === Tag.BIT_STRING &&
    isTbsCertificate(k[0])
  );
}

function isTbsCertificate(tbs: Asn1Node): boolean {
  const f = children(tbs);
  // v1 certificates have no [0] version: serial INTEGER first, then the AlgorithmIdentifier.
  const i = f[0]?.tag === 0xa0 ? 1 : 0;
  return (
    f[i]?.tag === Tag.INTEGER &&
    f[i + 1]?.tag === Tag.SEQUENCE &&
    f[i + 2]?.tag === Tag.SEQUENCE &&
    f[i + 3]?.tag === Tag.SEQUENCE
  );
}

/**
 * Decodes one certificate. Chain-dependent fields (role, selfSigned, problems) are filled in later by chain.ts.
 * Fields are picked by index, not destructured: a bundle's certificates are mostly read before the JIT warms
 * up, where array destructuring allocates an iterator step per element.
 */
export function decodeCertificate(node: Asn1Node, source: ItemSource, now: Date): ParsedCertificate {
  const top = children(node);
  const tbs = top[0];
  const sigAlg = top[1];
  const sig = top[2];
  if (
    !tbs ||
    !sigAlg ||
    !sig ||
    tbs.tag !== Tag.SEQUENCE ||
    sigAlg.tag !== Tag.SEQUENCE ||
    sig.tag !== Tag.BIT_STRING
  ) {
    throw new Asn1Error('certificate: expected tbsCertificate, signatureAlgorithm, signature', node.start);
  }
  const f = children(tbs);
  let i = 0;
  let version = 1;
  if (f[0]?.tag === 0xa0) {
    version = Number(readInteger(children(f[0])[0])) + 1;
    i = 1;
  }
  const serialNode = f[i];
  const issuerNode = f[i + 2];
  const validityNode = f[i + 3];
  const subjectNode = f[i + 4];
  const spkiNode = f[i + 5];
  if (!spkiNode) throw new Asn1Error('certificate: tbsCertificate is missing fields', tbs.start);
  const times = children(validityNode);
  const nb = times[0];
  const na = times[1];
  if (!nb || !na) throw new Asn1Error('certificate: validity needs two times', validityNode.start);
  const notBefore = readValidityTime(nb);
  const notAfter = readValidityTime(na);
  let extNode: Asn1Node | undefined;
  for (let k = i + 6; k < f.length && !extNode; k++) if (f[k].tag === 0xa3) extNode = f[k];
  const ext = extNode
    ? decodeExtensions(
        children(extNode)[0] ??
          (() => {
            throw new Asn1Error('certificate: empty extensions', extNode.start);
          })(),
      )
    : { extensions: [], fields: {} };
  const der = raw(node);
  const subjectDer = raw(subjectNode);
  const issuerDer = raw(issuerNode);
  const bc = ext.fields.basicConstraints;
  const t = now.getTime();
  const decoded: ParsedCertificate['decoded'] = {
    source,
    version,
    serial: readIntegerHex(serialNode),
    subject: decodeName(subjectNode),
    issuer: decodeName(issuerNode),
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor((notAfter.getTime() - t) / DAY_MS),
    validity: t > notAfter.getTime() ? 'expired' : t < notBefore.getTime() ? 'not-yet-valid' : 'valid',
    publicKey: decodeSpki(spkiNode),
    signatureAlgorithm: decodeSignatureAlgorithm(sigAlg),
    ...ext.fields,
    extensions: ext.extensions,
    fingerprints: {
      sha1: colonHex(digest('sha1', der)),
      sha256: colonHex(digest('sha256', der)),
    },
    selfIssued: subjectDer.equals(issuerDer),
    selfSigned: false,
    // v1 certificates have no basicConstraints; a self-issued v1 is treated as a (legacy) CA root.
    isCa: bc ? bc.ca : version === 1 && subjectDer.equals(issuerDer),
    role: 'leaf',
    usage: 'other',
    problems: [],
    pem: toPem('CERTIFICATE', der),
  };
  return {
    decoded,
    der,
    subjectDer,
    issuerDer,
    tbsDer: raw(tbs),
    signature: readBitString(sig).bytes,
    spkiDer: raw(spkiNode),
  };
}

/** Reads one DER certificate on its own (no file, no chain): how generation reads back a CA or a leaf. */
export function readCertificate(certDer: Buffer, now = new Date()): ParsedCertificate {
  const node = parseDer(certDer);
  if (!looksLikeCertificate(node)) throw new Asn1Error('DER is not shaped like a Certificate', 0);
  return decodeCertificate(node, { format: 'der' }, now);
}
