/**
 * Rows measured against the running server: mTLS enforced at the handshake (the probe), TLS 1.2 or
 * newer, and the platform's sample answered correctly within the platform's timeout and size limits.
 * Each row keeps the five-step handshake of the connection that decided it.
 */
import {
  acceptedAtHandshake,
  mergeServerLog,
  probeEndpoint,
  refusedAtHandshake,
  sendWebhook,
  type ClientCredentials,
  type ObservedHandshake,
  type ProbeResult,
  type ProbeRow,
  type SendResult,
} from '../http/index';
import { DEFAULT_TIMEOUT_MS, platformLabel, sampleRequest, type Platform } from '../webhook/index';
import { measured, row, type CheckRow } from './types';

const G = 'behaviour' as const;

export interface BehaviourInput {
  readonly url: string;
  readonly platform: Platform;
  /** A client certificate the server should accept; absent → only the refusal rows can be measured. */
  readonly client?: ClientCredentials & { readonly label: string };
  /** How to verify the local server (its CA), or `insecure` when its names do not cover the local address. */
  readonly serverTrust: Pick<ClientCredentials, 'caPem' | 'insecure'>;
  /** Headers the platform would send (the configured Authorization). */
  readonly headers?: Record<string, string>;
  readonly platformTimeoutMs?: number;
  /** The server verifies Google ID tokens: a 401 to our token-less sample is the expected answer. */
  readonly idTokenMode?: boolean;
  /** The server's log, when it is ours: its refusal lines join the failed handshakes (both sides of a failure). */
  readonly serverLog?: () => Promise<string> | string;
  readonly signal?: AbortSignal;
}

/** Rebuilds the failed handshakes with the server's side; a log that cannot be read only loses that side. */
async function addServerSide(read: BehaviourInput['serverLog'], results: ObservedHandshake[]): Promise<void> {
  if (read === undefined || !results.some((r) => r.handshake.outcome === 'failed')) return;
  await mergeServerLog(read, results).catch(() => undefined);
}

export async function behaviourRows(o: BehaviourInput): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  const platformTimeoutMs = o.platformTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (o.client === undefined) {
    const bare = await sendWebhook({
      url: o.url,
      platform: o.platform,
      body: sampleRequest(o.platform),
      ...o.serverTrust,
      timeoutMs: 10_000,
      signal: o.signal,
    });
    await addServerSide(o.serverLog, [bare]);
    rows.push(
      measured(
        refusedAtHandshake(bare)
          ? row(
              'mtls-enforced',
              G,
              'pass',
              `A client without a certificate is refused at the handshake (${bare.error.explanation.title}).`,
            )
          : row(
              'mtls-enforced',
              G,
              'fail',
              bare.status !== undefined
                ? `A client WITHOUT a certificate got HTTP ${bare.status}: the server does not enforce mTLS.`
                : `Could not reach the server: ${bare.error?.explanation.title ?? 'no answer'}.`,
              'Use requestCert: true and rejectUnauthorized: true (the scaffolded server.mts does).',
            ),
        bare.handshake,
        'a request without a client certificate',
      ),
    );
    rows.push(
      row(
        'sample-response',
        G,
        'warn',
        `No client certificate in this folder is issued by the server's client CA bundle, so the ${platformLabel[o.platform]} sample could not be sent as the platform would send it.`,
        'Test locally with a bundle that also trusts your dev CA, or with mtls send --as-dialogflow against a server pointed at its test root.',
      ),
    );
    return rows;
  }
  const creds: ClientCredentials = { ...o.client, ...o.serverTrust };
  const probe = await probeEndpoint(o.url, creds, {
    platform: o.platform,
    signal: o.signal,
    timeoutMs: 10_000,
    ...(o.headers ? { headers: o.headers } : {}),
  });
  const sent = await sendWebhook({
    url: o.url,
    platform: o.platform,
    body: sampleRequest(o.platform),
    ...creds,
    headers: o.headers,
    timeoutMs: platformTimeoutMs + 10_000,
    platformTimeoutMs,
    signal: o.signal,
  });
  // One merge for every connection: the server logged each refusal as it happened, so this rarely waits.
  await addServerSide(o.serverLog, [...probe.rows, sent]);
  const refusedAll = probe.rows.filter((r) => r.expected === 'refused');
  const decisive = decidingProbeRow(probe);
  const enforced = (r: CheckRow): CheckRow =>
    decisive
      ? measured(
          r,
          decisive.handshake,
          decisive.id === 'valid'
            ? `the probe's request with ${o.client?.label ?? decisive.label}`
            : `the probe's request with a bad certificate: ${decisive.label}`,
        )
      : r;
  switch (probe.verdict) {
    case 'enforced':
      rows.push(
        enforced(
          row(
            'mtls-enforced',
            G,
            'pass',
            `requestCert + rejectUnauthorized enforced: ${refusedAll.length} bad client certificates refused at the handshake, ${o.client.label} accepted.`,
          ),
        ),
      );
      break;
    case 'inconclusive':
      rows.push(
        enforced(
          row(
            'mtls-enforced',
            G,
            probe.rows.find((r) => r.id === 'valid')?.pass === false && refusedAll.every((r) => r.pass)
              ? 'warn'
              : 'fail',
            probe.summary,
          ),
        ),
      );
      break;
    default:
      rows.push(
        enforced(
          row(
            'mtls-enforced',
            G,
            'fail',
            probe.summary,
            'Use requestCert: true and rejectUnauthorized: true (the scaffolded server.mts does).',
          ),
        ),
      );
  }
  const sample = `the ${platformLabel[o.platform]} sample with ${o.client.label}`;
  rows.push(measured(tlsVersionRow(sent), sent.handshake, sample));
  rows.push(measured(sampleRow(sent, o.platform, platformTimeoutMs, o.idTokenMode === true), sent.handshake, sample));
  return rows;
}

/**
 * The probe row whose handshake explains the verdict: a bad certificate that got in, your certificate
 * refused, or the first row that did not go as expected; with mTLS enforced, your accepted certificate.
 */
function decidingProbeRow(p: ProbeResult): ProbeRow | undefined {
  const valid = p.rows.find((r) => r.id === 'valid');
  switch (p.verdict) {
    case 'enforced':
      return valid;
    case 'not-enforced':
      return p.rows.find((r) => r.expected !== 'accepted' && acceptedAtHandshake(r.observed));
    case 'app-only':
      return p.rows.find((r) => r.expected === 'refused' && r.observed === 'refused-by-app');
    default:
      return valid && !valid.pass ? valid : (p.rows.find((r) => !r.pass) ?? valid);
  }
}

/**
 * Behind an edge the server takes no TLS client: the platform's sample goes through the public URL with a
 * client certificate the edge accepts, as the platform will send it.
 */
export async function edgeSampleRows(
  o: BehaviourInput & { readonly client: NonNullable<BehaviourInput['client']> },
): Promise<CheckRow[]> {
  const platformTimeoutMs = o.platformTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sent = await sendWebhook({
    url: o.url,
    platform: o.platform,
    body: sampleRequest(o.platform),
    ...o.client,
    ...o.serverTrust,
    headers: o.headers,
    timeoutMs: platformTimeoutMs + 10_000,
    platformTimeoutMs,
    signal: o.signal,
  });
  const sample = `the ${platformLabel[o.platform]} sample with ${o.client.label}, through the edge`;
  return [
    measured(tlsVersionRow(sent), sent.handshake, sample),
    measured(sampleRow(sent, o.platform, platformTimeoutMs, o.idTokenMode === true), sent.handshake, sample),
  ];
}

function tlsVersionRow(r: SendResult): CheckRow {
  const p = r.tls?.protocol;
  if (!p)
    return row(
      'tls-version',
      G,
      'warn',
      `No TLS handshake completed (${r.error?.explanation.title ?? 'no answer'}), so the version is unknown.`,
    );
  return p === 'TLSv1.2' || p === 'TLSv1.3'
    ? row('tls-version', G, 'pass', `Negotiated ${p} (${r.tls?.cipher ?? 'cipher unknown'}).`)
    : row(
        'tls-version',
        G,
        'fail',
        `Negotiated ${p}: platforms require TLS 1.2 or newer.`,
        "Set minVersion: 'TLSv1.2' on the server.",
      );
}

function sampleRow(r: SendResult, platform: Platform, timeoutMs: number, idTokenMode: boolean): CheckRow {
  const label = platformLabel[platform];
  if (r.status === undefined)
    return row(
      'sample-response',
      G,
      'fail',
      `The ${label} sample got no answer: ${r.error?.explanation.title ?? 'no response'}${r.error ? ` — ${r.error.explanation.cause}` : ''}.`,
      r.error?.explanation.fix,
    );
  // An answer that began but failed (a body cut at the client's limit, or one that never finished) is no answer.
  if (r.error)
    return row(
      'sample-response',
      G,
      'fail',
      `The ${label} sample got HTTP ${r.status}, then failed: ${r.error.message}`,
      r.error.explanation.fix,
    );
  const ms = Math.round(r.timing.totalMs);
  const errors = r.checks.filter((c) => c.severity === 'error');
  if (r.status === 401 && idTokenMode)
    return row(
      'sample-response',
      G,
      'warn',
      `The ${label} sample was refused with HTTP 401 because it carries no Google ID token — as it should be. The platform's real token is verified on the live server.`,
      'Test the whole path offline: mtls send --as-dialogflow --jwks-out jwks.json, with MTLS_GOOGLE_JWKS_URL pointing at that file.',
    );
  if (r.status !== 200)
    return row(
      'sample-response',
      G,
      'fail',
      `The ${label} sample got HTTP ${r.status} after ${ms} ms${r.status === 503 ? " (the server's own deadline answered: the handler is too slow)" : ''}.`,
      'Fix the handler (see the server log); the platform treats any non-200 answer as a failure.',
    );
  if (r.timing.totalMs > timeoutMs)
    return row(
      'sample-response',
      G,
      'fail',
      `The ${label} sample was answered in ${ms} ms, after the platform's ${timeoutMs} ms webhook timeout: the platform reports DEADLINE_EXCEEDED and drops the answer.`,
      'Make the handler answer faster (do slow work asynchronously), or raise the CX webhook timeout (at most 30 s).',
    );
  if (errors.length > 0)
    return row(
      'sample-response',
      G,
      'fail',
      `The ${label} sample was answered in ${ms} ms, but the response is not one ${label} accepts: ${errors.map((c) => c.message).join(' ')}`,
      'Return a WebhookResponse the platform understands.',
    );
  const warnings = r.checks.filter((c) => c.severity === 'warning');
  if (warnings.length > 0)
    return row(
      'sample-response',
      G,
      'warn',
      `HTTP 200 in ${ms} ms (${r.bytes ?? 0} bytes), with warnings: ${warnings.map((c) => c.message).join(' ')}`,
    );
  return row(
    'sample-response',
    G,
    'pass',
    `HTTP 200 in ${ms} ms (${r.bytes ?? 0} bytes, under 64 KiB), a valid ${label} response within the ${timeoutMs} ms timeout.`,
  );
}
