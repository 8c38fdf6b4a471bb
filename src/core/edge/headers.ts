// Every request header through which some edge tells an origin who the client was. Whatever edge we configure,
// it overwrites all of them: the one it sets carries its own value, the others are removed, so a client can
// never slip a certificate header of another format past it. The same list lives in the server
// (mtls-server/edgeHeaders.mts, which cannot be imported here); a unit test keeps the two equal.

/** Certificate header names, in the spelling written into configs (HTTP header names are case-insensitive). */
export const certificateHeaders: readonly string[] = [
  'Client-Cert',
  'Client-Cert-Chain',
  'X-SSL-Client-Cert',
  'X-SSL-Client-Verify',
  'ssl-client-cert',
  'ssl-client-verify',
  'ssl-client-subject-dn',
  'ssl-client-issuer-dn',
  'X-Forwarded-Client-Cert',
  'X-Amzn-Mtls-Clientcert-Leaf',
  'X-Amzn-Mtls-Clientcert-Serial-Number',
  'X-Amzn-Mtls-Clientcert-Issuer',
  'X-Amzn-Mtls-Clientcert-Subject',
  'X-Amzn-Mtls-Clientcert-Validity',
  'X-Amzn-Mtls-Clientcert',
  'X-Client-Cert-Present',
  'X-Client-Cert-Chain-Verified',
  'X-Client-Cert-Error',
  'X-Client-Cert-Hash',
  'X-Client-Cert-Serial-Number',
  'X-Client-Cert-Dnsname-Sans',
  'X-Client-Cert-Uri-Sans',
  'X-Client-Cert-Valid-Not-Before',
  'X-Client-Cert-Valid-Not-After',
  'X-Client-Cert-Leaf',
  'X-Client-Cert-Chain',
  'X-Forwarded-Tls-Client-Cert',
  'X-Forwarded-Tls-Client-Cert-Info',
  'CloudFront-Viewer-Cert-Pem',
];

/** The header the edge adds with the shared secret; a client's own copy is always removed. */
export const edgeSecretHeader = 'X-Mtls-Edge-Secret';

/** Every header an edge must overwrite: the certificate headers and the secret header. */
export function overwrittenHeaders(): string[] {
  return [...certificateHeaders, edgeSecretHeader];
}

/** The headers to remove when the edge sets `set` (compared case-insensitively). */
export function headersToClear(set: readonly string[]): string[] {
  const lower = new Set(set.map((s) => s.toLowerCase()));
  return overwrittenHeaders().filter((h) => !lower.has(h.toLowerCase()));
}
