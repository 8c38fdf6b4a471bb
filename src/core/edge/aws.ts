// AWS: the Application Load Balancer verifies client certificates against a trust store (the CA bundle, in
// S3) with its HTTPS listener in mutual-authentication verify mode, and passes the leaf to the targets in
// X-Amzn-Mtls-Clientcert-Leaf (URL-encoded PEM) with its serial, issuer, subject and validity.
import * as path from 'node:path';
import { shellQuote } from '../shellQuote';
import { caInProject, dockerfile } from './dockerfile';
import type { EdgeBundle, EdgeOptions } from './types';

/** ca-bundle.pem (the trust store), the Dockerfile and deploy.sh (aws CLI, in order). */
export function awsEdge(o: EdgeOptions & { trusted?: string }): EdgeBundle {
  caInProject(o); // the image must be able to include it
  const q = (f: string): string => shellQuote(path.join(o.outDir, f));
  const script = [
    '#!/bin/sh',
    "# Puts the webhook's CA bundle in an ALB trust store and turns on mutual TLS (verify) on the HTTPS listener.",
    "# Needs: BUCKET (S3), LISTENER_ARN (the ALB's HTTPS listener) in the environment.",
    'set -eu',
    ': "${BUCKET:?}" "${LISTENER_ARN:?}"',
    `aws s3 cp ${q('ca-bundle.pem')} "s3://$BUCKET/mtls-webhook/ca-bundle.pem"`,
    'TRUST_STORE_ARN=$(aws elbv2 create-trust-store --name mtls-webhook-trust \\',
    '  --ca-certificates-bundle-s3-bucket "$BUCKET" --ca-certificates-bundle-s3-key mtls-webhook/ca-bundle.pem \\',
    "  --query 'TrustStores[0].TrustStoreArn' --output text)",
    'aws elbv2 modify-listener --listener-arn "$LISTENER_ARN" \\',
    '  --mutual-authentication "Mode=verify,TrustStoreArn=$TRUST_STORE_ARN,IgnoreClientCertificateExpiry=false"',
    '',
  ].join('\n');
  const trusted = o.trusted ?? '${VPC_CIDR}';
  return {
    kind: 'aws',
    format: 'aws-alb',
    files: [{ name: 'ca-bundle.pem', contents: o.caPem }, { name: 'deploy.sh', contents: script }, dockerfile(o)],
    originEnv: { MTLS_EDGE: 'aws-alb', MTLS_EDGE_TRUSTED: trusted },
    next: [
      'export BUCKET=… LISTENER_ARN=…',
      `sh ${q('deploy.sh')}`,
      `docker build -f ${q('Dockerfile')} -t mtls-webhook ${shellQuote(o.projectDir)}   # run it as the listener's target with MTLS_EDGE_TRUSTED=<the ALB subnets' CIDR>`,
    ],
    notes: [
      "An ALB cannot add a secret request header: the webhook trusts the addresses of the load balancer's subnets (MTLS_EDGE_TRUSTED); let the targets' security group admit only the ALB's.",
      'Verify mode only: in passthrough mode the ALB checks nothing and sends X-Amzn-Mtls-Clientcert, which the webhook refuses.',
    ],
  };
}
