/** Distinguished names and subject alternative names, encoded for certificates. */
import { isIP } from 'node:net';
import { der } from '../asn1/der';
import { InputError } from '../errors';

const OID = { cn: '2.5.4.3', o: '2.5.4.10', c: '2.5.4.6' };

/**
 * A Name (RFC 5280) with C, O, CN in that order, one attribute per RDN. CN and O are UTF8String (what
 * RFC 5280 asks of new certificates); C must be PrintableString. An empty organisation is left out; an empty
 * common name is refused (it could leave the subject empty, which openssl verify -x509_strict rejects).
 */
export function encodeName(n: { cn?: string; org?: string; country?: string }): Buffer {
  const rdn = (oid: string, value: Buffer) => der.set(der.sequence(der.oid(oid), value));
  const rdns: Buffer[] = [];
  if (n.country) {
    if (!/^[A-Z]{2}$/.test(n.country))
      throw new InputError(`Country "${n.country}" must be two capital letters (e.g. US).`);
    rdns.push(rdn(OID.c, der.printable(n.country)));
  }
  if (n.org) rdns.push(rdn(OID.o, der.utf8(checkAttr(n.org, 'organisation'))));
  if (n.cn !== undefined) rdns.push(rdn(OID.cn, der.utf8(checkAttr(n.cn, 'common name'))));
  return der.sequence(...rdns);
}

function checkAttr(v: string, what: string): string {
  // ub-common-name and ub-organization-name are 64 characters (RFC 5280 appendix A).
  if (v.length === 0 || v.length > 64) throw new InputError(`The ${what} "${v}" must be 1–64 characters long.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v)) throw new InputError(`The ${what} contains control characters.`);
  return v;
}

const dnsLabel = /^(\*|[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)$/;

function checkDns(name: string): string {
  const labels = name.split('.');
  if (name.length > 253 || labels.some((l) => !dnsLabel.test(l)) || labels.slice(1).includes('*')) {
    throw new InputError(
      `Invalid DNS name "${name}" in --san: use letters, digits and hyphens, with "*" only as the whole first label.`,
    );
  }
  return name.toLowerCase();
}

/**
 * Splits and checks a SAN list such as "DNS:example.com,IP:127.0.0.1,email:a@b.c,URI:spiffe://x". A bare
 * value is taken as an IP when it looks like one, else as a DNS name. Returns normalised 'TYPE:value' items.
 */
export function parseSans(list: string): string[] {
  const items = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0)
    throw new InputError('The SAN list is empty: give at least one, e.g. DNS:localhost,IP:127.0.0.1.');
  return items.map(parseSan);
}

/** Checks and normalises one SAN item ('DNS:x', 'IP:y', 'email:z', 'URI:u', or a bare host/IP). */
export function parseSan(item: string): string {
  item = item.trim();
  // GeneralNames for DNS, e-mail and URI are IA5String: ASCII only (IDNs must be given in punycode).
  if (!/^[\x20-\x7e]*$/.test(item))
    throw new InputError(`SAN "${item}" has non-ASCII characters: write internationalised names in punycode (xn--…).`);
  const m = /^(dns|ip|email|uri):(.*)$/i.exec(item);
  if (!m) {
    if (/^[A-Za-z]+:/.test(item) && isIP(item) === 0) {
      throw new InputError(`Unknown SAN type in "${item}": use DNS:, IP:, email: or URI:.`);
    }
    return isIP(item) && !item.includes('%') ? `IP:${item}` : `DNS:${checkDns(item)}`;
  }
  const type = m[1].toLowerCase();
  const value = m[2].trim();
  if (value === '') throw new InputError(`Empty value in SAN "${item}".`);
  switch (type) {
    case 'dns':
      return `DNS:${checkDns(value)}`;
    case 'ip':
      if (isIP(value) === 0 || value.includes('%'))
        throw new InputError(`Invalid IP address "${value}" in --san (IPv4 like 127.0.0.1 or IPv6 like ::1).`);
      return `IP:${value}`;
    case 'email':
      if (!/^[^\s@]+@[^\s@]+$/.test(value)) throw new InputError(`Invalid e-mail address "${value}" in --san.`);
      return `email:${value}`;
    default:
      if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(value))
        throw new InputError(`Invalid URI "${value}" in --san (needs a scheme, e.g. spiffe://example.org/client).`);
      return `URI:${value}`;
  }
}

/** IPv4/IPv6 text to the 4 or 16 bytes an iPAddress GeneralName holds. */
function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const parse = (s: string | undefined) => (s ? s.split(':') : []);
  let h = parse(head);
  let t = parse(tail);
  // an embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups
  const v4 = (groups: string[]) => {
    const last = groups[groups.length - 1];
    if (last && last.includes('.')) {
      const b = last.split('.').map(Number);
      groups.splice(groups.length - 1, 1, ((b[0] << 8) | b[1]).toString(16), ((b[2] << 8) | b[3]).toString(16));
    }
    return groups;
  };
  if (tail === undefined) h = v4(h);
  else t = v4(t);
  const zeros = tail === undefined ? 0 : 8 - h.length - t.length;
  const groups = [...h, ...Array<string>(zeros).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** The GeneralNames SEQUENCE of a subjectAltName extension. */
export function encodeSans(sans: readonly string[]): Buffer {
  return der.sequence(
    ...sans.map((s) => {
      const i = s.indexOf(':');
      const type = s.slice(0, i).toLowerCase();
      const value = s.slice(i + 1);
      switch (type) {
        case 'dns':
          return der.implicit(2, Buffer.from(value, 'ascii'));
        case 'ip':
          return der.implicit(7, ipBytes(value));
        case 'email':
          return der.implicit(1, Buffer.from(value, 'ascii'));
        case 'uri':
          return der.implicit(6, Buffer.from(value, 'ascii'));
        default:
          throw new InputError(`Unknown SAN type in "${s}".`);
      }
    }),
  );
}
