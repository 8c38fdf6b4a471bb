/**
 * Turns what Node, OpenSSL and undici report into one explanation a person can act on: what happened,
 * the likely cause, the fix, and an action id the VS Code layer maps to a button.
 */

/** Buttons the VS Code layer offers next to an explanation. */
export type ExplanationAction =
  | 'startServer'
  | 'pickCa'
  | 'createTrustBundle'
  | 'regenerateWithSan'
  | 'generateClient'
  | 'checkPassphrase'
  | 'checkKeyPair';

/** One row of the table: `code` is stable (tests and UI branch on it). */
export interface Explanation {
  code: string;
  title: string;
  cause: string;
  fix: string;
  action?: ExplanationAction;
}

interface Rule extends Explanation {
  /** Node/OpenSSL error codes that select this row. */
  codes?: string[];
  /** Message fragments (lower case) that select it when no code matches. */
  texts?: string[];
}

// Order matters: the first rule whose code or text matches anything in the error (or its causes) wins,
// so precise rows (alerts, verify codes) come before generic ones (ECONNRESET).
const rules: Rule[] = [
  {
    code: 'KEY_MISMATCH',
    codes: ['ERR_OSSL_X509_KEY_VALUES_MISMATCH'],
    texts: ['key values mismatch'],
    title: 'The private key does not belong to the client certificate',
    cause:
      'The key file and the certificate file come from different key pairs (e.g. a regenerated key next to an old certificate).',
    fix: 'Pass the key that was generated with this certificate, or generate a new client certificate and key together.',
    action: 'checkKeyPair',
  },
  {
    code: 'PKCS12_BAD_PASSPHRASE',
    texts: ['mac verify failure', 'pkcs12 cipherfinal error'],
    title: 'Wrong passphrase for the PKCS#12 (.p12/.pfx) file',
    cause:
      'The PKCS#12 integrity check (MAC) failed: the passphrase is not the one the file was exported with, or the file is damaged.',
    fix: 'Enter the export passphrase of the .p12 file (mkcert uses "changeit").',
    action: 'checkPassphrase',
  },
  {
    code: 'BAD_PASSPHRASE',
    codes: ['ERR_OSSL_BAD_DECRYPT', 'ERR_OSSL_EVP_BAD_DECRYPT'],
    texts: ['bad decrypt', 'bad password read', 'error:1c800064'],
    title: 'The private key could not be decrypted',
    cause: 'The key is encrypted and the passphrase is missing or wrong.',
    fix: "Give the key's passphrase (from an environment variable or the prompt), or use an unencrypted key for local tests.",
    action: 'checkPassphrase',
  },
  {
    code: 'ALERT_CERTIFICATE_REQUIRED',
    codes: ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'],
    texts: ['alert certificate required', 'alert number 116'],
    title: 'The server requires a client certificate and none was sent (TLS alert 116)',
    cause:
      'The server asked for a client certificate; the request carried none (no --cert/--key or PKCS#12 configured).',
    fix: 'Send a client certificate the server trusts: pick one, or generate one from the CA the server uses.',
    action: 'generateClient',
  },
  {
    code: 'ALERT_UNKNOWN_CA',
    codes: ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'],
    texts: ['alert unknown ca', 'alert number 48'],
    title: 'The server does not trust the CA of your client certificate (TLS alert 48)',
    cause:
      "The client certificate chains to a CA that is not in the server's client-CA bundle, or the intermediate was not sent and the server has only the root.",
    fix: "Add your CA (root, and intermediate if the client does not send it) to the server's CA bundle, or use a client certificate issued by the CA the server trusts.",
    action: 'generateClient',
  },
  {
    code: 'ALERT_BAD_CERTIFICATE',
    codes: ['ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE'],
    texts: ['alert bad certificate', 'alert number 42'],
    title: 'The server rejected the client certificate (TLS alert 42, bad certificate)',
    cause:
      'The server could verify the chain but disliked the certificate: not yet valid, a bad signature, or a policy check of the server (a Node server that sees no certificate in TLS 1.2 also answers this).',
    fix: "Check the client certificate's validity dates and extensions (clientAuth EKU) and that its chain is complete; regenerate it from the server's CA if in doubt.",
    action: 'generateClient',
  },
  {
    code: 'ALERT_CERTIFICATE_EXPIRED',
    codes: ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED'],
    texts: ['alert certificate expired', 'alert number 45'],
    title: 'The server says your client certificate has expired (TLS alert 45)',
    cause: "The client certificate (or a CA in its chain) is past its notAfter date, by the server's clock.",
    fix: 'Generate a new client certificate from the same CA.',
    action: 'generateClient',
  },
  {
    code: 'ALERT_UNSUPPORTED_CERTIFICATE',
    codes: ['ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE'],
    texts: ['alert unsupported certificate', 'alert number 43'],
    title: "The server refused the client certificate's purpose (TLS alert 43)",
    cause:
      "The client certificate's extendedKeyUsage lacks clientAuth: a server certificate was used as a client certificate.",
    fix: 'Use a client certificate with the clientAuth extended key usage.',
    action: 'generateClient',
  },
  {
    code: 'ALERT_ACCESS_DENIED',
    codes: ['ERR_SSL_TLSV1_ALERT_ACCESS_DENIED'],
    texts: ['alert access denied', 'alert number 49'],
    title: 'The server refused your client certificate (TLS alert 49, access denied)',
    cause:
      'The server would not accept the client certificate it received. GnuTLS-based servers send this alert for every certificate they cannot verify: one from a CA they do not trust, a self-signed one, an expired or not yet valid one; other servers send it when their access rules do not allow this client.',
    fix: "Check the certificate's validity dates and that it was issued by a CA in the server's client-CA list (send the intermediate along with it); if it is, ask the server's operator whether this client's identity is allowed. The server's log names the reason.",
    action: 'generateClient',
  },
  {
    code: 'ALERT_DECODE_ERROR',
    codes: ['ERR_SSL_TLSV1_ALERT_DECODE_ERROR'],
    texts: ['alert decode error', 'alert number 50'],
    title: 'The server ended the handshake (TLS alert 50, decode error)',
    cause:
      'The server could not use a handshake message from the client. GnuTLS-based servers that require a client certificate send this alert on TLS 1.2 when none is sent; otherwise something between client and server altered the handshake.',
    fix: 'Send a client certificate the server trusts. If one was sent, compare with openssl s_client against the same server, and check any proxy in between that rewrites TLS.',
    action: 'generateClient',
  },
  {
    code: 'ALERT_HANDSHAKE_FAILURE',
    codes: ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'ERR_SSL_NO_SHARED_CIPHER'],
    texts: ['alert handshake failure', 'alert number 40', 'no shared cipher'],
    title: 'The server aborted the handshake (TLS alert 40, handshake failure)',
    cause:
      'No cipher suite, curve or signature algorithm in common, or (TLS 1.2) the server requires a client certificate and got none.',
    fix: "Check the server's TLS settings (cipher list, key type: some peers refuse Ed25519) and that a client certificate is sent.",
  },
  {
    code: 'ALERT_PROTOCOL_VERSION',
    codes: ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'ERR_SSL_UNSUPPORTED_PROTOCOL'],
    texts: ['alert protocol version', 'alert number 70', 'unsupported protocol'],
    title: 'No TLS version in common (TLS alert 70, protocol version)',
    cause:
      'The server and client allow disjoint TLS versions (e.g. a server on TLS 1.3 only and a client capped at 1.2, or a server still on TLS 1.0/1.1).',
    fix: 'Allow TLS 1.2 and 1.3 on the server: Dialogflow and Kore.ai speak both.',
  },
  {
    // Any other alert the server sent: still a refusal, never "the server closed the connection". OpenSSL's
    // message names the alert and its number, which says why.
    code: 'ALERT_OTHER',
    texts: ['ssl alert number'],
    title: 'The server ended the handshake with a TLS alert',
    cause:
      'The server refused the connection with an alert this tool has no entry of its own for; the message names it (e.g. unrecognized name: the server does not serve this host name; no application protocol: no HTTP version in common).',
    fix: "Read the alert's name in the message and the server's log; run the equivalent openssl s_client command to see the whole handshake.",
  },
  {
    code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    codes: ['UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    title: "The server's certificate could not be verified (issuer not found)",
    cause:
      'The server sends its certificate without the intermediate CA, or the CA bundle you chose is not the one that issued it.',
    fix: 'Serve the full chain (leaf + intermediate, e.g. server-fullchain.pem), or pick the CA bundle that issued the server certificate.',
    action: 'pickCa',
  },
  {
    code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    codes: ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT'],
    title: "The server's certificate comes from a CA you do not trust",
    cause: 'The chain the server sent ends at a root that is neither in your CA bundle nor in the system store.',
    fix: 'Pick the CA (root) file that issued the server certificate, or create a trust bundle that contains it.',
    action: 'pickCa',
  },
  {
    code: 'SELF_SIGNED_CERT_IN_CHAIN',
    codes: ['SELF_SIGNED_CERT_IN_CHAIN'],
    title: "The server's chain ends in a root you do not trust",
    cause: 'The server sent its root CA along with the chain, and that root is not in your CA bundle.',
    fix: 'Trust that root explicitly (pick it as the CA file, or add it to a trust bundle) instead of disabling verification.',
    action: 'createTrustBundle',
  },
  {
    code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    codes: ['DEPTH_ZERO_SELF_SIGNED_CERT'],
    title: 'The server uses a self-signed certificate you do not trust',
    cause: 'The server certificate signs itself and is not in your CA bundle.',
    fix: 'Pick the server certificate itself as the CA file (or create a trust bundle with it) instead of disabling verification.',
    action: 'pickCa',
  },
  {
    code: 'CERT_HAS_EXPIRED',
    codes: ['CERT_HAS_EXPIRED'],
    title: "The server's certificate has expired",
    cause: 'The server certificate (or a CA in its chain) is past its notAfter date.',
    fix: 'Renew the server certificate (mtls chain / mtls selfsigned) and restart the server.',
  },
  {
    code: 'CERT_NOT_YET_VALID',
    codes: ['CERT_NOT_YET_VALID'],
    title: "The server's certificate is not valid yet",
    cause:
      'Its notBefore date is in the future: a clock is wrong, or the certificate was made with a future start date.',
    fix: 'Check the clocks on both machines, or regenerate the certificate.',
  },
  {
    code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    codes: ['ERR_TLS_CERT_ALTNAME_INVALID'],
    title: 'The host name is not in the server certificate',
    cause:
      "The URL's host is not among the certificate's subjectAltName entries (the CN is not used for this since RFC 6125).",
    fix: 'Regenerate the server certificate with a SAN for this host (e.g. DNS:localhost, IP:127.0.0.1), or call the host the certificate names.',
    action: 'regenerateWithSan',
  },
  {
    code: 'INVALID_PURPOSE',
    codes: ['INVALID_PURPOSE'],
    texts: ['unsupported certificate purpose'],
    title: 'A certificate is used for a purpose its extendedKeyUsage does not allow',
    cause:
      'A client certificate was served as a server certificate, or a server certificate (serverAuth only) was sent as a client certificate.',
    fix: 'Use a certificate with serverAuth on the server and one with clientAuth on the client (mtls chain makes both).',
    action: 'generateClient',
  },
  {
    code: 'NOT_TLS',
    codes: ['ERR_SSL_WRONG_VERSION_NUMBER'],
    texts: ['wrong version number', 'packet length too long'],
    title: 'The server did not answer with TLS',
    cause: 'Something on that port speaks plain HTTP (or another protocol), not HTTPS.',
    fix: 'Check the port, or start the mTLS server there.',
    action: 'startServer',
  },
  {
    // undici's parser errors (HPE_*) all mean bytes came back that are not an HTTP/1.1 response.
    code: 'NOT_HTTP',
    codes: [
      'HPE_INVALID_CONSTANT',
      'HPE_INVALID_VERSION',
      'HPE_INVALID_STATUS',
      'HPE_CR_EXPECTED',
      'HPE_LF_EXPECTED',
      'HPE_INVALID_HEADER_TOKEN',
    ],
    texts: ['does not match the http/1.1 protocol'],
    title: "The server's answer is not HTTP",
    cause:
      'The TLS handshake completed (the server accepted the connection, and the client certificate if one was sent), but what came back is not an HTTP/1.1 response: a TLS test tool (gnutls-serv --http or --echo, openssl s_server) or another protocol behind TLS answered, not a webhook server.',
    fix: 'Point the URL at the webhook server (mtls serve), or put one behind that TLS endpoint; the handshake itself succeeded and needs no change.',
    action: 'startServer',
  },
  {
    code: 'ECONNREFUSED',
    codes: ['ECONNREFUSED'],
    title: 'Nothing is listening on that port',
    cause:
      'The connection was refused: the server is not running, listens on another port, or only on another address.',
    fix: 'Start the webhook server, or fix the port in the URL.',
    action: 'startServer',
  },
  {
    code: 'ENOTFOUND',
    codes: ['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME'],
    title: 'The host name does not resolve',
    cause: 'DNS has no address for that host (a typo, a name only known inside another network, or no DNS at all).',
    fix: 'Check the host name, or use 127.0.0.1 / localhost for a local server.',
  },
  {
    code: 'ETIMEDOUT',
    codes: [
      'ETIMEDOUT',
      'UND_ERR_CONNECT_TIMEOUT',
      'UND_ERR_HEADERS_TIMEOUT',
      'UND_ERR_BODY_TIMEOUT',
      'ABORT_ERR_TIMEOUT',
      'ERR_TIMEOUT',
    ],
    title: 'The server did not answer in time',
    cause:
      'The connection, TLS handshake or response took longer than the timeout: a firewall dropping packets, a server stuck in a handler, or the wrong port.',
    fix: 'Check that the server is reachable and answers quickly (Dialogflow gives up after 5 s by default).',
  },
  {
    code: 'ABORTED',
    codes: ['ABORTED'],
    title: 'The request was cancelled',
    cause: 'It was cancelled before an answer came.',
    fix: 'Send it again.',
  },
  {
    code: 'ECONNRESET',
    codes: ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'],
    texts: ['socket disconnected before secure tls connection', 'other side closed', 'socket hang up'],
    title: 'The server closed the connection',
    cause:
      'The server dropped the connection during or right after the handshake: with TLS 1.3 this is how a refused client certificate often shows up, or the port is not a TLS server.',
    fix: 'Look at the server log for the refusal reason; check that the client certificate comes from the CA the server trusts.',
    action: 'generateClient',
  },
];

const unknownRule: Explanation = {
  code: 'UNKNOWN',
  title: 'The request failed',
  cause: 'An error this tool does not recognise; its message is shown as is.',
  fix: 'Read the message; run the equivalent openssl s_client command for the handshake details.',
};

/** Every code the table knows, in match order (for docs and tests). */
export const explanationCodes: readonly string[] = rules.map((r) => r.code);

/** Every explanation the table can give, in match order (the troubleshooting page lists each one). */
export const knownExplanations: readonly Explanation[] = rules.map(
  ({ codes: _c, texts: _t, ...explanation }) => explanation,
);

/** Codes and lower-cased messages of an error and all its causes (undici wraps socket errors). */
function errorFacts(err: unknown): { codes: string[]; texts: string[] } {
  const codes: string[] = [];
  const texts: string[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number): void => {
    if (e === undefined || e === null || seen.has(e) || depth > 6) return;
    seen.add(e);
    if (typeof e === 'string') {
      texts.push(e.toLowerCase());
      return;
    }
    if (typeof e !== 'object') return;
    const o = e as { code?: unknown; message?: unknown; reason?: unknown; cause?: unknown; errors?: unknown };
    if (typeof o.code === 'string') codes.push(o.code);
    if (typeof o.message === 'string') texts.push(o.message.toLowerCase());
    if (typeof o.reason === 'string') texts.push(o.reason.toLowerCase());
    visit(o.cause, depth + 1);
    if (Array.isArray(o.errors)) for (const x of o.errors) visit(x, depth + 1);
  };
  visit(err, 0);
  return { codes, texts };
}

/** The explanation for an error (a network, TLS or key-loading failure); `UNKNOWN` when none fits. */
export function explainTlsError(err: unknown): Explanation {
  const { codes, texts } = errorFacts(err);
  for (const r of rules) {
    if (r.codes?.some((c) => codes.includes(c)) || r.texts?.some((t) => texts.some((m) => m.includes(t)))) {
      const { codes: _c, texts: _t, ...explanation } = r;
      return explanation;
    }
  }
  return unknownRule;
}
