/**
 * The SCT list extension (RFC 6962 3.3, OID 1.3.6.1.4.1.11129.2.4.2): an OCTET STRING holding a TLS-encoded
 * SignedCertificateTimestampList, not DER — so it has its own small reader. Every length is checked against what
 * is left before it is used: a short or hostile list is an Asn1Error (the extension is then shown as hex with
 * why), never a read past the end.
 */
import { Asn1Error, Tag, content, encapsulated, type Asn1Node } from '../asn1/der';
import { colonHex } from './colonHex';
import type { SignedCertificateTimestamp } from './types';

/** TLS HashAlgorithm and SignatureAlgorithm codes (RFC 5246 7.4.1.4.1), the ones RFC 6962 logs use and more. */
const HASHES = ['none', 'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
const SIGNATURES = ['anonymous', 'rsa', 'dsa', 'ecdsa'];

/** The pair as OpenSSL's `x509 -text` names it ("ecdsa-with-SHA256", "sha256WithRSAEncryption"). */
function opensslName(hash: string, sig: string): string | undefined {
  const h = hash.toUpperCase();
  if (sig === 'ecdsa' && hash.startsWith('sha')) return `ecdsa-with-${h}`;
  if (sig === 'rsa' && hash !== 'none') return `${hash}WithRSAEncryption`;
  if (sig === 'dsa' && (hash === 'sha1' || hash === 'sha224' || hash === 'sha256')) return `dsa_with_${h}`;
  return undefined;
}

/** Reads big-endian TLS fields from `buf` between `pos` and `end`; offsets stay the file's own, for errors. */
class TlsReader {
  constructor(
    private readonly buf: Buffer,
    private pos: number,
    private readonly end: number,
  ) {}
  get offset(): number {
    return this.pos;
  }
  get left(): number {
    return this.end - this.pos;
  }
  bytes(n: number, what: string): Buffer {
    if (n > this.left) throw new Asn1Error(`SCT list: ${what} needs ${n} bytes but only ${this.left} remain`, this.pos);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  u8(what: string): number {
    return this.bytes(1, what)[0];
  }
  u16(what: string): number {
    return this.bytes(2, what).readUInt16BE(0);
  }
  /** A `<0..2^16-1>` vector: its two-byte length, then that many bytes. */
  vector16(what: string): Buffer {
    return this.bytes(this.u16(`the length of ${what}`), what);
  }
}

function readSct(r: TlsReader, n: number): SignedCertificateTimestamp {
  const what = `SCT ${n}`;
  const version = r.u8(`${what}'s version`);
  // Only v1 has a known layout; a later version is kept whole rather than misread.
  if (version !== 0) return { version: version + 1, data: colonHex(r.bytes(r.left, what)) };
  const logId = r.bytes(32, `${what}'s log id`);
  const at = r.offset;
  const ms = r.bytes(8, `${what}'s timestamp`).readBigUInt64BE(0);
  // Date reaches ±8.64e15 ms; a later timestamp is not a time any log wrote.
  if (ms > 8_640_000_000_000_000n) throw new Asn1Error(`SCT list: ${what}'s timestamp ${ms} ms is past any date`, at);
  const extensions = r.vector16(`${what}'s extensions`);
  const hash = r.u8(`${what}'s hash algorithm`);
  const sig = r.u8(`${what}'s signature algorithm`);
  const signature = r.vector16(`${what}'s signature`);
  if (r.left !== 0) throw new Asn1Error(`SCT list: ${r.left} bytes after ${what}'s signature`, r.offset);
  const hashName = HASHES[hash] ?? `hash ${hash}`;
  const sigName = SIGNATURES[sig] ?? `signature ${sig}`;
  const name = opensslName(hashName, sigName);
  return {
    version: 1,
    logId: colonHex(logId),
    logIdBase64: logId.toString('base64'),
    timestamp: new Date(Number(ms)).toISOString(),
    extensions: colonHex(extensions),
    hash: hashName,
    signatureAlgorithm: sigName,
    ...(name !== undefined && { signatureName: name }),
    signature: colonHex(signature),
  };
}

/** Decodes the extension's value (the OCTET STRING inside extnValue) into its timestamps, in list order. */
export function decodeSctList(extnValue: Asn1Node): SignedCertificateTimestamp[] {
  const oct = encapsulated(extnValue);
  if (oct.tag !== Tag.OCTET_STRING) throw new Asn1Error('SCT list: expected an OCTET STRING', oct.start);
  const bytes = content(oct);
  const top = new TlsReader(oct.buf, oct.contentStart, oct.end);
  const listLength = top.u16('the list length');
  if (listLength !== bytes.length - 2)
    throw new Asn1Error(
      `SCT list: the list claims ${listLength} bytes but holds ${bytes.length - 2}`,
      oct.contentStart,
    );
  const out: SignedCertificateTimestamp[] = [];
  while (top.left > 0) {
    const at = top.offset;
    const length = top.u16(`the length of SCT ${out.length + 1}`);
    const start = top.offset;
    top.bytes(length, `SCT ${out.length + 1}`);
    if (length === 0) throw new Asn1Error(`SCT list: SCT ${out.length + 1} is empty`, at);
    out.push(readSct(new TlsReader(oct.buf, start, start + length), out.length + 1));
  }
  if (out.length === 0)
    throw new Asn1Error('SCT list: the list is empty (RFC 6962 requires at least one SCT)', oct.contentStart);
  return out;
}
