/** Certificate helpers the readiness rows share: read a PEM/DER file, find a trust path, classify roots. */
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { InputError } from '../errors';
import { readInputFile } from '../inputFile';
import { decodeBytesAsync } from '../x509/index';
import type { DecodedCertificate, DecodedFile, DecodeOptions } from '../x509/types';

export interface LoadedCertificate {
  readonly decoded: DecodedCertificate;
  readonly x509: X509Certificate;
}

/** A decoder for the files a check reads: the extension passes its worker threads, the CLI decodes in-process. */
export type Decode = (bytes: Buffer, opts: DecodeOptions) => Promise<DecodedFile>;

/** Reads the certificates of a PEM or DER file, in file order; throws with a readable message when there are none. */
export type CertificateLoader = (file: string) => Promise<LoadedCertificate[]>;

/** The loader of one check: every file decoded with `decode`, its validity judged at `now`. */
export function certificateLoader(now: Date, decode: Decode = decodeBytesAsync): CertificateLoader {
  return (file) => loadCertificates(file, now, decode);
}

async function loadCertificates(file: string, now: Date, decode: Decode): Promise<LoadedCertificate[]> {
  // The rows say "Cannot read the server certificate: …" themselves.
  const bytes = await readInputFile(file).catch((e: unknown) => {
    throw e instanceof InputError ? new Error(e.message.replace(/^Cannot read /, ''), { cause: e }) : e;
  });
  const decoded = await decode(bytes, { fileName: file, now });
  const certs = decoded.items.filter((i): i is Extract<typeof i, { kind: 'certificate' }> => i.kind === 'certificate');
  if (certs.length === 0) {
    const why = decoded.errors[0]?.message ?? 'no certificate in it';
    throw new Error(`${file}: ${why}`);
  }
  return certs.map((c) => ({ decoded: c, x509: new X509Certificate(c.pem) }));
}

let publicRoots: X509Certificate[] | undefined;

/** Node's root store: the stand-in for the trust stores of Google's and Kore.ai's clients. */
export function nodeRootStore(): readonly X509Certificate[] {
  return (publicRoots ??= rootCertificates.map((pem) => new X509Certificate(pem)));
}

/** True when the certificate is one of Node's public roots (same SHA-256). */
export function isPublicRoot(cert: X509Certificate): boolean {
  return nodeRootStore().some((r) => r.fingerprint256 === cert.fingerprint256);
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  return child.checkIssued(parent) && child.verify(parent.publicKey);
}

/**
 * Follows `leaf` up through `intermediates` to a certificate in `anchors`; returns the anchor reached
 * (signatures verified at every step), or undefined. Bounded: a path longer than 8 is not followed.
 */
export function findAnchor(
  leaf: X509Certificate,
  intermediates: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
): X509Certificate | undefined {
  let current = leaf;
  for (let depth = 0; depth < 8; depth++) {
    const anchor = anchors.find((a) => a.fingerprint256 === current.fingerprint256 || issuedBy(current, a));
    if (anchor) return anchor;
    const next = intermediates.find(
      (i) => i !== current && i.fingerprint256 !== current.fingerprint256 && issuedBy(current, i),
    );
    if (!next) return undefined;
    current = next;
  }
  return undefined;
}

/** `CN=…` or the whole subject on one line. */
export function shortName(c: X509Certificate): string {
  const cn = /^CN=(.*)$/m.exec(c.subject)?.[1];
  return cn ?? c.subject.replace(/\n/g, ', ');
}

/** True when the certificate names `host` (DNS with wildcards, or an IP address). */
export function coversHost(c: X509Certificate, host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return /^[\d.]+$|:/.test(bare)
    ? c.checkIP(bare) !== undefined
    : c.checkHost(bare, { subject: 'never' }) !== undefined;
}
