// Behind an edge — a proxy or load balancer that terminates TLS and enforces mTLS — the client certificate reaches
// this server in request headers, and anyone who can reach the server directly can send those same headers. So
// every request passes five checks, in this order, before its forwarded certificate becomes the caller:
//   1 source       the connection comes from an address the edge uses (edgeTrusted), when set;
//   2 secret       X-Mtls-Edge-Secret carries the edge's secret (edgeSecret), when set;
//   3 other-edge   no certificate header of another kind of edge (a client may have slipped it past this edge);
//   4 header       this kind's certificate header is there, once;
//   5 certificate  the forwarded certificate parses and verifies against this server's own CA bundle.
// Each refusal answers 403 and logs one line naming the check; header values are shown escaped and cut short, and
// the secret never. Requests on one keep-alive connection from an edge come from different clients: nothing here
// is remembered per connection.
import * as nodeCrypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import * as net from 'node:net';
import type { PeerCertificate } from 'node:tls';
import type { Settings } from './config.mts';
import { sameSecret } from './auth.mts';
import { describeCertificate, type Described } from './caller.mts';
import { allCertificateHeaders, edgeHeaders, edgeSecretHeader, type EdgeKind } from './edgeHeaders.mts';
import { readForwarded, type Forwarded } from './edgeFormats.mts';
import {
  ForwardedCertificateError,
  trustStoreOf,
  verifyForwardedChain,
  type TrustStore,
} from './forwardedCertificate.mts';
import { HttpError } from './httpError.mts';
import { fail, log } from './log.mts';

/** The per-request checks of one configured edge. */
export interface EdgeGuard {
  kind: EdgeKind;
  /** The header the certificate (or, for gcp-alb, the load balancer's verdict) comes in, as shown at start-up. */
  certificateHeader: string;
  /** Checks 1–5; answers who the caller is, or throws HttpError(403) after logging which check failed. */
  caller(req: IncomingMessage): Described;
  /** Check 1 alone (for /healthz: load balancers' health checks carry no custom headers). */
  fromTrustedSource(req: IncomingMessage): void;
}

/** A header value for a log line: control and non-ASCII characters escaped, at most 80 characters shown. */
export function shownValue(value: string): string {
  const cut = value.length > 80 ? value.slice(0, 80) : value;
  const escaped = cut.replace(/[^\x20-\x7e]/g, (ch) => '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0'));
  return JSON.stringify(escaped) + (value.length > 80 ? '…(' + value.length + ' chars)' : '');
}

/** An address as the BlockList compares it: IPv4-mapped IPv6 (::ffff:10.0.0.1) becomes IPv4. */
export function normalisedAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const a = mapped !== null ? (mapped[1] as string) : address;
  const v = net.isIP(a);
  return v === 4 ? { address: a, family: 'ipv4' } : v === 6 ? { address: a, family: 'ipv6' } : undefined;
}

/** Parses edgeTrusted (addresses and CIDRs); exits with [EDGE_CONFIG] naming the first bad entry. */
export function trustedSources(entries: string[]): net.BlockList {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [addr = '', prefix, extra] = entry.split('/');
    const a = normalisedAddress(addr.trim());
    const bits = prefix === undefined ? undefined : Number(prefix);
    const max = a?.family === 'ipv4' ? 32 : 128;
    if (
      a === undefined ||
      extra !== undefined ||
      (bits !== undefined && (!/^\d{1,3}$/.test(prefix ?? '') || bits > max))
    ) {
      fail(
        'EDGE_CONFIG',
        'edgeTrusted (MTLS_EDGE_TRUSTED) entry ' +
          JSON.stringify(entry) +
          ' is not an IPv4/IPv6 address or CIDR (e.g. 10.0.0.0/8, fd00::/8)',
      );
    }
    if (bits === undefined) list.addAddress(a.address, a.family);
    else list.addSubnet(a.address, bits, a.family);
  }
  return list;
}

function colonHex(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}

function refuse(check: string, detail: string, answer: string): never {
  log('edge check failed [' + check + ']: ' + detail);
  throw new HttpError(403, answer);
}

// The request's headers that may appear more than once (an RFC 9440 list may span several header lines).
const listHeaders = new Set(['client-cert-chain', 'x-client-cert-chain']);

/** Who the caller is when the load balancer forwarded only attributes (gcp-alb without the leaf). */
function attributesCaller(f: Extract<Forwarded, { kind: 'attributes' }>): Described {
  const fingerprint256 = colonHex(f.sha256Hex);
  const q = (v: string): string => JSON.stringify(v);
  const certificate = {
    subject: '',
    cn: '',
    org: '',
    issuer: '',
    serial: f.serial,
    fingerprint256,
    validFrom: f.notBefore,
    validTo: f.notAfter,
  };
  const text =
    'CN=(not forwarded) dns=' +
    q(f.dnsNames.join(',')) +
    ' uri=' +
    q(f.uris.join(',')) +
    ' serial=' +
    f.serial +
    ' valid=' +
    f.notBefore +
    ' .. ' +
    f.notAfter +
    ' sha256=' +
    fingerprint256 +
    ' (attributes from the load balancer)';
  return { certificate, text };
}

/** Sets up the checks for `settings.edge`; exits with [EDGE_CONFIG] when the edge cannot be trusted as configured. */
export function prepareEdge(settings: Settings, caBundle: string): EdgeGuard {
  const kind = settings.edge as EdgeKind;
  if (settings.edgeTrusted.length === 0 && settings.edgeSecret === '') {
    fail(
      'EDGE_CONFIG',
      'behind an edge (' +
        kind +
        ') the server must know which requests come from it: set edgeTrusted (MTLS_EDGE_TRUSTED, the addresses it connects from) or edgeSecret (MTLS_EDGE_SECRET, sent by the edge as X-Mtls-Edge-Secret), or both',
    );
  }
  const sources = settings.edgeTrusted.length > 0 ? trustedSources(settings.edgeTrusted) : undefined;
  let store: TrustStore;
  try {
    store = trustStoreOf(caBundle);
  } catch (e) {
    return fail('BAD_CA', 'the CA bundle ' + settings.caPath + ' does not parse: ' + (e as Error).message);
  }
  if (store.roots.length === 0)
    fail(
      'EDGE_CONFIG',
      'the CA bundle ' +
        settings.caPath +
        ' holds no self-signed CA: forwarded client certificates could never be verified',
    );
  const own = new Set(edgeHeaders[kind].names);
  const foreign = allCertificateHeaders().filter((n) => !own.has(n));
  const certificateHeader = edgeHeaders[kind].certificate;

  const fromTrustedSource = (req: IncomingMessage): void => {
    if (sources === undefined) return;
    const remote = req.socket.remoteAddress ?? '';
    const a = normalisedAddress(remote);
    if (a === undefined || !sources.check(a.address, a.family)) {
      refuse(
        'source',
        'request from ' + (remote || 'an unknown address') + ', which is not in edgeTrusted (MTLS_EDGE_TRUSTED)',
        'forbidden: not from the trusted edge',
      );
    }
  };

  const caller = (req: IncomingMessage): Described => {
    fromTrustedSource(req);
    const distinct = req.headersDistinct;
    if (settings.edgeSecret !== '') {
      const got = distinct[edgeSecretHeader];
      if (got === undefined) refuse('secret', 'no X-Mtls-Edge-Secret header', 'forbidden: not from the trusted edge');
      if (got.length !== 1 || !sameSecret(got[0] ?? '', settings.edgeSecret))
        refuse(
          'secret',
          'wrong X-Mtls-Edge-Secret (' + got.length + ' value(s), not shown)',
          'forbidden: not from the trusted edge',
        );
    }
    const other = foreign.find((n) => distinct[n] !== undefined);
    if (other !== undefined) {
      refuse(
        'other-edge',
        'header ' +
          other +
          ' ' +
          shownValue((distinct[other] ?? []).join(', ')) +
          ' belongs to another kind of edge than ' +
          kind +
          ': a client sent it, or the edge does not strip it',
        'forbidden: client certificate headers not accepted',
      );
    }
    for (const name of own) {
      const values = distinct[name];
      if (values !== undefined && values.length > 1 && !listHeaders.has(name)) {
        refuse(
          'header',
          name + ' appears ' + values.length + ' times: ' + values.map(shownValue).join(', '),
          'forbidden: client certificate headers not accepted',
        );
      }
    }
    const h = (name: string): string | undefined => distinct[name]?.join(', ');
    if (h(certificateHeader) === undefined)
      refuse('header', 'no ' + certificateHeader + ' header (edge ' + kind + ')', 'forbidden: no client certificate');
    return verified(h);
  };

  const verified = (h: (name: string) => string | undefined): Described => {
    try {
      // What the edge itself says about the certificate must agree.
      const verify =
        kind === 'ingress-nginx'
          ? (h('ssl-client-verify') ?? '')
          : kind === 'nginx'
            ? h('x-ssl-client-verify')
            : undefined;
      if (verify !== undefined && verify !== 'SUCCESS')
        throw new ForwardedCertificateError('the edge reports client verification ' + shownValue(verify));
      const f = readForwarded(kind, h);
      if (f.kind === 'attributes') return attributesCaller(f);
      verifyForwardedChain(f.leaf, f.chain, store);
      if (
        f.sha256Hex !== undefined &&
        f.sha256Hex.toLowerCase() !== nodeCrypto.createHash('sha256').update(f.leaf.raw).digest('hex')
      ) {
        throw new ForwardedCertificateError('the forwarded hash does not match the forwarded certificate');
      }
      return describeCertificate(f.leaf.toLegacyObject() as PeerCertificate);
    } catch (e) {
      if (!(e instanceof ForwardedCertificateError)) throw e;
      return refuse(
        'certificate',
        e.message + ' (' + certificateHeader + ' ' + shownValue(h(certificateHeader) ?? '') + ')',
        'forbidden: client certificate not accepted',
      );
    }
  };

  return { kind, certificateHeader, caller, fromTrustedSource };
}

/** Start-up log lines about what the edge checks cannot see. */
export function edgeNotes(settings: Settings): string[] {
  const notes = [
    'behind an edge (' +
      settings.edge +
      '): requests are accepted only ' +
      [
        settings.edgeTrusted.length > 0 ? 'from ' + settings.edgeTrusted.join(', ') : '',
        settings.edgeSecret !== '' ? 'with the X-Mtls-Edge-Secret header' : '',
      ]
        .filter((s) => s !== '')
        .join(' and ') +
      '; whoever can reach this port from there is trusted to have verified the client',
  ];
  // Without X-Client-Cert-Leaf the load balancer forwards no subject: a CN or O pin then matches nothing.
  const namePins = settings.allowedClients.filter((e) => !/^sha256:/i.test(e));
  if (settings.edge === 'gcp-alb' && namePins.length > 0) {
    notes.push(
      'note: the load balancer forwards no subject unless X-Client-Cert-Leaf is set to {client_cert_leaf}; without it the pins ' +
        namePins.join(', ') +
        ' match no request (sha256: pins always work)',
    );
  }
  return notes;
}
