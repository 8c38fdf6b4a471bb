// What each template version changed in the generated machinery, one line per change: "Update Webhook
// Server..." and mtls scaffold --upgrade show the lines newer than the file's or folder's version. Versions
// 1–4 wrote a single-file server.ts; from 5 on the machinery is the mtls-server/ folder beside server.mts,
// whose manifest.json records the version (the machinery's own config.mts declares the same number).

/** The version of the machinery this code writes. */
export const templateVersion = 7;

/** Version → what it changed, newest last. Version 1 is every server.ts written before versions were recorded. */
const templateChangelog: readonly { readonly version: number; readonly changes: readonly string[] }[] = [
  {
    version: 1,
    changes: ['first template: client certificates required, refusals and clients logged, CX / ES / Kore.ai handlers'],
  },
  {
    version: 2,
    changes: [
      'your config block and handlers come first; the generated machinery is fenced below them and can be upgraded',
      'runs whatever package.json says ("type": "commonjs", "module" or none): built-ins come from process.getBuiltinModule',
    ],
  },
  {
    version: 3,
    changes: [
      "refuses to start when auth is 'Bearer' or 'Basic' with no secret (empty credentials never pass)",
      'drops connections that do not finish the TLS handshake within 10 s (handshakeTimeoutMs) instead of 120 s',
      'caps open connections (maxConnections, default 256) and logs when the cap is reached',
      'answers 400 to a malformed request target instead of 500; absolute-form and //host targets get 404',
    ],
  },
  {
    version: 4,
    changes: [
      'enforces the header and request timeouts within a second (Node checked them every 30 s): a stalled client is answered 408 and logged',
      'a client still sending a body after its 413 (or the 503 deadline) is cut off at the request timeout, without a second answer',
      'refuses to start when a certificate in the CA bundle is damaged (OpenSSL skipped it, so its clients were refused as unknown)',
      'says when the certificate file lists an intermediate before the server certificate, instead of "key does not belong"',
      'answers curl --http1.0 (ALPN http/1.0); a webhook path with a trailing slash is the same webhook; "basic" auth gets a Basic challenge',
    ],
  },
  {
    version: 5,
    changes: [
      'server.mts is all yours (config, handlers, routes); the machinery moved to mtls-server/, which --upgrade replaces whole and verifies against its manifest.json',
      "your own routes ('GET /status': () => ({ status: 'ok' })) and checks before every request (before: [...]) next to the webhook",
      'every handler gets the verified caller: ctx.caller.certificate (cn, org, fingerprint256, ...) and ctx.caller.idToken',
      'node server.mts --print-config prints the settings in force; new overrides MTLS_WEBHOOK_PATHS, MTLS_BODY_LIMIT_BYTES, MTLS_REQUEST_TIMEOUT_MS',
      'an ES module (server.mts): import npm packages and Node built-ins as usual, whatever package.json says',
    ],
  },
  {
    version: 6,
    changes: [
      'runs behind an edge that terminates TLS and enforces mTLS (MTLS_EDGE: rfc9440, nginx, ingress-nginx, xfcc, aws-alb, gcp-alb): the forwarded client certificate is verified against your CA bundle and becomes ctx.caller',
      'behind an edge, requests are accepted only from its addresses (MTLS_EDGE_TRUSTED) and/or with its secret header X-Mtls-Edge-Secret (MTLS_EDGE_SECRET); a certificate header of another kind of edge is refused',
      'behind an edge the server listens on plain HTTP (or HTTPS without client certificates, MTLS_EDGE_LISTEN) and on $PORT when MTLS_PORT is not set (Cloud Run)',
    ],
  },
  {
    version: 7,
    changes: [
      'connections still in the TLS handshake have a budget of their own (32 per address, 128 in all: maxHandshakesPerAddress, maxHandshakes), and one that sends nothing is closed after 3 s (clientHelloTimeoutMs): idle sockets from one address no longer keep the platform out',
      'refused handshakes are logged at most 20 per address every 10 s, then one line counts the rest; the connection cap message is counted the same way',
      'a request path with a backslash (/\\host/webhook, which URL parsers read as //host/webhook) matches no webhook path or route: 404',
      'the CA bundle is read under every label Node trusts (TRUSTED CERTIFICATE, X509 CERTIFICATE): a public root there needs a pin too, a damaged block refuses the start',
      'a plain-http JWKS URL must be on a loopback host (127.x.x.x, [::1], localhost): http://127.evil.example/ is refused',
      'JWKS keys under 2048 bits or with an RSA exponent other than 65537 are ignored, and a token they sign is refused',
      'ID tokens whose exp, iat or nbf is not a date, whose iss is a list, or whose signature is not plain base64url get 401 (a far-off time was a 500)',
      'the auth secret is never printed: the start-up line names only the scheme, and a mistyped MTLS_AUTH (Bearer:secret) is refused without quoting it',
    ],
  },
];

/** The changes a file written by template `fromVersion` gets by upgrading to the current template. */
export function changesSince(fromVersion: number): string[] {
  return templateChangelog.filter((e) => e.version > fromVersion).flatMap((e) => e.changes);
}
