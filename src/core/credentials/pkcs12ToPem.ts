/**
 * A PKCS#12 file as the PEM a TLS context takes, read by our own decoder: OpenSSL 3 (and so Node 17+) refuses
 * the RC2-40 files of `openssl pkcs12 -export -legacy`, Java's keytool and older Windows exports, which our
 * decoder reads. Every .p12 goes this way, so all of them behave alike.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { Asn1Error, parseDer, type Asn1Node } from '../asn1/der';
import { KdfBudget } from '../crypto/kdfBudget';
import { InputError, MtlsError } from '../errors';
import type { MtlsErrorCode } from '../errorCodes';
import { looksLikePkcs12, openPkcs12WithKeys, Pkcs12Error, readBerPfx, startsLikePfx } from '../x509/pkcs12';
import { fileContents } from './describeFileContents';

/**
 * A PKCS#12 file opened for TLS, as plain data (it crosses from a worker thread): its chain and key as PEM, or the
 * typed error that opening it threw.
 */
export interface OpenedPkcs12 {
  readonly pem?: { readonly certPem: string; readonly keyPem: string };
  readonly error?: { readonly name: string; readonly code?: string; readonly message: string };
}

/**
 * A file the user chose to send with may cost more key derivation than one met while scanning a workspace (1 s),
 * but not unboundedly more.
 */
const SEND_KDF_LIMIT_MS = 10_000;

/** Where a PFX ends may be followed by whitespace (a file copied through a text tool), nothing else. */
function onlyWhitespaceAfter(bytes: Buffer, end: number): void {
  const rest = bytes.subarray(end);
  if (rest.length > 0 && !/^\s*$/.test(rest.toString('latin1')))
    throw new Asn1Error(`${rest.length} trailing bytes after the PKCS#12 file`, end);
}

/** "export it again" for a file that begins as PKCS#12 but cannot be read as one. */
function damaged(file: string, why: string): InputError {
  return new InputError(
    `${file} is a damaged PKCS#12 file (${why}): export it again (openssl pkcs12 -export, pk12util -o), or use PEM files as --cert and --key.`,
  );
}

/**
 * The PFX node of `bytes`, in DER or in BER (indefinite lengths, OCTET STRINGs in pieces: NSS's pk12util, some
 * Windows and Java exports), re-encoded as DER; an InputError saying what the file is instead when it is not
 * PKCS#12 at all, or that it is damaged (before any network I/O).
 */
export function parsePkcs12(bytes: Buffer, file = 'the PKCS#12 file'): Asn1Node {
  let node: Asn1Node | undefined;
  try {
    node = parseDer(bytes);
  } catch (e) {
    if (!(e instanceof Asn1Error)) throw e;
    if (startsLikePfx(bytes)) {
      try {
        const pfx = readBerPfx(bytes);
        onlyWhitespaceAfter(bytes, pfx.end);
        return pfx.node;
      } catch (be) {
        if (!(be instanceof Asn1Error)) throw be;
        throw damaged(file, be.message);
      }
    }
  }
  if (node === undefined || !looksLikePkcs12(node)) {
    const c = fileContents(bytes);
    const instead =
      c.certificates > 0 || c.privateKeys > 0 || c.der === 'certificate' || c.der === 'privateKey'
        ? 'use --cert (the certificate) and --key (its private key) instead of --pfx.'
        : 'give a .p12/.pfx file exported with its private key (openssl pkcs12 -export), or PEM files as --cert and --key.';
    throw new InputError(`${file} is not a PKCS#12 file: it ${c.words}; ${instead}`);
  }
  return node;
}

/**
 * Opens a PKCS#12 file (DER or BER) with `passphrase` and returns its certificate chain (leaf first: the
 * certificate of its private key, then its issuers, then any other certificates, as OpenSSL sends them) and the
 * key as PKCS#8 PEM. Throws Pkcs12Error 'wrong-passphrase' / 'needs-passphrase' for the passphrase, InputError for
 * anything else.
 */
export function pkcs12ToPem(
  bytes: Buffer,
  passphrase: string | undefined,
  file = 'the PKCS#12 file',
): { certPem: string; keyPem: string } {
  const node = parsePkcs12(bytes, file);
  let p: ReturnType<typeof openPkcs12WithKeys>;
  try {
    p = openPkcs12WithKeys(node, passphrase, new KdfBudget(SEND_KDF_LIMIT_MS));
  } catch (e) {
    if (e instanceof Asn1Error) throw damaged(file, e.message);
    throw e;
  }
  const problems = p.errors.length > 0 ? ` (${p.errors.map((e) => e.message).join('; ')})` : '';
  const certs: X509Certificate[] = [];
  for (const c of p.certificates) {
    try {
      certs.push(new X509Certificate(c.der));
    } catch {
      // A damaged certificate bag: the key's own certificate is looked for among the others.
    }
  }
  if (p.keyDer.length === 0)
    throw new InputError(
      `${file} holds no private key that could be read${problems}: export it again with its key (openssl pkcs12 -export -inkey KEY …).`,
    );
  if (certs.length === 0)
    throw new InputError(
      `${file} holds no certificate that could be read${problems}: export it again with the client certificate (openssl pkcs12 -export -in CERT …).`,
    );
  const keys: KeyObject[] = [];
  for (const der of p.keyDer) {
    try {
      keys.push(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
    } catch {
      // Skipped: a key Node cannot load would fail the handshake anyway; the error below says so.
    }
  }
  for (const key of keys) {
    const leaf = certs.find((c) => c.checkPrivateKey(key));
    if (leaf === undefined) continue;
    return {
      certPem: orderChain(leaf, certs)
        .map((c) => c.toString())
        .join(''),
      keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  }
  throw new InputError(
    `${file}: its private key matches none of its ${certs.length} certificate${certs.length === 1 ? '' : 's'}; export the client certificate together with its own key.`,
  );
}

/** pkcs12ToPem as plain data, for a worker thread to hand back: its PEM, or the error it threw. */
export function openedPkcs12(bytes: Buffer, passphrase: string | undefined): OpenedPkcs12 {
  try {
    return { pem: pkcs12ToPem(bytes, passphrase) };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    return { error: { name: error.name, message: error.message, ...(e instanceof MtlsError ? { code: e.code } : {}) } };
  }
}

/**
 * The PEM of a PKCS#12 file opened by openedPkcs12, or the error opening it threw, of its own type again
 * (Pkcs12Error for the passphrase, InputError for the file), so it is explained the same way.
 */
export function pemOfOpened(opened: OpenedPkcs12): { certPem: string; keyPem: string } {
  const e = opened.error;
  if (e === undefined) {
    if (opened.pem === undefined) throw new Error('the PKCS#12 reader returned neither PEM nor an error');
    return opened.pem;
  }
  if (e.name === 'Pkcs12Error') throw new Pkcs12Error(e.code as Pkcs12Error['code'], e.message);
  if (e.name === 'InputError') throw new InputError(e.message);
  // The worker copied the code of an MtlsError it caught, so it is one of ours.
  if (e.code !== undefined) throw new MtlsError(e.code as MtlsErrorCode, e.message);
  throw new Error(e.message);
}

/** The leaf, then its issuers as far as the file has them, then the rest. */
function orderChain(leaf: X509Certificate, all: readonly X509Certificate[]): X509Certificate[] {
  const out = [leaf];
  const rest = all.filter((c) => c !== leaf);
  for (let cur = leaf; ;) {
    if (cur.checkIssued(cur)) break; // self-signed: the top
    const i = rest.findIndex((c) => cur.checkIssued(c) && cur.verify(c.publicKey));
    if (i < 0) break;
    cur = rest.splice(i, 1)[0]!;
    out.push(cur);
  }
  return [...out, ...rest];
}
