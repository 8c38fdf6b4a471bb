/** PEM armour: encode DER, and split a PEM text into its blocks with errors that name the problem. */
import { parseDer } from '../asn1/der';
import { InputError } from '../errors';

export { toPem } from '../asn1/pemArmor';

export interface PemBlock {
  readonly label: string;
  readonly der: Buffer;
}

/**
 * Every PEM block in `text`, in order. A BEGIN without its END, bad base64 or DER that does not parse
 * throws an InputError naming `what` (a file name), so a truncated paste is caught before anything is written.
 */
export function pemBlocks(text: string, what: string): PemBlock[] {
  const out: PemBlock[] = [];
  const begin = /-----BEGIN ([A-Z0-9 ]+)-----/g;
  let m: RegExpExecArray | null;
  while ((m = begin.exec(text))) {
    const label = m[1];
    const endMarker = `-----END ${label}-----`;
    const end = text.indexOf(endMarker, begin.lastIndex);
    if (end < 0) throw new InputError(`${what} is truncated: "-----BEGIN ${label}-----" has no matching END line.`);
    const body = text.slice(begin.lastIndex, end);
    if (/-----BEGIN /.test(body)) throw new InputError(`${what} is damaged: a "${label}" block has no END line before the next BEGIN.`);
    // RFC 1421 headers (Proc-Type/DEK-Info of traditional encrypted keys) precede an encrypted body.
    const headers = /^[A-Za-z-]+:.*$/m.test(body);
    const b64 = body.replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) throw new InputError(`${what} is damaged: the "${label}" block is not valid base64.`);
    const bytes = Buffer.from(b64, 'base64');
    if (!headers) {
      try {
        parseDer(bytes);
      } catch (e) {
        throw new InputError(`${what} is damaged or truncated: the "${label}" block is not valid DER (${(e as Error).message}).`, { cause: e });
      }
    }
    out.push({ label, der: bytes });
    begin.lastIndex = end + endMarker.length;
  }
  return out;
}

/** The certificates (DER) in a PEM text; throws when there are none. */
export function certificatesFromPem(text: string, what: string): Buffer[] {
  const certs = pemBlocks(text, what)
    .filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE' || b.label === 'X509 CERTIFICATE')
    .map((b) => b.der);
  if (certs.length === 0) throw new InputError(`${what} holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----").`);
  return certs;
}
