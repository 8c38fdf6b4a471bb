/**
 * Rows about the public URL: it is https, its name resolves, the certificate presented there is THIS
 * server's (otherwise a TLS-terminating proxy or HTTPS tunnel sits in front and the server never sees the
 * platform's client certificate), and it refuses a client without a certificate.
 */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import { refusedAtHandshake, sendWebhook } from '../http/index';
import { sampleRequest, type Platform } from '../webhook/index';
import { shortName } from './certificates';
import { edgeKindsFor } from './edgeRows';
import { measured, row, type CheckRow } from './types';

const G = 'reachability' as const;
const TIMEOUT_MS = 10_000;

const PASS_THROUGH_ADVICE =
  "Use TLS pass-through so the handshake reaches your server end to end: a TLS or TCP tunnel endpoint instead of an HTTPS one (for example ngrok's tls endpoints, or plain TCP forwarding), or a load balancer in TCP mode. " +
  'Edge-enforced mTLS at a proxy protects the edge, not your server.';

export interface ReachabilityInput {
  readonly url: string;
  readonly platform: Platform;
  /** The certificate the local server presents (its leaf). */
  readonly localLeaf?: X509Certificate;
  /** The edge kind in front (`--edge`): TLS is meant to end there, and the edge rows judge the client certificates. */
  readonly edge?: string;
  /** The server's own edge setting (MTLS_EDGE; '' = direct mTLS), for the advice when no --edge was given. */
  readonly edgeMode?: string;
  readonly signal?: AbortSignal;
}

/** Without --edge, a server in edge mode is told how to check the front end as its edge. */
function edgeHint(edgeMode: string | undefined): string {
  if (!edgeMode) return '';
  const kinds = edgeKindsFor(edgeMode);
  return ` server.mts runs in edge mode (MTLS_EDGE=${edgeMode}): if this front end is its edge, check it as one with --edge ${kinds.length > 0 ? kinds.join('|') : 'KIND'} (mtls check --edge … --url … --origin …).`;
}

export async function reachabilityRows(o: ReachabilityInput): Promise<CheckRow[]> {
  let u: URL;
  try {
    u = new URL(o.url);
  } catch {
    return [
      row(
        'url-https',
        G,
        'fail',
        `"${o.url}" is not a URL.`,
        'Give the public webhook URL: --url https://YOUR.HOST/webhook.',
      ),
    ];
  }
  if (u.protocol !== 'https:') {
    return [
      row(
        'url-https',
        G,
        'fail',
        `${o.url} is not HTTPS: the platform calls only https:// webhooks, and a client certificate needs TLS.`,
        'Serve the webhook over https:// (TLS pass-through to this server).',
      ),
    ];
  }
  const rows: CheckRow[] = [row('url-https', G, 'pass', `${u.origin} is HTTPS.`)];
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    rows.push(
      row(
        'url-dns',
        G,
        'warn',
        `${host} is an IP address: the platform needs a host name whose certificate it can verify.`,
        'Use a DNS name for the webhook.',
      ),
    );
  } else {
    try {
      const addrs = await dns.lookup(host, { all: true });
      rows.push(row('url-dns', G, 'pass', `${host} resolves to ${addrs.map((a) => a.address).join(', ')}.`));
    } catch (e) {
      rows.push(
        row(
          'url-dns',
          G,
          'fail',
          `${host} does not resolve (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): the platform cannot reach it.`,
          'Create the DNS record, or check the URL for typos.',
        ),
      );
      return rows;
    }
  }

  // One connection answers both questions: the certificate presented there (step 2 of its handshake) and
  // whether a client without a certificate is refused. Both rows keep that connection's handshake.
  const bare = await sendWebhook({
    url: o.url,
    platform: o.platform,
    body: sampleRequest(o.platform),
    insecure: true,
    timeoutMs: TIMEOUT_MS,
    signal: o.signal,
  });
  const noCert = (r: CheckRow): CheckRow => measured(r, bare.handshake, 'a request without a client certificate');
  const presented = bare.observation.serverChain[0];
  if (presented === undefined) {
    const e = bare.error;
    rows.push(
      noCert(
        row(
          'url-same-certificate',
          G,
          'fail',
          `No TLS handshake at ${u.host}: ${e ? `${e.code} ${e.message.split('\n')[0] ?? ''}` : 'the server presented no certificate'}`
            .replace(/\s+/g, ' ')
            .trim(),
          'Start the server (or the tunnel) and check the port and firewall.',
        ),
      ),
    );
    return rows;
  }
  const name = /(?:^|, )CN=([^,]*)/.exec(presented.subject)?.[1] ?? presented.subject;
  // A server in edge mode takes no TLS clients itself: whatever answers TLS at the URL is a front end.
  const terminated =
    o.localLeaf !== undefined && (presented.sha256 !== o.localLeaf.fingerprint256 || Boolean(o.edgeMode));
  if (o.edge) {
    rows.push(
      noCert(
        row(
          'url-same-certificate',
          G,
          'pass',
          `${u.host} presents "${name}" (SHA-256 ${presented.sha256.slice(0, 23)}…): TLS ends at the ${o.edge} edge, as expected; the edge rows check that it enforces client certificates.`,
        ),
      ),
    );
  } else if (o.localLeaf === undefined) {
    rows.push(
      noCert(
        row(
          'url-same-certificate',
          G,
          'warn',
          `${u.host} presents "${name}"; the local server certificate could not be read to compare.`,
        ),
      ),
    );
  } else if (terminated) {
    rows.push(
      noCert(
        row(
          'url-same-certificate',
          G,
          'fail',
          `${u.host} presents "${name}" (SHA-256 ${presented.sha256.slice(0, 23)}…), ${presented.sha256 === o.localLeaf.fingerprint256 ? 'but server.mts runs in edge mode and takes no TLS clients itself' : `not this server's certificate "${shortName(o.localLeaf)}" (${o.localLeaf.fingerprint256.slice(0, 23)}…)`}: a TLS-terminating proxy or HTTPS tunnel sits in front of the server. It ends the platform's TLS connection, so your server never sees the platform's client certificate and mTLS silently stops.`,
          PASS_THROUGH_ADVICE + edgeHint(o.edgeMode),
        ),
      ),
    );
  } else {
    rows.push(
      noCert(
        row(
          'url-same-certificate',
          G,
          'pass',
          `${u.host} presents this server's own certificate (SHA-256 ${presented.sha256.slice(0, 23)}…): TLS reaches the server end to end.`,
        ),
      ),
    );
  }

  // Behind an edge, the edge rows judge what a client without a certificate gets (an edge may refuse it with HTTP 400).
  if (o.edge) return rows;
  if (refusedAtHandshake(bare)) {
    rows.push(
      noCert(
        row(
          'url-client-certificate',
          G,
          'pass',
          `${u.host} asks for a client certificate and refuses a client without one (${bare.error.explanation.title}).`,
        ),
      ),
    );
  } else if (bare.status !== undefined) {
    rows.push(
      noCert(
        row(
          'url-client-certificate',
          G,
          'fail',
          `${u.host} answered HTTP ${bare.status} to a client WITHOUT a certificate: ${terminated ? 'the proxy in front does not pass the client certificate through' : 'the endpoint does not require one'}.`,
          terminated
            ? PASS_THROUGH_ADVICE + edgeHint(o.edgeMode)
            : 'Require and verify client certificates (requestCert + rejectUnauthorized).',
        ),
      ),
    );
  } else {
    rows.push(
      noCert(
        row(
          'url-client-certificate',
          G,
          'warn',
          `Could not tell whether ${u.host} requires a client certificate: ${bare.error?.explanation.title ?? 'no answer'}.`,
        ),
      ),
    );
  }
  return rows;
}
