// Kubernetes with ingress-nginx: the Ingress verifies the client certificate (auth-tls-* annotations, the CA
// in a Secret) and passes it to the webhook as ssl-client-cert; the webhook runs as a Deployment + Service.
import * as path from 'node:path';
import { shellQuote } from '../shellQuote';
import { containerPort, dockerfile } from './dockerfile';
import type { EdgeBundle, EdgeOptions } from './types';

const name = 'mtls-webhook';

/** The cluster's pod network when none is given: the private ranges (narrow it to the controller's pods). */
const defaultClusterTrusted = '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16';

/** Ingress, CA Secret, Deployment + Service, NetworkPolicy and the Dockerfile. */
export function ingressNginxEdge(o: EdgeOptions & { namespace?: string; trusted?: string }): EdgeBundle {
  const ns = o.namespace ?? 'default';
  const host = o.host ?? 'webhook.example.com';
  const trusted = o.trusted ?? defaultClusterTrusted;
  const b64 = Buffer.from(o.caPem, 'utf8').toString('base64');
  const caSecret = [
    '# The CA bundle the Ingress verifies client certificates with (the same one the webhook reads).',
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${name}-ca`,
    `  namespace: ${ns}`,
    'type: Opaque',
    'data:',
    `  ca.crt: ${b64}`,
    '',
  ].join('\n');
  const ingress = [
    'apiVersion: networking.k8s.io/v1',
    'kind: Ingress',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${ns}`,
    '  annotations:',
    `    nginx.ingress.kubernetes.io/auth-tls-secret: ${JSON.stringify(`${ns}/${name}-ca`)}`,
    '    nginx.ingress.kubernetes.io/auth-tls-verify-client: "on"',
    '    # leaf + intermediate (what Dialogflow sends)',
    '    nginx.ingress.kubernetes.io/auth-tls-verify-depth: "2"',
    '    # The verified leaf goes to the webhook as ssl-client-cert (+ ssl-client-verify, -subject-dn, -issuer-dn).',
    '    nginx.ingress.kubernetes.io/auth-tls-pass-certificate-to-upstream: "true"',
    'spec:',
    '  ingressClassName: nginx',
    '  tls:',
    `    - hosts: [${JSON.stringify(host)}]`,
    `      secretName: ${name}-tls`,
    '  rules:',
    `    - host: ${JSON.stringify(host)}`,
    '      http:',
    '        paths:',
    '          - path: /',
    '            pathType: Prefix',
    '            backend:',
    `              service: { name: ${name}, port: { number: 80 } }`,
    '',
  ].join('\n');
  const deployment = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${ns}`,
    'spec:',
    '  replicas: 2',
    `  selector: { matchLabels: { app: ${name} } }`,
    '  template:',
    `    metadata: { labels: { app: ${name} } }`,
    '    spec:',
    '      containers:',
    `        - name: ${name}`,
    `          image: ${name}:latest  # built from the Dockerfile beside this file`,
    `          ports: [{ containerPort: ${containerPort} }]`,
    '          env:',
    '            - { name: MTLS_EDGE, value: ingress-nginx }',
    '            # Certificate headers count only from the cluster network; the NetworkPolicy lets only the',
    "            # ingress controller reach these pods. Narrow it to the controller pods' range if you can.",
    `            - { name: MTLS_EDGE_TRUSTED, value: ${JSON.stringify(trusted)} }`,
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${ns}`,
    'spec:',
    `  selector: { app: ${name} }`,
    `  ports: [{ port: 80, targetPort: ${containerPort} }]`,
    '',
  ].join('\n');
  const policy = [
    '# Only the ingress controller (namespace ingress-nginx) may connect to the webhook pods.',
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    `  name: ${name}-from-ingress`,
    `  namespace: ${ns}`,
    'spec:',
    `  podSelector: { matchLabels: { app: ${name} } }`,
    '  policyTypes: [Ingress]',
    '  ingress:',
    '    - from:',
    '        - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ingress-nginx } }',
    `      ports: [{ port: ${containerPort} }]`,
    '',
  ].join('\n');
  const k = (f: string): string => shellQuote(path.join(o.outDir, f));
  return {
    kind: 'ingress-nginx',
    format: 'ingress-nginx',
    files: [
      { name: 'ca-secret.yaml', contents: caSecret },
      { name: 'ingress.yaml', contents: ingress },
      { name: 'deployment.yaml', contents: deployment },
      { name: 'networkpolicy.yaml', contents: policy },
      dockerfile(o),
    ],
    originEnv: { MTLS_EDGE: 'ingress-nginx', MTLS_EDGE_TRUSTED: trusted },
    next: [
      `docker build -f ${k('Dockerfile')} -t ${name}:latest ${shellQuote(o.projectDir)}`,
      `kubectl -n ${shellQuote(ns)} create secret tls ${name}-tls --cert=${shellQuote(o.certPath)} --key=${shellQuote(o.keyPath)}`,
      `kubectl apply -f ${k('ca-secret.yaml')} -f ${k('deployment.yaml')} -f ${k('networkpolicy.yaml')} -f ${k('ingress.yaml')}`,
    ],
    notes: [
      'ingress-nginx replaces ssl-client-cert, ssl-client-verify, ssl-client-subject-dn and ssl-client-issuer-dn; certificate headers of other formats pass through, and the webhook refuses any request that carries one.',
      'ingress-nginx cannot add a secret header per Ingress without configuration snippets (off by default): the webhook trusts the cluster network (MTLS_EDGE_TRUSTED) and the NetworkPolicy keeps everyone but the controller out.',
      ...(o.host
        ? []
        : ['No --host given: the Ingress uses webhook.example.com; replace it with the name clients call.']),
    ],
  };
}
