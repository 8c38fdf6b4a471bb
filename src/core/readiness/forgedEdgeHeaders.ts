/**
 * The certificate headers an edge of each format sends, written by someone who is NOT the edge: what an
 * attacker who reaches the origin directly would send with a certificate anyone can obtain (a client
 * certificate is public). The origin must refuse them for where they came from, not for what they say.
 */
import { createHash, X509Certificate } from 'node:crypto';

/** The formats a server in edge mode reads (its MTLS_EDGE). */
export const edgeHeaderFormats = ['rfc9440', 'nginx', 'ingress-nginx', 'xfcc', 'aws-alb', 'gcp-alb'] as const;

/** The headers of `format` claiming that the client presented `leafPem` and that the edge verified it. */
export function forgedEdgeHeaders(format: string, leafPem: string): Record<string, string> | undefined {
  const leaf = new X509Certificate(leafPem);
  const pem = leaf.toString();
  const escaped = encodeURIComponent(pem);
  switch (format) {
    case 'rfc9440':
      return { 'client-cert': `:${leaf.raw.toString('base64')}:` };
    case 'nginx':
      return { 'x-ssl-client-cert': escaped, 'x-ssl-client-verify': 'SUCCESS' };
    case 'ingress-nginx':
      return { 'ssl-client-cert': escaped, 'ssl-client-verify': 'SUCCESS' };
    case 'xfcc':
      return {
        'x-forwarded-client-cert': `Hash=${createHash('sha256').update(leaf.raw).digest('hex')};Cert="${escaped}"`,
      };
    case 'aws-alb':
      return { 'x-amzn-mtls-clientcert-leaf': escaped };
    case 'gcp-alb':
      return {
        'x-client-cert-present': 'true',
        'x-client-cert-chain-verified': 'true',
        'x-client-cert-error': '',
        'x-client-cert-hash': createHash('sha256').update(leaf.raw).digest('base64'),
        'x-client-cert-leaf': `:${leaf.raw.toString('base64')}:`,
      };
    default:
      return undefined;
  }
}
