// Envoy in front of the webhook: it verifies the client certificate against the server's CA bundle and
// forwards it in x-forwarded-client-cert (forward_client_cert_details SANITIZE_SET: one element, ours).
import * as path from 'node:path';
import { shellQuote } from '../shellQuote';
import { edgeSecretHeader, headersToClear } from './headers';
import { edgeSourceOf, listenOf, originEnvFile, originEnvFor, originOf, startOriginLine } from './common';
import type { EdgeBundle, EdgeOptions } from './types';

/** envoy.yaml (`envoy -c envoy.yaml`) and origin.env. Envoy reads no environment variables: with a secret the file is 0600. */
export function envoyEdge(o: EdgeOptions): EdgeBundle {
  const origin = originOf(o);
  const source = edgeSourceOf(o, origin);
  const listen = listenOf(o);
  const j = (s: string): string => JSON.stringify(s);
  const remove = headersToClear(['X-Forwarded-Client-Cert', ...(o.secret !== undefined ? [edgeSecretHeader] : [])]);
  const yaml = [
    '# Envoy terminates TLS and mutual TLS for the webhook; the webhook runs with MTLS_EDGE=xfcc (origin.env).',
    '# Start: envoy -c envoy.yaml. Check: envoy --mode validate -c envoy.yaml',
    'static_resources:',
    '  listeners:',
    '    - name: webhook_mtls',
    `      address: { socket_address: { address: ${j(listen.host)}, port_value: ${listen.port} } }`,
    '      filter_chains:',
    '        - transport_socket:',
    '            name: envoy.transport_sockets.tls',
    '            typed_config:',
    '              "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
    '              require_client_certificate: true',
    '              common_tls_context:',
    `                tls_certificates: [{ certificate_chain: { filename: ${j(o.certPath)} }, private_key: { filename: ${j(o.keyPath)} } }]`,
    '                # Only clients whose certificate chains to the CA bundle the webhook itself trusts.',
    `                validation_context: { trusted_ca: { filename: ${j(o.caPath)} } }`,
    '          filters:',
    '            - name: envoy.filters.network.http_connection_manager',
    '              typed_config:',
    '                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    '                stat_prefix: webhook',
    '                # x-forwarded-client-cert: whatever a client sent is replaced by one element for this connection.',
    '                forward_client_cert_details: SANITIZE_SET',
    '                set_current_client_cert_details: { subject: true, cert: true, chain: true, dns: true, uri: true }',
    '                http_filters: [{ name: envoy.filters.http.router, typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router } }]',
    '                route_config:',
    '                  # Certificate headers of every other format are removed.',
    `                  request_headers_to_remove: [${remove.map((h) => j(h.toLowerCase())).join(', ')}]`,
    ...(o.secret !== undefined
      ? [
          '                  request_headers_to_add:',
          `                    - { header: { key: ${j(edgeSecretHeader)}, value: ${j(o.secret)} }, append_action: OVERWRITE_IF_EXISTS_OR_ADD }`,
        ]
      : []),
    '                  virtual_hosts:',
    `                    - { name: webhook, domains: [${j(o.host ?? '*')}], routes: [{ match: { prefix: "/" }, route: { cluster: origin } }] }`,
    '  clusters:',
    '    - name: origin',
    '      type: STATIC',
    '      connect_timeout: 5s',
    ...(source
      ? [
          '      # The webhook trusts certificate headers only from this address (MTLS_EDGE_TRUSTED).',
          `      upstream_bind_config: { source_address: { address: ${j(source)}, port_value: 0 } }`,
        ]
      : []),
    '      load_assignment:',
    '        cluster_name: origin',
    `        endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: ${j(origin.host)}, port_value: ${origin.port} } } } }] }]`,
    '',
  ].join('\n');
  const env = originEnvFor(o, origin, source);
  return {
    kind: 'envoy',
    format: 'xfcc',
    files: [{ name: 'envoy.yaml', contents: yaml, secret: o.secret !== undefined }, originEnvFile(env, o.secret)],
    originEnv: env,
    next: [
      startOriginLine(o),
      `envoy --mode validate -c ${shellQuote(path.join(o.outDir, 'envoy.yaml'))} && envoy -c ${shellQuote(path.join(o.outDir, 'envoy.yaml'))}`,
    ],
    notes: [
      'Envoy is not a Debian package: install it from envoyproxy.io (or run the envoyproxy/envoy image).',
      ...(o.secret !== undefined
        ? ['Envoy reads no environment variables in its configuration: the secret is in envoy.yaml, written 0600.']
        : []),
    ],
  };
}
