/**
 * A send's result, put together from what the send saw: the timing and TLS details of its connection, the
 * answer and its checks, the failure explained, and the handshake observation with its five-step timeline.
 */
import { performance } from 'node:perf_hooks';
import { checkWebhookResponse } from '../webhook/index';
import type { Connections, ConnectionFacts } from './connections';
import type { Deadline } from './deadline';
import { explainTlsError } from './explainTlsError';
import { buildHandshakeTimeline } from './handshakeTimeline';
import type { Attempt } from './handshakeObserver';
import type { HandshakeObservation } from './handshakeTypes';
import { responseTooLargeExplanation, type BodyProgress, type BoundedBody } from './responseBody';
import type { SendResult, SendTiming, TlsDetails } from './types';
import type { WebhookRequest } from './webhookRequest';

const UNENFORCED =
  'NO CLIENT CERTIFICATE WAS SENT, and the server answered anyway: it asks for a client certificate but does not require one, so it does not enforce mTLS.';

/** What every result of one client says of the client's own side. */
export interface ClientSide {
  insecure: boolean | undefined;
  /** The chain the client presents, as the handshake observation shows it. */
  chain: HandshakeObservation['client'];
  /** The configured certificate's subject and SHA-256; undefined when none is configured. */
  identity: { subject?: string; sha256?: string } | undefined;
}

/** One send as it goes: fixed when it begins, then what came of its connection and of the answer. */
export interface SendState {
  readonly request: WebhookRequest;
  readonly client: ClientSide;
  readonly connections: Connections;
  /** The client's connection count when the send began: a higher count means the send opened its own. */
  readonly before: number;
  readonly deadline: Deadline;
  /** What the send's connection showed of its handshake. */
  readonly attempt: Attempt;
  /** Rejects when the send's connection closes before an answer came. */
  readonly dropped: Promise<never>;
  /** performance.now() when the send began; the wall clock when its connection attempt began. */
  readonly start: number;
  readonly startedAt: string;
  /** The platform's webhook timeout the answer is checked against. */
  readonly platformTimeoutMs: number | undefined;
  readonly warnings: string[];
  /** The answer's head once it came: a failure while reading the body still reports the status and headers. */
  head?: { status: number; headers: Record<string, string | string[]> };
  /** Body bytes read so far. */
  readonly progress: BodyProgress;
}

type Unobserved = Omit<SendResult, 'handshake' | 'observation'>;

export function failure(
  err: unknown,
  partial: Omit<Unobserved, 'ok' | 'checks' | 'error'>,
  override?: { code: string; message: string },
): Unobserved {
  const explanation = explainTlsError(override ? { code: override.code, message: override.message, cause: err } : err);
  const message = override?.message ?? (err instanceof Error ? err.message : String(err));
  return { ...partial, ok: false, checks: [], error: { code: explanation.code, message, explanation } };
}

/** The timing of a send that ended without a connection of its own. */
export function elapsed(start: number): SendTiming {
  return { totalMs: round(performance.now() - start), reusedConnection: false };
}

function tlsDetails(c: ConnectionFacts | undefined, client: ClientSide): TlsDetails | undefined {
  if (!c) return undefined;
  const id = client.identity;
  // A configured certificate goes out only when the server asks for one.
  return {
    ...c.tls,
    clientCertificate: {
      presented: id !== undefined && c.certificateRequested,
      requested: c.certificateRequested,
      ...id,
    },
  };
}

/** The times of the send's own connection (none when it reused one or opened none). */
function connectionTiming(c: ConnectionFacts | undefined): Pick<SendTiming, 'dnsMs' | 'connectMs' | 'tlsMs'> {
  if (!c) return {};
  return {
    ...(c.dnsMs !== undefined ? { dnsMs: round(c.dnsMs) } : {}),
    connectMs: round(c.connectMs),
    tlsMs: round(c.tlsMs),
  };
}

/** The result of an answer that came, whole or cut at the body limit. */
export function answered(
  s: SendState,
  head: NonNullable<SendState['head']>,
  read: BoundedBody,
  headersAt: number,
  end: number,
): SendResult {
  const { connections, start, client, warnings } = s;
  const raw = read.raw;
  const fresh = connections.opened > s.before && connections.last !== undefined;
  const conn = fresh ? connections.last : undefined;
  const t: SendTiming = {
    ...connectionTiming(conn),
    ttfbMs: round(headersAt - (conn ? Math.max(conn.secureAt, start) : start)),
    totalMs: round(end - start),
    reusedConnection: !fresh,
  };
  const tls = tlsDetails(connections.last, client);
  const request = s.request.summary;
  if (read.cut) {
    return observe(s, {
      ok: false,
      request,
      status: head.status,
      headers: head.headers,
      body: raw.toString('utf8'),
      bytes: s.progress.bytes,
      timing: t,
      ...(tls ? { tls } : {}),
      checks: [],
      warnings,
      error: { code: read.cut.code, message: read.cut.message, explanation: responseTooLargeExplanation },
    });
  }
  const text = raw.toString('utf8');
  let json: unknown;
  try {
    json = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const platform = s.request.platform;
  const checks =
    platform && head.status >= 200 && head.status < 300
      ? checkWebhookResponse(platform, json, {
          durationMs: t.totalMs,
          bytes: raw.length,
          timeoutMs: s.platformTimeoutMs,
        })
      : [];
  if (platform && (head.status < 200 || head.status >= 300)) {
    checks.push({
      severity: 'error',
      message: `HTTP ${head.status}: ${platform === 'kore' ? 'Kore.ai' : 'Dialogflow'} treats any non-2xx answer as a failed webhook call.`,
    });
  }
  // Nothing was sent, yet the server answered: asking for a certificate without requiring one is not mTLS.
  if (tls?.clientCertificate.requested && client.chain.source === 'none') warnings.push(UNENFORCED);
  return observe(s, {
    ok: head.status >= 200 && head.status < 300,
    request,
    status: head.status,
    headers: head.headers,
    body: json !== undefined ? JSON.stringify(json, null, 2) : text,
    ...(json !== undefined ? { json } : {}),
    bytes: raw.length,
    timing: t,
    ...(tls ? { tls } : {}),
    checks,
    warnings,
  });
}

/** The result of a send that failed: timed out, cancelled, refused, or answered with something that is not HTTP. */
export function failed(s: SendState, e: unknown): SendResult {
  const { connections, head, progress, client, warnings } = s;
  const { method, url } = s.request;
  // A handshake that completed for this send is still worth showing (e.g. the server never answered).
  const conn = connections.opened > s.before ? connections.last : undefined;
  const tls = tlsDetails(conn, client);
  const partial = {
    request: s.request.summary,
    timing: { ...elapsed(s.start), ...connectionTiming(conn) },
    warnings,
    ...(tls ? { tls } : {}),
    ...(head ? { status: head.status, headers: head.headers, bytes: progress.bytes } : {}),
  };
  const got = head
    ? ` (HTTP ${head.status} and its headers came, then the body did not finish: ${progress.bytes} bytes received)`
    : conn
      ? ' (the TLS handshake completed; no HTTP response came)'
      : '';
  if (s.deadline.timedOut)
    return observe(
      s,
      failure(e, partial, {
        code: 'ETIMEDOUT',
        message: `Request timed out after ${s.deadline.timeoutMs} ms: ${method} ${url}${got}`,
      }),
    );
  if (s.deadline.cancelled)
    return observe(s, failure(e, partial, { code: 'ABORTED', message: `Request cancelled: ${method} ${url}` }));
  // Prefer the socket's TLS error (e.g. alert 116) over undici's generic "other side closed".
  const se = connections.socketError;
  if (se && e instanceof Error && e !== se && (e as { cause?: unknown }).cause === undefined) {
    return observe(
      s,
      failure(Object.assign(new Error(se.message), { code: (se as NodeJS.ErrnoException).code, cause: e }), partial),
    );
  }
  const result = failure(e, partial);
  // An answer that is not HTTP still came over an accepted handshake.
  if (result.error?.code === 'NOT_HTTP' && tls?.clientCertificate.requested && client.chain.source === 'none')
    warnings.push(UNENFORCED);
  return observe(s, result);
}

/** The result with what the client saw of the handshake, and the five steps built from it. */
function observe(s: SendState, r: Unobserved): SendResult {
  const a = s.attempt;
  const u = s.request.target;
  const fresh = s.connections.opened > s.before;
  const rel = (t: number | undefined): number | undefined => (t === undefined ? undefined : round(t - s.start));
  const observation: HandshakeObservation = {
    startedAt: s.startedAt,
    host: u.hostname,
    port: Number(u.port || 443),
    reusedConnection: !fresh && r.error === undefined,
    ...(a.localPort !== undefined ? { localPort: a.localPort } : {}),
    marks: {
      connectedMs: rel(a.connectedAt),
      serverFlightMs: rel(a.serverFlightAt),
      handshakeDoneMs: rel(a.handshakeDoneAt),
      ...(a.responseAt !== undefined ? { responseMs: rel(a.responseAt) } : {}),
      endMs: r.timing.totalMs,
    },
    ...(a.protocol ? { protocol: a.protocol } : {}),
    ...(a.cipher ? { cipher: a.cipher } : {}),
    ...(a.signatureAlgorithms
      ? { signatureAlgorithms: a.signatureAlgorithms, certificateRequested: a.signatureAlgorithms.length > 0 }
      : {}),
    ...(a.ephemeralKey ? { ephemeralKey: a.ephemeralKey } : {}),
    serverChain: a.serverChain,
    verification: s.client.insecure ? 'DISABLED' : 'verified',
    ...(r.tls ? { authorizationError: r.tls.authorizationError } : {}),
    client: s.client.chain,
    ...(r.status !== undefined ? { status: r.status } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
  return { ...r, observation, handshake: buildHandshakeTimeline(observation) };
}

/** A result that failed before any connection (the credentials did not load): step 4, nothing sent. */
export function withHandshake(r: Unobserved, client: HandshakeObservation['client'], u: URL): SendResult {
  const observation: HandshakeObservation = {
    startedAt: new Date().toISOString(),
    host: u.hostname,
    port: Number(u.port || 443),
    reusedConnection: false,
    marks: { endMs: r.timing.totalMs },
    serverChain: [],
    verification: 'verified',
    client,
    ...(r.error ? { error: r.error } : {}),
  };
  return { ...r, observation, handshake: buildHandshakeTimeline(observation) };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
