/**
 * What a credential file holds, counted the way a TLS context reads it: PEM blocks by label (Node hands
 * OpenSSL the text, which reads only these), and for binary files what the decoder makes of them — so a
 * refusal can say "it holds a PEM private key" rather than OpenSSL's "no start line".
 */
import { Asn1Error, parseDer } from '../asn1/der';
import { decodeBytes, isTextual, SNIFF_BYTES } from '../x509/decode';
import { scanPem } from '../x509/pem';
import { looksLikePkcs12, startsLikePfx } from '../x509/pkcs12';

/** What a file holds, with the counts the credential checks need and a phrase that follows "it". */
export interface FileContents {
  /** PEM certificates (CERTIFICATE, TRUSTED CERTIFICATE, X509 CERTIFICATE): what cert/ca options load. */
  readonly certificates: number;
  /** PEM private keys (PKCS#8, encrypted or not, PKCS#1, SEC1, DSA): what a key option loads. */
  readonly privateKeys: number;
  readonly publicKeys: number;
  /** Binary (DER) content, by kind; PEM is required where these were given. */
  readonly der?: 'pkcs12' | 'certificate' | 'privateKey' | 'publicKey' | 'other';
  /** e.g. "is empty", "holds a PEM private key", "is a DER certificate (binary, not PEM)". */
  readonly words: string;
}

const KINDS: Readonly<Record<string, string>> = {
  CERTIFICATE: 'certificate',
  'TRUSTED CERTIFICATE': 'certificate',
  'X509 CERTIFICATE': 'certificate',
  'PRIVATE KEY': 'private key',
  'ENCRYPTED PRIVATE KEY': 'private key',
  'RSA PRIVATE KEY': 'private key',
  'EC PRIVATE KEY': 'private key',
  'DSA PRIVATE KEY': 'private key',
  'PUBLIC KEY': 'public key',
  'RSA PUBLIC KEY': 'public key',
  'CERTIFICATE REQUEST': 'certificate request (CSR)',
  'NEW CERTIFICATE REQUEST': 'certificate request (CSR)',
  'X509 CRL': 'certificate revocation list',
  PKCS7: 'PKCS#7 bundle',
};

/** "a PEM certificate", "2 PEM certificates", "2 PEM certificate requests (CSR)". */
function a(n: number, what: string): string {
  if (n === 1) return `${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}`;
  return `${n} ${/PEM block "/.test(what) ? what.replace('block', 'blocks') : what.includes(' (') ? what.replace(' (', 's (') : `${what}s`}`;
}

/** Counts and describes what `bytes` hold (a file given as a certificate, key, CA bundle or PKCS#12). */
export function fileContents(bytes: Buffer): FileContents {
  const none = { certificates: 0, privateKeys: 0, publicKeys: 0 };
  if (bytes.toString('latin1').trim() === '') return { ...none, words: 'is empty' };
  if (!isTextual(bytes.subarray(0, SNIFF_BYTES))) return { ...none, ...binary(bytes) };
  const counts = new Map<string, number>();
  const damaged: string[] = [];
  for (const b of scanPem(bytes.toString('latin1'))) {
    if (b.error) {
      damaged.push(b.error.message);
      continue;
    }
    const kind = KINDS[b.type] ?? `PEM block "${b.type}"`;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const parts = [...counts].map(([kind, n]) => a(n, kind.startsWith('PEM block') ? kind : `PEM ${kind}`));
  if (damaged.length > 0) parts.push(`${a(damaged.length, 'damaged PEM block')} (${damaged[0]})`);
  return {
    certificates: counts.get('certificate') ?? 0,
    privateKeys: counts.get('private key') ?? 0,
    publicKeys: counts.get('public key') ?? 0,
    words:
      parts.length === 0
        ? 'is text without any PEM block (no "-----BEGIN …-----" line)'
        : `holds ${parts.join(', ').replace(/, ([^,]*)$/, ' and $1')}`,
  };
}

const PKCS12 = { der: 'pkcs12', words: 'is a PKCS#12 (.p12/.pfx) file' } as const;

function binary(bytes: Buffer): Pick<FileContents, 'der' | 'words'> {
  try {
    if (looksLikePkcs12(parseDer(bytes))) return PKCS12;
  } catch (e) {
    if (!(e instanceof Asn1Error)) throw e;
    // Not DER, but a PFX may be BER (NSS's pk12util, some Windows and Java exports), which --pfx reads.
    if (startsLikePfx(bytes)) return PKCS12;
    return { der: 'other', words: 'is binary data that is neither PEM nor DER' };
  }
  const item = decodeBytes(bytes).items[0];
  if (item?.kind === 'certificate') return { der: 'certificate', words: 'is a DER certificate (binary, not PEM)' };
  if (item?.kind === 'privateKey') return { der: 'privateKey', words: 'is a DER private key (binary, not PEM)' };
  if (item?.kind === 'publicKey') return { der: 'publicKey', words: 'is a DER public key (binary, not PEM)' };
  if (item?.kind === 'csr') return { der: 'other', words: 'is a DER certificate request (CSR), not a certificate' };
  if (item?.kind === 'crl') return { der: 'other', words: 'is a DER certificate revocation list' };
  return { der: 'other', words: 'is DER (binary) data that is not a certificate or key' };
}
