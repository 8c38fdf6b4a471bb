// How each kind of edge writes the client certificate into headers, read back into certificates (or, for a Google
// Cloud load balancer that forwards only attributes, into those attributes). Reading is all this module does:
// edge.mts decides what is trusted.
import type * as nodeCrypto from 'node:crypto';
import {
  certificateFromByteSequence,
  certificatesFromByteSequences,
  certificatesFromPem,
  ForwardedCertificateError,
} from './forwardedCertificate.mts';
import type { EdgeKind } from './edgeHeaders.mts';

/** What the edge forwarded: a certificate with its chain, or only the load balancer's attributes. */
export type Forwarded =
  | { kind: 'certificate'; leaf: nodeCrypto.X509Certificate; chain: nodeCrypto.X509Certificate[]; sha256Hex?: string }
  | {
      kind: 'attributes';
      sha256Hex: string;
      serial: string;
      dnsNames: string[];
      uris: string[];
      notBefore: string;
      notAfter: string;
    };

/** A header's single value ('' when absent); the caller has refused duplicates already. */
export type HeaderOf = (name: string) => string | undefined;

function urlDecoded(value: string, header: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new ForwardedCertificateError(header + ' is not URL-encoded PEM');
  }
}

function fromEscapedPem(value: string, header: string): Forwarded {
  const [leaf, ...chain] = certificatesFromPem(urlDecoded(value, header));
  return { kind: 'certificate', leaf: leaf as nodeCrypto.X509Certificate, chain };
}

/** Envoy's x-forwarded-client-cert: elements split by ',', pairs by ';', values optionally "quoted" with \" escapes. */
export function parseXfcc(value: string): Map<string, string>[] {
  const elements: Map<string, string>[] = [];
  let pairs = new Map<string, string>();
  let token = '';
  let quoted = false;
  const endPair = (): void => {
    const eq = token.indexOf('=');
    if (token.trim() !== '') {
      if (eq < 1) throw new ForwardedCertificateError('x-forwarded-client-cert has a part without key=value');
      let v = token.slice(eq + 1).trim();
      if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
      pairs.set(token.slice(0, eq).trim().toLowerCase(), v);
    }
    token = '';
  };
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (quoted && ch === '\\' && i + 1 < value.length) {
      token += ch + (value[++i] as string);
    } else if (ch === '"') {
      quoted = !quoted;
      token += ch;
    } else if (!quoted && ch === ';') {
      endPair();
    } else if (!quoted && ch === ',') {
      endPair();
      elements.push(pairs);
      pairs = new Map();
    } else {
      token += ch;
    }
  }
  if (quoted) throw new ForwardedCertificateError('x-forwarded-client-cert has an unterminated quoted value');
  endPair();
  elements.push(pairs);
  return elements;
}

function fromXfcc(value: string): Forwarded {
  const elements = parseXfcc(value);
  // SANITIZE_SET leaves exactly one element; more means the edge appended to what a client (or another hop) sent.
  if (elements.length !== 1) {
    throw new ForwardedCertificateError(
      'x-forwarded-client-cert has ' +
        elements.length +
        ' elements: the edge must replace it (forward_client_cert_details: SANITIZE_SET), not append',
    );
  }
  const e = elements[0] as Map<string, string>;
  const cert = e.get('cert');
  if (cert === undefined || cert === '')
    throw new ForwardedCertificateError(
      'x-forwarded-client-cert has no Cert="…" (set_current_client_cert_details: cert: true)',
    );
  const [leaf, ...extra] = certificatesFromPem(urlDecoded(cert, 'the Cert of x-forwarded-client-cert'));
  const chainText = e.get('chain');
  const chain =
    chainText !== undefined && chainText !== ''
      ? certificatesFromPem(urlDecoded(chainText, 'the Chain of x-forwarded-client-cert'))
      : [];
  const hash = e.get('hash');
  // Envoy's Chain starts with the leaf itself; the leaf is no issuer of itself, so the path search skips it.
  return {
    kind: 'certificate',
    leaf: leaf as nodeCrypto.X509Certificate,
    chain: [...extra, ...chain],
    ...(hash !== undefined ? { sha256Hex: hash } : {}),
  };
}

function base64List(value: string | undefined, header: string): string[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((item) => {
    const s = item.trim();
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s))
      throw new ForwardedCertificateError(header + ' is not a list of Base64 values');
    return Buffer.from(s, 'base64').toString('utf8');
  });
}

function timestamp(value: string | undefined, header: string): string {
  if (value === undefined || value === '') return '';
  if (Number.isNaN(Date.parse(value))) throw new ForwardedCertificateError(header + ' is not a timestamp');
  return value;
}

// Google Cloud: https://cloud.google.com/load-balancing/docs/https/custom-headers ("Mutual TLS custom headers").
function fromGcp(h: HeaderOf): Forwarded {
  const present = h('x-client-cert-present');
  if (present !== 'true')
    throw new ForwardedCertificateError(
      'the load balancer says no client certificate was presented (X-Client-Cert-Present: ' +
        JSON.stringify(present ?? '') +
        ')',
    );
  const verified = h('x-client-cert-chain-verified');
  if (verified !== 'true')
    throw new ForwardedCertificateError(
      'the load balancer did not verify the client chain (X-Client-Cert-Chain-Verified: ' +
        JSON.stringify(verified ?? '') +
        ')',
    );
  const error = h('x-client-cert-error') ?? '';
  if (error.trim() !== '')
    throw new ForwardedCertificateError(
      'the load balancer reports ' + JSON.stringify(error.slice(0, 200)) + ' (X-Client-Cert-Error)',
    );
  const hash = h('x-client-cert-hash') ?? '';
  const digest = /^[A-Za-z0-9+/]{43}=$/.test(hash) ? Buffer.from(hash, 'base64') : undefined;
  if (digest === undefined || digest.length !== 32)
    throw new ForwardedCertificateError('X-Client-Cert-Hash is not a Base64 SHA-256 fingerprint');
  const sha256Hex = digest.toString('hex');
  const notBefore = timestamp(h('x-client-cert-valid-not-before'), 'X-Client-Cert-Valid-Not-Before');
  const notAfter = timestamp(h('x-client-cert-valid-not-after'), 'X-Client-Cert-Valid-Not-After');
  // The load balancer checked validity at the handshake; a request that arrives later must not outlive it.
  if (notBefore !== '' && Date.parse(notBefore) > Date.now())
    throw new ForwardedCertificateError(
      'the client certificate is not valid before ' + notBefore + ' (X-Client-Cert-Valid-Not-Before)',
    );
  if (notAfter !== '' && Date.parse(notAfter) < Date.now())
    throw new ForwardedCertificateError(
      'the client certificate expired on ' + notAfter + ' (X-Client-Cert-Valid-Not-After)',
    );
  const leafItem = h('x-client-cert-leaf') ?? '';
  if (leafItem.trim() !== '') {
    // The leaf itself: verified like any forwarded certificate, and it must be the one the hash names.
    const leaf = certificateFromByteSequence(leafItem);
    return {
      kind: 'certificate',
      leaf,
      chain: certificatesFromByteSequences(h('x-client-cert-chain') ?? ''),
      sha256Hex,
    };
  }
  return {
    kind: 'attributes',
    sha256Hex,
    serial: (h('x-client-cert-serial-number') ?? '').replace(/:/g, '').toUpperCase(),
    dnsNames: base64List(h('x-client-cert-dnsname-sans'), 'X-Client-Cert-Dnsname-Sans'),
    uris: base64List(h('x-client-cert-uri-sans'), 'X-Client-Cert-Uri-Sans'),
    notBefore,
    notAfter,
  };
}

/** Reads what an edge of `kind` forwarded; throws ForwardedCertificateError when it does not parse. */
export function readForwarded(kind: EdgeKind, h: HeaderOf): Forwarded {
  switch (kind) {
    case 'rfc9440':
      return {
        kind: 'certificate',
        leaf: certificateFromByteSequence(h('client-cert') ?? ''),
        chain: certificatesFromByteSequences(h('client-cert-chain') ?? ''),
      };
    case 'nginx':
      return fromEscapedPem(h('x-ssl-client-cert') ?? '', 'X-SSL-Client-Cert');
    case 'ingress-nginx':
      return fromEscapedPem(h('ssl-client-cert') ?? '', 'ssl-client-cert');
    case 'xfcc':
      return fromXfcc(h('x-forwarded-client-cert') ?? '');
    case 'aws-alb':
      // URL-encoded PEM "with +=/ as safe characters": decodeURIComponent keeps those as they are.
      return fromEscapedPem(h('x-amzn-mtls-clientcert-leaf') ?? '', 'X-Amzn-Mtls-Clientcert-Leaf');
    case 'gcp-alb':
      return fromGcp(h);
  }
}
