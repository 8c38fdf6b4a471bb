// Shared fixtures for the edge-mode tests: a real scaffolded server.mts started behind an (absent) edge on
// 127.0.0.2, the certificate headers each kind of edge writes (shaped as their documentation shows), and plain
// HTTP requests from a chosen loopback address (127.0.0.3 plays the edge, 127.0.0.4 an outsider). No mocks.
import * as http from 'node:http';
import * as https from 'node:https';
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { scaffoldServer } from '../../../src/core/scaffold/scaffoldServer';
import { makePki, startServer, tempDir, type Pki, type RunningServer } from './scaffold';

export type EdgeFormat = 'rfc9440' | 'nginx' | 'ingress-nginx' | 'xfcc' | 'aws-alb' | 'gcp-alb';
export const edgeFormats: readonly EdgeFormat[] = ['rfc9440', 'nginx', 'ingress-nginx', 'xfcc', 'aws-alb', 'gcp-alb'];

/** The origin's address; the edge's; an outsider's (all on loopback, usable on Linux without set-up). */
export const originHost = '127.0.0.2';
export const edgeAddress = '127.0.0.3';
export const outsiderAddress = '127.0.0.4';
export const edgeSecret = 'edge-secret-7f3a9c';

/** A scaffolded server.mts running in edge mode. */
export interface EdgeOrigin {
  readonly dir: string;
  readonly file: string;
  readonly pki: Pki;
  readonly server: RunningServer;
  /** http://127.0.0.2:PORT (https:// with edgeListen 'https'). */
  readonly url: string;
}

/** Options of {@link startEdgeOrigin}; `env` is added last (MTLS_ALLOWED_CLIENTS, MTLS_AUTH, …). */
export interface EdgeOriginOptions {
  edge: EdgeFormat;
  /** MTLS_EDGE_TRUSTED; default 127.0.0.3 ('' = not set). */
  trusted?: string;
  /** MTLS_EDGE_SECRET; default {@link edgeSecret} ('' = not set). */
  secret?: string;
  listen?: 'http' | 'https';
  /** A folder to scaffold in (default: a new temporary one) and a PKI made by makePki (default: a new one in it). */
  dir?: string;
  pki?: Pki;
  env?: Record<string, string>;
  /** The Node that runs server.mts (default: this one). */
  nodePath?: string;
}

/**
 * Scaffolds a cx server.mts with a route `GET /caller` answering ctx.caller, and starts it on 127.0.0.2 (a free
 * port) in edge mode. Stop it with `origin.server.proc.kill()`.
 */
export async function startEdgeOrigin(o: EdgeOriginOptions): Promise<EdgeOrigin> {
  const dir = o.dir ?? tempDir('edge-' + o.edge);
  const pki = o.pki ?? makePki(path.join(dir, 'certs'));
  const file = await scaffoldServer(dir, { platform: 'cx' });
  const text = readFileSync(file, 'utf8');
  if (!text.includes('routes: {')) throw new Error('server.mts has no routes table');
  writeFileSync(file, text.replace('routes: {', "routes: {\n    'GET /caller': (ctx) => ctx.caller,"));
  const env: Record<string, string> = {
    MTLS_KEY: pki.serverKey,
    MTLS_CERT: pki.serverCrt,
    MTLS_CA: pki.caBundle,
    MTLS_HOST: originHost,
    MTLS_EDGE: o.edge,
  };
  const trusted = o.trusted ?? edgeAddress;
  const secret = o.secret ?? edgeSecret;
  if (trusted !== '') env['MTLS_EDGE_TRUSTED'] = trusted;
  if (secret !== '') env['MTLS_EDGE_SECRET'] = secret;
  if (o.listen !== undefined) env['MTLS_EDGE_LISTEN'] = o.listen;
  const server = await startServer(file, { ...env, ...o.env }, o.nodePath);
  return { dir, file, pki, server, url: server.url };
}

function pemOf(file: string): string[] {
  return readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? [];
}

function b64(pem: string): string {
  return new X509Certificate(pem).raw.toString('base64');
}

/** The headers an edge of `format` sends for the client certificate file `certFile` (leaf first, then its chain). */
export function forwardedHeaders(
  format: EdgeFormat,
  certFile: string,
  opts: { gcpLeaf?: boolean } = {},
): Record<string, string> {
  const [leafPem = '', ...chainPems] = pemOf(certFile);
  const leaf = new X509Certificate(leafPem);
  const escaped = encodeURIComponent(leafPem);
  const rfc2253 = (dn: string): string => dn.split('\n').reverse().join(',');
  switch (format) {
    // RFC 9440 §2: Client-Cert: :MIIB…=: and Client-Cert-Chain: :MIIB…:, :MIIB…: (https://www.rfc-editor.org/rfc/rfc9440).
    case 'rfc9440':
      return {
        'client-cert': ':' + b64(leafPem) + ':',
        ...(chainPems.length > 0 ? { 'client-cert-chain': chainPems.map((p) => ':' + b64(p) + ':').join(', ') } : {}),
      };
    // nginx: proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert (https://nginx.org/en/docs/http/ngx_http_ssl_module.html).
    case 'nginx':
      return { 'x-ssl-client-cert': escaped, 'x-ssl-client-verify': 'SUCCESS' };
    // ingress-nginx client-certificate authentication: ssl-client-cert (URL-escaped PEM), ssl-client-verify,
    // ssl-client-subject-dn, ssl-client-issuer-dn (https://kubernetes.github.io/ingress-nginx/examples/auth/client-certs/).
    case 'ingress-nginx':
      return {
        'ssl-client-cert': escaped,
        'ssl-client-verify': 'SUCCESS',
        'ssl-client-subject-dn': rfc2253(leaf.subject),
        'ssl-client-issuer-dn': rfc2253(leaf.issuer),
      };
    // Envoy x-forwarded-client-cert: By=…;Hash=<hex SHA-256>;Cert="<URL-escaped PEM>";Chain="…";Subject="…"
    // (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-client-cert).
    case 'xfcc':
      return {
        'x-forwarded-client-cert':
          'By=spiffe://cluster.local/ns/default/sa/webhook;Hash=' +
          createHash('sha256').update(leaf.raw).digest('hex') +
          ';Cert="' +
          escaped +
          '";Chain="' +
          encodeURIComponent([leafPem, ...chainPems].join('')) +
          '";Subject="' +
          rfc2253(leaf.subject) +
          '";URI=;DNS=',
      };
    // AWS ALB verify mode: X-Amzn-Mtls-Clientcert-Leaf is URL-encoded PEM "with +=/ as safe characters", plus
    // -Serial-Number (hex), -Issuer / -Subject (RFC 2253), -Validity (NotBefore=…;NotAfter=…)
    // (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/mutual-authentication.html).
    case 'aws-alb':
      return {
        'x-amzn-mtls-clientcert-serial-number': leaf.serialNumber,
        'x-amzn-mtls-clientcert-issuer': rfc2253(leaf.issuer),
        'x-amzn-mtls-clientcert-subject': rfc2253(leaf.subject),
        'x-amzn-mtls-clientcert-validity':
          'NotBefore=' +
          new Date(leaf.validFrom).toISOString().replace(/\.000Z$/, 'Z') +
          ';NotAfter=' +
          new Date(leaf.validTo).toISOString().replace(/\.000Z$/, 'Z'),
        'x-amzn-mtls-clientcert-leaf': escaped.replace(/%2B/g, '+').replace(/%3D/g, '=').replace(/%2F/g, '/'),
      };
    // Google Cloud ALB custom request headers from the mTLS variables
    // (https://cloud.google.com/load-balancing/docs/https/custom-headers, "Mutual TLS custom headers").
    case 'gcp-alb': {
      const rfc3339 = (d: string): string => new Date(d).toISOString().replace(/\.000Z$/, '+00:00');
      return {
        'x-client-cert-present': 'true',
        'x-client-cert-chain-verified': 'true',
        'x-client-cert-error': '',
        'x-client-cert-hash': createHash('sha256').update(leaf.raw).digest('base64'),
        'x-client-cert-serial-number': leaf.serialNumber.toLowerCase(),
        'x-client-cert-dnsname-sans': '',
        'x-client-cert-uri-sans': '',
        'x-client-cert-valid-not-before': rfc3339(leaf.validFrom),
        'x-client-cert-valid-not-after': rfc3339(leaf.validTo),
        ...(opts.gcpLeaf === true
          ? {
              'x-client-cert-leaf': ':' + b64(leafPem) + ':',
              'x-client-cert-chain': chainPems.map((p) => ':' + b64(p) + ':').join(','),
            }
          : {}),
      };
    }
  }
}

/** The header that carries the certificate for each format (the one a test removes, duplicates or garbles). */
export const certificateHeaderOf: Readonly<Record<EdgeFormat, string>> = {
  rfc9440: 'client-cert',
  nginx: 'x-ssl-client-cert',
  'ingress-nginx': 'ssl-client-cert',
  xfcc: 'x-forwarded-client-cert',
  'aws-alb': 'x-amzn-mtls-clientcert-leaf',
  'gcp-alb': 'x-client-cert-chain-verified',
};

/** An answer: status, body text, and the body as JSON when it is JSON. */
export interface Answer {
  status: number;
  body: string;
  json: unknown;
}

/** One request over a new connection from `from` (default the edge's address); array header values repeat the header. */
export function send(
  url: string,
  opts: {
    path?: string;
    method?: string;
    headers?: Record<string, string | string[]>;
    from?: string;
    body?: string;
    ca?: string;
  } = {},
): Promise<Answer> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      {
        host: u.hostname,
        port: Number(u.port),
        path: opts.path ?? '/caller',
        method: opts.method ?? 'GET',
        headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
        localAddress: opts.from ?? edgeAddress,
        agent: false,
        ...(opts.ca !== undefined ? { ca: readFileSync(opts.ca), servername: 'localhost' } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body, json });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The origin's log lines written since `mark` (a length of `server.output()` taken before the request). */
export function logSince(origin: EdgeOrigin, mark: number): string {
  return origin.server.output().slice(mark);
}
