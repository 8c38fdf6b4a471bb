// The request headers through which an edge (a proxy or load balancer that terminates TLS and enforces mTLS)
// tells the origin who the client was, one entry per edge kind. The config generators write proxy configs that
// overwrite every one of these names, and the server refuses a request that carries a certificate header of a
// kind other than its own: a client may have slipped it past an edge that does not strip that name.
// Header names are lower case (Node gives them so).

/** The edge kinds the server understands ('' is direct mTLS, no edge). */
export const edgeKinds = ['rfc9440', 'nginx', 'ingress-nginx', 'xfcc', 'aws-alb', 'gcp-alb'] as const;

export type EdgeKind = (typeof edgeKinds)[number];

/** The header the edge adds with the shared secret (MTLS_EDGE_SECRET); clients cannot know its value. */
export const edgeSecretHeader = 'x-mtls-edge-secret';

// Google Cloud's external Application Load Balancer forwards no certificate header of its own: the backend
// service's custom request headers carry its mTLS variables ({client_cert_present}, …), under names we choose.
// Variables as listed on https://cloud.google.com/load-balancing/docs/https/custom-headers ("Mutual TLS custom
// headers"); our names follow the examples of https://cloud.google.com/load-balancing/docs/mtls.
/** Our header name → the load balancer's mTLS variable that fills it. */
export const gcpAlbHeaderVariables: Readonly<Record<string, string>> = {
  'x-client-cert-present': 'client_cert_present',
  'x-client-cert-chain-verified': 'client_cert_chain_verified',
  'x-client-cert-error': 'client_cert_error',
  'x-client-cert-hash': 'client_cert_sha256_fingerprint',
  'x-client-cert-serial-number': 'client_cert_serial_number',
  'x-client-cert-dnsname-sans': 'client_cert_dnsname_sans',
  'x-client-cert-uri-sans': 'client_cert_uri_sans',
  'x-client-cert-valid-not-before': 'client_cert_valid_not_before',
  'x-client-cert-valid-not-after': 'client_cert_valid_not_after',
  // RFC 9440 byte sequences of the validated leaf and the rest of its chain: with them the server verifies the
  // certificate itself and knows its subject (CN/O pins); without them it relies on the attributes above.
  'x-client-cert-leaf': 'client_cert_leaf',
  'x-client-cert-chain': 'client_cert_chain',
};

/** Per edge kind: the header the certificate comes in, how the start-up line names it, every header name of that kind. */
export const edgeHeaders: Readonly<
  Record<EdgeKind, { readonly certificate: string; readonly label: string; readonly names: readonly string[] }>
> = {
  // RFC 9440: Client-Cert is the leaf, Client-Cert-Chain the rest, each `:base64 DER:` (HAProxy, Cloudflare).
  rfc9440: { certificate: 'client-cert', label: 'Client-Cert', names: ['client-cert', 'client-cert-chain'] },
  // nginx: proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert (URL-escaped PEM of the leaf);
  // X-SSL-Client-Verify $ssl_client_verify, when set, must say SUCCESS.
  nginx: {
    certificate: 'x-ssl-client-cert',
    label: 'X-SSL-Client-Cert',
    names: ['x-ssl-client-cert', 'x-ssl-client-verify'],
  },
  // ingress-nginx with nginx.ingress.kubernetes.io/auth-tls-pass-certificate-to-upstream: "true".
  'ingress-nginx': {
    certificate: 'ssl-client-cert',
    label: 'ssl-client-cert',
    names: ['ssl-client-cert', 'ssl-client-verify', 'ssl-client-subject-dn', 'ssl-client-issuer-dn'],
  },
  // Envoy: x-forwarded-client-cert with forward_client_cert_details SANITIZE_SET (one element, not appended).
  xfcc: {
    certificate: 'x-forwarded-client-cert',
    label: 'X-Forwarded-Client-Cert',
    names: ['x-forwarded-client-cert'],
  },
  // AWS ALB mutual TLS in verify mode (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/
  // mutual-authentication.html, "HTTP headers"): the leaf as URL-encoded PEM plus its details. The passthrough
  // header X-Amzn-Mtls-Clientcert is deliberately not ours: in verify mode the ALB never sends it, so it came
  // from a client, or the listener is in passthrough mode where the ALB verifies nothing.
  'aws-alb': {
    certificate: 'x-amzn-mtls-clientcert-leaf',
    label: 'X-Amzn-Mtls-Clientcert-Leaf',
    names: [
      'x-amzn-mtls-clientcert-leaf',
      'x-amzn-mtls-clientcert-serial-number',
      'x-amzn-mtls-clientcert-issuer',
      'x-amzn-mtls-clientcert-subject',
      'x-amzn-mtls-clientcert-validity',
    ],
  },
  'gcp-alb': {
    certificate: 'x-client-cert-chain-verified',
    label: "X-Client-Cert-Leaf, else the load balancer's X-Client-Cert-Chain-Verified and X-Client-Cert-Hash",
    names: Object.keys(gcpAlbHeaderVariables),
  },
};

/** Certificate headers of edges we do not read (AWS passthrough, Traefik, CloudFront): always refused. */
export const otherCertificateHeaders: readonly string[] = [
  'x-amzn-mtls-clientcert',
  'x-forwarded-tls-client-cert',
  'x-forwarded-tls-client-cert-info',
  'cloudfront-viewer-cert-pem',
];

/** Every certificate header name any edge kind uses, plus the ones we never read: what an edge must overwrite. */
export function allCertificateHeaders(): string[] {
  return [...new Set([...Object.values(edgeHeaders).flatMap((e) => e.names), ...otherCertificateHeaders])];
}
