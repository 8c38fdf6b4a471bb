// Google Cloud: the global external Application Load Balancer verifies client certificates (a Certificate
// Manager TrustConfig, a ServerTlsPolicy on the target HTTPS proxy) and tells the webhook about them only in the
// backend service's custom request headers, filled from its mTLS variables. The webhook runs on Cloud Run with
// ingress "internal-and-cloud-load-balancing" so that nobody calls it around the load balancer.
import { X509Certificate } from 'node:crypto';
import * as path from 'node:path';
import { shellQuote } from '../shellQuote';
import { dockerfile } from './dockerfile';
import { edgeSecretHeader } from './headers';
import { originEnvFile } from './common';
import { edgeSecretEnv, type EdgeBundle, type EdgeOptions } from './types';

/** Our header → the load balancer's mTLS variable (the server reads the same names: gcp-alb). */
export const gcpHeaderVariables: Readonly<Record<string, string>> = {
  'X-Client-Cert-Present': 'client_cert_present',
  'X-Client-Cert-Chain-Verified': 'client_cert_chain_verified',
  'X-Client-Cert-Error': 'client_cert_error',
  'X-Client-Cert-Hash': 'client_cert_sha256_fingerprint',
  'X-Client-Cert-Serial-Number': 'client_cert_serial_number',
  'X-Client-Cert-Dnsname-Sans': 'client_cert_dnsname_sans',
  'X-Client-Cert-Uri-Sans': 'client_cert_uri_sans',
  'X-Client-Cert-Valid-Not-Before': 'client_cert_valid_not_before',
  'X-Client-Cert-Valid-Not-After': 'client_cert_valid_not_after',
  'X-Client-Cert-Leaf': 'client_cert_leaf',
  'X-Client-Cert-Chain': 'client_cert_chain',
};

const pemBlocks = (pem: string): string[] =>
  pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];

/** A YAML block scalar of `text`, indented. */
const block = (text: string, indent: string): string =>
  text
    .split('\n')
    .map((l) => indent + l)
    .join('\n');

/** trust-config.yaml, server-tls-policy.yaml, the Dockerfile and deploy.sh (gcloud, in order). */
export function gcpEdge(o: EdgeOptions): EdgeBundle {
  const certs = pemBlocks(o.caPem).map((pem) => ({ pem, x: new X509Certificate(pem) }));
  const selfSigned = (c: X509Certificate): boolean => c.checkIssued(c) && c.verify(c.publicKey);
  const anchors = certs.filter((c) => selfSigned(c.x));
  const intermediates = certs.filter((c) => !selfSigned(c.x));
  const trustConfig = [
    '# Certificate Manager TrustConfig: the roots (and intermediates) of the CA bundle the webhook trusts.',
    'trustStores:',
    '  - trustAnchors:',
    ...anchors.map((c) => `      - pemCertificate: |\n${block(c.pem, '          ')}`),
    ...(intermediates.length
      ? [
          '    intermediateCas:',
          ...intermediates.map((c) => `      - pemCertificate: |\n${block(c.pem, '          ')}`),
        ]
      : []),
    '',
  ].join('\n');
  const policy = [
    '# ServerTlsPolicy for the target HTTPS proxy: refuse any client whose certificate does not verify.',
    'mtlsPolicy:',
    '  clientValidationMode: REJECT_INVALID',
    '  clientValidationTrustConfig: projects/${PROJECT_ID}/locations/global/trustConfigs/mtls-webhook-trust',
    '',
  ].join('\n');
  const headers = Object.entries(gcpHeaderVariables).map(([h, v]) => `${h}:{${v}}`);
  const q = (f: string): string => shellQuote(path.join(o.outDir, f));
  const script = [
    '#!/bin/sh',
    '# Deploys the webhook behind the global external Application Load Balancer with mutual TLS.',
    `# Needs: PROJECT_ID, REGION, BACKEND_SERVICE, TARGET_HTTPS_PROXY, IMAGE and ${edgeSecretEnv} in the environment.`,
    'set -eu',
    ': "${PROJECT_ID:?}" "${REGION:?}" "${BACKEND_SERVICE:?}" "${TARGET_HTTPS_PROXY:?}" "${IMAGE:?}" "${' +
      edgeSecretEnv +
      ':?}"',
    `docker build -f ${q('Dockerfile')} -t "$IMAGE" ${shellQuote(o.projectDir)} && docker push "$IMAGE"`,
    '# 1. The trust config (roots and intermediates) and the server TLS policy that uses it.',
    `gcloud certificate-manager trust-configs import mtls-webhook-trust --location=global --source=${q('trust-config.yaml')}`,
    `sed "s/\\\${PROJECT_ID}/$PROJECT_ID/" ${q('server-tls-policy.yaml')} > /tmp/mtls-server-tls-policy.yaml`,
    'gcloud network-security server-tls-policies import mtls-webhook-policy --location=global --source=/tmp/mtls-server-tls-policy.yaml',
    '# 2. Attach it to the target HTTPS proxy.',
    'gcloud compute target-https-proxies export "$TARGET_HTTPS_PROXY" --global --destination=/tmp/mtls-proxy.yaml',
    'echo "serverTlsPolicy: //networksecurity.googleapis.com/projects/$PROJECT_ID/locations/global/serverTlsPolicies/mtls-webhook-policy" >> /tmp/mtls-proxy.yaml',
    'gcloud compute target-https-proxies import "$TARGET_HTTPS_PROXY" --global --source=/tmp/mtls-proxy.yaml',
    '# 3. The secret the webhook checks, in Secret Manager; the load balancer sends it with every request.',
    `printf %s "$${edgeSecretEnv}" | gcloud secrets create mtls-edge-secret --data-file=- 2>/dev/null || printf %s "$${edgeSecretEnv}" | gcloud secrets versions add mtls-edge-secret --data-file=-`,
    '# 4. The backend service forwards the mTLS variables (and the secret) as request headers.',
    'gcloud compute backend-services update "$BACKEND_SERVICE" --global \\',
    ...headers.map((h) => `  --custom-request-header=${shellQuote(h)} \\`),
    `  --custom-request-header="${edgeSecretHeader}:$${edgeSecretEnv}"`,
    '# 5. Cloud Run: reachable only through the load balancer (and internal traffic). Requests through the load',
    '#    balancer carry no Google identity, so the invoker check is off (--allow-unauthenticated): the ingress',
    '#    setting, the mutual TLS at the load balancer and the secret the webhook checks keep everyone else out.',
    "#    --update-env-vars/--update-secrets keep the service's other settings (the pin, auth).",
    'gcloud run deploy mtls-webhook --image="$IMAGE" --region="$REGION" --ingress=internal-and-cloud-load-balancing \\',
    `  --allow-unauthenticated --update-env-vars=MTLS_EDGE=gcp-alb --update-secrets=${edgeSecretEnv}=mtls-edge-secret:latest`,
    '',
  ].join('\n');
  const env = { MTLS_EDGE: 'gcp-alb', [edgeSecretEnv]: `$${edgeSecretEnv}` };
  return {
    kind: 'gcp',
    format: 'gcp-alb',
    files: [
      { name: 'trust-config.yaml', contents: trustConfig },
      { name: 'server-tls-policy.yaml', contents: policy },
      { name: 'deploy.sh', contents: script },
      dockerfile(o),
      // The secret deploy.sh puts in Secret Manager and the backend's header (0600).
      originEnvFile(env, o.secret),
    ],
    originEnv: env,
    next: [
      `export PROJECT_ID=… REGION=… BACKEND_SERVICE=… TARGET_HTTPS_PROXY=… IMAGE=…`,
      `(set -a; . ${q('origin.env')}; set +a; sh ${q('deploy.sh')})`,
    ],
    notes: [
      "The load balancer forwards the certificate's attributes, verified flag and (client_cert_leaf) the leaf itself; pin clients by sha256 (the fingerprint header) — a CN or O pin needs the leaf header.",
      "The backend service's custom headers replace any header of the same name a client sent; the webhook refuses requests with certificate headers of other formats.",
      "Cloud Run's requests come from Google's front ends, not fixed addresses: the webhook trusts the secret header (MTLS_EDGE_SECRET from Secret Manager).",
    ],
  };
}
