/** Distinguished names and GeneralNames: the parts of a certificate people actually read. */
import { Asn1Error, Tag, children, content, raw, readOid, readString, type Asn1Node } from '../asn1/der';
import { nameAttributes } from '../asn1/oids';
import type { DistinguishedName, GeneralName, NameAttribute } from './types';

const STRING_TAGS: ReadonlySet<number> = new Set([
  Tag.UTF8_STRING,
  Tag.PRINTABLE_STRING,
  Tag.T61_STRING,
  Tag.IA5_STRING,
  Tag.VISIBLE_STRING,
  Tag.NUMERIC_STRING,
  Tag.BMP_STRING,
  Tag.UNIVERSAL_STRING,
]);

// Control characters are exactly what must be found here (RFC 4514 escapes them).
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[,+"\\<>;\x00-\x1f\x7f]|^[# ]| $/;

/** RFC 4514 escaping, plus control characters as \XX (what openssl's esc_2253 + esc_ctrl do). */
function escapeRdnValue(v: string): string {
  // Fast path: almost every real value needs no escaping.
  if (!NEEDS_ESCAPE.test(v)) return v;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    const code = c.charCodeAt(0);
    if (',+"\\<>;'.includes(c) || (i === 0 && (c === '#' || c === ' ')) || (i === v.length - 1 && c === ' '))
      out += '\\' + c;
    else if (code < 0x20 || code === 0x7f) out += '\\' + code.toString(16).toUpperCase().padStart(2, '0');
    else out += c;
  }
  return out;
}

/** A name attribute's string; the common single-byte/UTF-8 types are read in place, without a Buffer view. */
function stringValue(n: Asn1Node): string {
  if (n.tag === Tag.UTF8_STRING) return n.buf.toString('utf8', n.contentStart, n.end);
  if (
    n.tag === Tag.PRINTABLE_STRING ||
    n.tag === Tag.IA5_STRING ||
    n.tag === Tag.T61_STRING ||
    n.tag === Tag.VISIBLE_STRING ||
    n.tag === Tag.NUMERIC_STRING
  ) {
    return n.buf.toString('latin1', n.contentStart, n.end);
  }
  return readString(n);
}

/**
 * Decodes a Name (SEQUENCE OF RDN). Non-string values are shown as `#hex` of their DER, as RFC 4514 says.
 * Indexed loops, not for-of or destructuring: names are read twice per certificate, mostly before the JIT has
 * warmed up, where every iterator step allocates.
 */
export function decodeName(node: Asn1Node): DistinguishedName {
  if (node.tag !== Tag.SEQUENCE) throw new Asn1Error('name: expected a SEQUENCE', node.start);
  const attributes: NameAttribute[] = [];
  const rdns = children(node);
  let text = '';
  for (let r = 0; r < rdns.length; r++) {
    const rdn = rdns[r];
    if (rdn.tag !== Tag.SET) throw new Asn1Error('name: expected a SET of attributes', rdn.start);
    const atvs = children(rdn);
    // The one-line form is reversed, RDN by RDN and within an RDN, as openssl's dn_rev does, so they compare equal.
    let rdnText = '';
    for (let a = 0; a < atvs.length; a++) {
      const atv = atvs[a];
      const pair = children(atv);
      const typeNode = pair[0];
      const valueNode = pair[1];
      if (!typeNode || !valueNode) throw new Asn1Error('name: attribute without a value', atv.start);
      const oid = readOid(typeNode);
      const type = nameAttributes[oid] ?? oid;
      const isString = STRING_TAGS.has(valueNode.tag);
      const value = isString ? stringValue(valueNode) : '#' + raw(valueNode).toString('hex').toUpperCase();
      attributes.push({ type, oid, value, rdn: r });
      const part = `${type}=${isString ? escapeRdnValue(value) : value}`;
      rdnText = a === 0 ? part : `${part}+${rdnText}`;
    }
    text = r === 0 ? rdnText : `${rdnText}, ${text}`;
  }
  return { attributes, text };
}

/** An IPv4/IPv6 address (or address/mask pair in name constraints) from its octets. */
function formatIp(b: Buffer): string {
  const v4 = (x: Buffer) => [...x].join('.');
  const v6 = (x: Buffer) => {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(x.readUInt16BE(i).toString(16));
    // Compress the longest run of zero groups (RFC 5952), so `2001:db8::1` reads as people write it.
    let best = -1;
    let bestLen = 1;
    for (let i = 0; i < 8;) {
      if (groups[i] !== '0') {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && groups[j] === '0') j++;
      if (j - i > bestLen) {
        best = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (best < 0) return groups.join(':');
    return groups.slice(0, best).join(':') + '::' + groups.slice(best + bestLen).join(':');
  };
  if (b.length === 4) return v4(b);
  if (b.length === 16) return v6(b);
  if (b.length === 8) return `${v4(b.subarray(0, 4))}/${v4(b.subarray(4))}`;
  if (b.length === 32) return `${v6(b.subarray(0, 16))}/${v6(b.subarray(16))}`;
  return b.toString('hex');
}

/** Decodes one GeneralName (RFC 5280 4.2.1.6). */
export function decodeGeneralName(n: Asn1Node): GeneralName {
  if (n.cls !== 2) throw new Asn1Error('general name: expected a context-specific tag', n.start);
  const c = content(n);
  switch (n.tagNumber) {
    case 0: {
      // otherName: [0] { type-id OID, [0] EXPLICIT value } — show strings as text, else hex.
      const [idNode, valueWrap] = children(n);
      const oid = readOid(idNode);
      let value = '';
      if (valueWrap) {
        const inner = children(valueWrap)[0];
        value = inner && STRING_TAGS.has(inner.tag) ? readString(inner) : raw(valueWrap).toString('hex');
      }
      return { type: 'otherName', oid, value };
    }
    case 1:
      return { type: 'email', value: c.toString('latin1') };
    case 2:
      return { type: 'DNS', value: c.toString('latin1') };
    case 4: {
      const name = decodeName(children(n)[0]);
      return { type: 'dirName', value: name.text, name };
    }
    case 6:
      return { type: 'URI', value: c.toString('latin1') };
    case 7:
      return { type: 'IP', value: formatIp(c) };
    case 8: {
      // registeredID is an IMPLICIT OID: re-tag the content to read it.
      return { type: 'registeredID', value: readOid({ ...n, tag: Tag.OID }) };
    }
    default:
      return { type: 'other', value: `[${n.tagNumber}] ${c.toString('hex')}` };
  }
}

/** Decodes GeneralNames (a SEQUENCE of GeneralName). */
export function decodeGeneralNames(node: Asn1Node): GeneralName[] {
  return children(node).map(decodeGeneralName);
}

/** One GeneralName as text, in the `DNS:x` style openssl and most tools use. */
export function generalNameText(g: GeneralName): string {
  if (g.type === 'otherName') return `otherName:${g.oid};${g.value}`;
  return `${g.type}:${g.value}`;
}
