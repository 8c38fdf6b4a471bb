// The client's side of TLS for a send: the options tls.connect gets, a PKCS#12 file opened as PEM, a wrong
// passphrase named as one, and what the server will hold against our own certificate, said before sending.
import { X509Certificate } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { isWrongPassphrase } from '../crypto/wrongPassphrase';
import { OID } from '../asn1/oids';
import { Pkcs12Error } from '../x509/pkcs12';
import { keyPemOfOpened } from '../credentials/openedKeyPem';
import { pemOfOpened, pkcs12ToPem } from '../credentials/pkcs12ToPem';
import { oneLineName } from './certSummary';
import type { ClientCredentials } from './types';

/** Options for createWebhookClient. */
export interface WebhookClientOptions extends ClientCredentials {
  /** false: every send opens a fresh connection and a full handshake (no keep-alive, no session resumption). */
  reuseConnections?: boolean;
  minTlsVersion?: 'TLSv1.2' | 'TLSv1.3';
  maxTlsVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** A custom DNS lookup (split-horizon DNS, tests); default the system resolver. */
  lookup?: LookupFunction;
}

export function tlsOptions(c: WebhookClientOptions): ConnectionOptions {
  const o: ConnectionOptions = { rejectUnauthorized: c.insecure !== true };
  if (c.certPem !== undefined) o.cert = c.certPem;
  if (c.keyPem !== undefined) o.key = c.keyPem;
  if (c.passphrase !== undefined) o.passphrase = c.passphrase;
  if (c.caPem !== undefined) o.ca = c.caPem;
  if (c.minTlsVersion) o.minVersion = c.minTlsVersion;
  if (c.maxTlsVersion) o.maxVersion = c.maxTlsVersion;
  if (c.lookup) o.lookup = c.lookup;
  return o;
}

/**
 * The credentials as TLS takes them: a PKCS#12 file opened by our decoder and presented as PEM, like --cert/--key
 * (OpenSSL 3 cannot load the legacy RC2 files that Java, Windows and `openssl -legacy` write). A wrong or
 * missing passphrase becomes OpenSSL's "mac verify failure", which the explanations know. A file opened beforehand
 * (`pfxOpened`, off this thread) is not opened again; nor is an encrypted key opened beforehand (`keyOpened`): the
 * context gets the plain key, and the error opening it gave is the one loading it would have given.
 */
export function pemCredentials(c: WebhookClientOptions): WebhookClientOptions {
  if (c.pfx === undefined) {
    const { keyOpened, ...rest } = c;
    if (keyOpened === undefined) return c;
    try {
      return { ...rest, keyPem: keyPemOfOpened(keyOpened) };
    } catch (e) {
      throw asWrongPassphrase(c, e);
    }
  }
  const { pfx, pfxOpened, ...rest } = c;
  try {
    const pem = pfxOpened !== undefined ? pemOfOpened(pfxOpened) : pkcs12ToPem(pfx, c.passphrase);
    return { ...rest, ...pem };
  } catch (e) {
    if (e instanceof Pkcs12Error && (e.code === 'wrong-passphrase' || e.code === 'needs-passphrase')) {
      const why =
        e.code === 'wrong-passphrase'
          ? 'the PKCS#12 file did not open with the passphrase given'
          : 'the PKCS#12 file is protected by a passphrase and none was given';
      throw Object.assign(new Error(`mac verify failure: ${why}`, { cause: e }), { code: 'ERR_PKCS12_MAC' });
    }
    throw e;
  }
}

/** A wrong passphrase whatever OpenSSL called it (see isWrongPassphrase), as the "bad decrypt" the explanations know. */
export function asWrongPassphrase(c: ClientCredentials, e: unknown): unknown {
  if (
    c.keyPem === undefined ||
    !isWrongPassphrase(c.keyPem, c.passphrase, e) ||
    /bad decrypt/i.test(e instanceof Error ? e.message : String(e))
  )
    return e;
  return Object.assign(
    new Error(
      `bad decrypt: the key did not decrypt with the passphrase given (${e instanceof Error ? e.message : String(e)})`,
      { cause: e },
    ),
    { code: 'ERR_OSSL_BAD_DECRYPT' },
  );
}

/** The first certificate of the client's PEM (its leaf), or undefined when there is none that parses. */
export function clientLeaf(pem: string | undefined): X509Certificate | undefined {
  if (pem === undefined) return undefined;
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

export function clientIdentity(
  c: ClientCredentials,
  leaf: X509Certificate | undefined,
): { subject?: string; sha256?: string } | undefined {
  if (c.certPem === undefined) return c.pfx ? {} : undefined;
  return leaf ? { subject: oneLineName(leaf.subject), sha256: leaf.fingerprint256 } : {};
}

/**
 * What the server will hold against our own client certificate, known before sending: a refusal at the handshake
 * often reaches the client only as "the server closed the connection", so the likely cause is said up front.
 */
export function clientCertificateWarnings(x: X509Certificate | undefined, now = Date.now()): string[] {
  if (x === undefined) return [];
  const who = `Your client certificate (${oneLineName(x.subject)})`;
  const out: string[] = [];
  if (Date.parse(x.validTo) < now)
    out.push(
      `${who} expired on ${new Date(x.validTo).toISOString().slice(0, 10)}: a server that checks it refuses it at the handshake. Issue a new one (mtls client).`,
    );
  else if (Date.parse(x.validFrom) > now)
    out.push(
      `${who} is not valid until ${new Date(x.validFrom).toISOString().slice(0, 16).replace('T', ' ')} UTC: check this machine's clock, or issue a new one.`,
    );
  const eku = x.keyUsage;
  if (eku !== undefined && !eku.includes(OID.clientAuth) && !eku.includes(OID.anyExtendedKeyUsage)) {
    out.push(
      `${who} is not for client authentication (its extendedKeyUsage lacks clientAuth): a server that checks it refuses it (INVALID_PURPOSE). Use a client certificate (mtls client).`,
    );
  }
  return out;
}
