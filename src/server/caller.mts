// Who is calling: the verified client certificate of a connection, described once per TLS socket, matched
// against the pinned identities; and why a handshake was refused, in one sentence a developer can act on.
import type { PeerCertificate, TLSSocket } from 'node:tls';

/** The client certificate the handshake verified. */
export interface CallerCertificate {
  subject: string;
  cn: string;
  org: string;
  issuer: string;
  serial: string;
  fingerprint256: string;
  validFrom: string;
  validTo: string;
}

/** The verified caller, as handlers, routes and hooks see it. */
export interface Caller {
  certificate: CallerCertificate;
  /** The claims of the Google ID token, when the server checks one (auth 'google-id-token'). */
  idToken?: Record<string, unknown>;
}

/** A verified caller's certificate and the text the request log line shows of it. */
export interface Described {
  certificate: CallerCertificate;
  text: string;
}

// A keep-alive connection carries many requests: describe its certificate once per TLS socket.
const described = new WeakMap<TLSSocket, Described>();

function field(v: string | string[] | undefined): string {
  return v === undefined ? '' : Array.isArray(v) ? v.join('+') : v;
}

function dn(name: object | undefined): string {
  if (name === undefined || name === null) return '';
  return Object.entries(name as Record<string, string | string[] | undefined>)
    .map(([k, v]) => k + '=' + field(v))
    .join(', ');
}

/** A verified certificate as the caller sees it, and the text the request log line shows of it. */
export function describeCertificate(c: PeerCertificate): Described {
  const subject = (c.subject ?? {}) as unknown as Record<string, string | string[] | undefined>;
  const q = (v: string): string => JSON.stringify(v);
  const certificate: CallerCertificate = {
    subject: dn(c.subject),
    cn: field(subject['CN']),
    org: field(subject['O']),
    issuer: dn(c.issuer),
    serial: c.serialNumber ?? '',
    fingerprint256: c.fingerprint256 ?? '',
    validFrom: c.valid_from ?? '',
    validTo: c.valid_to ?? '',
  };
  const text =
    'CN=' +
    q(certificate.cn) +
    ' O=' +
    q(certificate.org) +
    ' L=' +
    q(field(subject['L'])) +
    ' emailAddress=' +
    q(field(subject['emailAddress'])) +
    ' issuer=' +
    q(certificate.issuer) +
    ' serial=' +
    certificate.serial +
    ' valid=' +
    certificate.validFrom +
    ' .. ' +
    certificate.validTo +
    ' sha256=' +
    certificate.fingerprint256;
  return { certificate, text };
}

/** The connection's verified client certificate, and the text the request log line shows of it. */
export function describeClient(socket: TLSSocket): Described {
  const cached = described.get(socket);
  if (cached !== undefined) return cached;
  const info = describeCertificate(socket.getPeerCertificate());
  described.set(socket, info);
  return info;
}

/** Whether the certificate matches a pinned identity: a CN, 'CN=…', 'O=…' or 'sha256:…'; none pinned = any. */
export function isAllowedClient(c: CallerCertificate, allowed: string[]): boolean {
  if (allowed.length === 0) return true;
  const fp = c.fingerprint256.replace(/:/g, '').toUpperCase();
  return allowed.some((entry) => {
    if (/^sha256:/i.test(entry)) return entry.slice(7).replace(/:/g, '').toUpperCase() === fp;
    // A caller known only by attributes (an edge that forwards no subject) matches no name pin.
    if (c.subject === '') return false;
    if (/^O=/i.test(entry)) return entry.slice(2) === c.org;
    if (/^CN=/i.test(entry)) return entry.slice(3) === c.cn;
    return entry === c.cn;
  });
}

// Node reports a refused client certificate as socket.authorizationError (an OpenSSL verify code) and a
// missing one as the TLS error code; each gets one sentence a developer can act on.
const refusalReasons: Record<string, string> = {
  ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE: 'no client certificate was sent',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'unknown CA: the client certificate is not issued by the CA bundle (or the client did not send its intermediate)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown CA: the issuer of the client certificate is not in the CA bundle',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown CA: the issuer of the client certificate is not in the CA bundle',
  SELF_SIGNED_CERT_IN_CHAIN: 'unknown CA: the client chain ends in a root that is not in the CA bundle',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the client sent a self-signed certificate that is not in the CA bundle',
  CERT_HAS_EXPIRED: 'the client certificate (or one of its CAs) has expired',
  CERT_NOT_YET_VALID: 'the client certificate is not valid yet (check both clocks)',
  INVALID_PURPOSE:
    'the client certificate is not allowed for client authentication (extendedKeyUsage lacks clientAuth)',
  CERT_REVOKED: 'the client certificate is revoked',
  CERT_SIGNATURE_FAILURE: 'the client certificate signature is invalid',
  CERT_CHAIN_TOO_LONG: 'the client chain is longer than the allowed depth',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA:
    'the client does not trust this server certificate (give it the CA that issued the server certificate)',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the client rejected this server certificate',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'the client rejected this server certificate (name or CA)',
  ERR_SSL_HTTP_REQUEST: 'plain HTTP was sent to this HTTPS port (use https://)',
  ERR_SSL_WRONG_VERSION_NUMBER: 'not a TLS client (plain HTTP or another protocol?)',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'the client offered only TLS versions older than 1.2',
  ERR_SSL_NO_SHARED_CIPHER: 'no cipher suite in common with the client',
  ERR_SSL_NO_APPLICATION_PROTOCOL:
    'no application protocol in common with the client (ALPN): this server speaks HTTP/1.1 and HTTP/1.0, not HTTP/2 alone',
  ECONNRESET: 'the client closed the connection during the handshake',
  ERR_TLS_HANDSHAKE_TIMEOUT:
    'no TLS handshake within the handshake timeout (MTLS_HANDSHAKE_TIMEOUT_MS): not a TLS client, or too slow',
};

/** A refused handshake's log line; core's serverLog.ts reads it back (address:port, code, reason). */
export function refusalLine(remote: string, code: string, reason: string): string {
  return 'refused handshake from ' + remote + ' [' + code + ']: ' + reason;
}

/** The log line of a refused handshake, with its reason. */
export function refusedHandshakeLine(err: Error, socket: TLSSocket, remote: string): string {
  const authError = (socket as TLSSocket & { authorizationError?: unknown }).authorizationError;
  const code =
    authError !== undefined && authError !== null
      ? String(authError)
      : ((err as NodeJS.ErrnoException).code ?? 'TLS_ERROR');
  const reason = refusalReasons[code] ?? err.message.split('\n')[0] ?? code;
  return refusalLine(remote, code, reason);
}
