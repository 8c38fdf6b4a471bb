/**
 * The mTLS webhook client: undici over a connector that wraps tls.connect, so each connection's DNS,
 * TCP and handshake times and its negotiated TLS details are measured where they happen.
 */
import { performance } from 'node:perf_hooks';
import { createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import type * as Undici from 'undici';

// undici costs ~100 ms to load (it compiles its HTTP parser at require time): load it on first use, so
// `mtls decode`, `mtls chain` and the extension's activation do not pay for it.
let undici: typeof Undici | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- synchronous on first use, unlike import()
const loadUndici = (): typeof Undici => (undici ??= require('undici') as typeof Undici);
import { InputError } from '../errors';
import { checkWebhookResponse, detectPlatform, type Platform } from '../webhook/index';
import { peerChain, presentedChain } from './certSummary';
import { buildHandshakeTimeline } from './handshakeTimeline';
import { observeHandshake, type Attempt } from './handshakeObserver';
import type { HandshakeObservation } from './handshakeTypes';
import { explainTlsError } from './explainTlsError';
import { readBoundedBody, responseTooLargeExplanation, type BodyProgress } from './responseBody';
import { asWrongPassphrase, clientCertificateWarnings, clientIdentity, clientLeaf, pemCredentials, tlsOptions, type WebhookClientOptions } from './clientTls';
export type { WebhookClientOptions } from './clientTls';
import type { ClientCredentials, SendOptions, SendResult, SendTiming, TlsDetails } from './types';

const DEFAULT_TIMEOUT_MS = 30_000;
const UNENFORCED = 'NO CLIENT CERTIFICATE WAS SENT, and the server answered anyway: it asks for a client certificate but does not require one, so it does not enforce mTLS.';
const VERIFICATION_OFF = 'TLS VERIFICATION WAS OFF (--insecure): the server\'s certificate was NOT checked; anyone could have answered.';

interface ConnectionFacts {
  dnsMs?: number;
  connectMs: number;
  tlsMs: number;
  secureAt: number;
  tls: Omit<TlsDetails, 'clientCertificate'>;
  /** The server sent a CertificateRequest (OpenSSL lists shared signature algorithms exactly then). */
  certificateRequested: boolean;
}

/** A client bound to one set of credentials; sends run one at a time over one connection per origin. */
export interface WebhookClient {
  send(o: Omit<SendOptions, keyof ClientCredentials>): Promise<SendResult>;
  close(): Promise<void>;
}

/** Throws InputError unless the URL is https://. */
export function checkHttpsUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(`"${url}" is not a URL: use https://host:port/path.`);
  }
  if (u.protocol === 'http:') throw new InputError(`${url} is plain HTTP: webhooks with client certificates need https:// (Dialogflow and Kore.ai only call HTTPS URLs).`);
  if (u.protocol !== 'https:') throw new InputError(`${url}: only https:// URLs can be sent to.`);
  return u;
}

type Unobserved = Omit<SendResult, 'handshake' | 'observation'>;

function failure(err: unknown, partial: Omit<Unobserved, 'ok' | 'checks' | 'error'>, override?: { code: string; message: string }): Unobserved {
  const explanation = explainTlsError(override ? { code: override.code, message: override.message, cause: err } : err);
  const message = override?.message ?? (err instanceof Error ? err.message : String(err));
  return { ...partial, ok: false, checks: [], error: { code: explanation.code, message, explanation } };
}

function redact(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    out[k] = /^(authorization|proxy-authorization)$/i.test(k) ? `${v.split(' ')[0] ?? ''} [redacted]` : v;
  }
  return out;
}

/** Headers a platform sends: JSON content type, Dialogflow's user agent for cx/es, then the caller's. */
export function platformHeaders(platform: Platform | undefined, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json' };
  // The CX guide's capture shows this value; it is not documented, so servers must not rely on it.
  h['user-agent'] = platform === 'cx' || platform === 'es' ? 'Google-Dialogflow' : 'mtls-workbench';
  for (const [k, v] of Object.entries(extra)) h[k.toLowerCase()] = v;
  return h;
}

/** A client for many sends with one identity (keep-alive by default). */
export function createWebhookClient(given: WebhookClientOptions): WebhookClient {
  const reuse = given.reuseConnections !== false;
  let connections = 0;
  let last: ConnectionFacts | undefined;
  let credentialError: unknown;
  let socketError: Error | undefined;
  let creds = given;
  try {
    creds = pemCredentials(given);
  } catch (e) {
    credentialError = e;
  }
  const opts = tlsOptions(creds);
  let secureContext: SecureContext | undefined;
  try {
    // Load key/cert/CA once: a wrong passphrase or mismatched key is reported before any network I/O,
    // and fresh connections do not re-parse them (tls.connect would build a new context each time).
    if (credentialError === undefined) secureContext = createSecureContext(opts);
  } catch (e) {
    credentialError = asWrongPassphrase(creds, e);
  }
  // Connections still being set up: a deadline or close() destroys them, so no socket outlives its send
  // (undici's own connect timeout would keep the process alive until it fires).
  const connecting = new Set<TLSSocket>();
  // Every open socket: close() destroys them itself rather than trusting undici to (see close()).
  const open = new Set<TLSSocket>();
  const base = loadUndici().buildConnector({
    ...(secureContext ? { secureContext } : opts), rejectUnauthorized: opts.rejectUnauthorized, ...(opts.lookup ? { lookup: opts.lookup } : {}),
    maxCachedSessions: reuse ? 100 : 0, timeout: DEFAULT_TIMEOUT_MS,
  });
  const connector: Undici.buildConnector.connector = (opts, cb) => {
    const t0 = performance.now();
    let lookupAt: number | undefined;
    let tcpAt: number | undefined;
    // buildConnector's connector returns the socket at runtime (its typings say void).
    const socket = (base as unknown as (o: typeof opts, c: typeof cb) => TLSSocket)(opts, (err, s) => {
      connecting.delete(socket);
      if (err) return cb(err, null);
      const t = s as TLSSocket;
      const now = performance.now();
      const cipher = t.getCipher();
      connections++;
      last = {
        dnsMs: lookupAt !== undefined ? lookupAt - t0 : undefined,
        connectMs: (tcpAt ?? now) - (lookupAt ?? t0),
        tlsMs: now - (tcpAt ?? now),
        secureAt: now,
        tls: {
          protocol: t.getProtocol(),
          cipher: cipher?.standardName ?? cipher?.name ?? null,
          alpn: typeof t.alpnProtocol === 'string' ? t.alpnProtocol : null,
          verification: creds.insecure ? 'DISABLED' : 'verified',
          authorizationError: t.authorized ? null : String(t.authorizationError ?? 'not verified'),
          serverChain: peerChain(t),
        },
        certificateRequested: t.getSharedSigalgs().length > 0,
      };
      cb(null, s);
    });
    // TLS 1.3 servers refuse a client certificate after the client's handshake is done: the alert arrives
    // with the first read, and undici may only report "other side closed". Keep the socket's own error.
    socket.on('error', (e: Error) => (socketError ??= e)); // the first error is the real one; undici's follow
    connecting.add(socket);
    open.add(socket);
    const a0 = attempt;
    socket.once('close', () => {
      connecting.delete(socket);
      open.delete(socket);
      // Node 20's undici can miss a refusal that arrives right after the handshake (TLS 1.3 sends it then) and
      // wait for an answer that cannot come. The send's own connection closing ends it; the short grace lets
      // undici report first when it does notice.
      if (a0 !== undefined && attempt === a0) setTimeout(() => a0.dropped?.(socketError ?? Object.assign(new Error('the server closed the connection before answering'), { code: 'ECONNRESET' })), 50);
    });
    socket.once('lookup', () => (lookupAt = performance.now()));
    socket.once('connect', () => (tcpAt = performance.now()));
    const a = attempt;
    if (a) observeHandshake(socket, a);
    return socket;
  };
  const agent = new (loadUndici().Agent)({ connect: connector, connections: 1, pipelining: 1, keepAliveTimeout: 30_000 });
  let queue: Promise<unknown> = Promise.resolve();
  const abandonConnects = (): void => {
    for (const s of connecting) s.destroy(Object.assign(new Error('connection abandoned: the send gave up on it'), { code: 'ABANDONED' }));
    connecting.clear();
  };
  // The connection attempt of the send in progress (sends run one at a time).
  let attempt: Attempt | undefined;
  const clientChain: HandshakeObservation['client'] = creds.certPem !== undefined
    ? { source: given.pfx !== undefined ? 'pkcs12' : 'pem', chain: presentedChain(creds.certPem) }
    : { source: given.pfx !== undefined ? 'pkcs12' : 'none', chain: [] };

  // Parsed once: decoding the certificate per send would cost more than the request itself on keep-alive.
  const leaf = clientLeaf(creds.certPem);
  const id = clientIdentity(creds, leaf);
  const ownCertificateWarnings = clientCertificateWarnings(leaf);
  const tlsDetails = (c: ConnectionFacts | undefined): TlsDetails | undefined => {
    if (!c) return undefined;
    // A configured certificate goes out only when the server asks for one.
    return { ...c.tls, clientCertificate: { presented: id !== undefined && c.certificateRequested, requested: c.certificateRequested, ...id } };
  };

  const sendOne = async (o: Omit<SendOptions, keyof ClientCredentials>): Promise<SendResult> => {
    checkHttpsUrl(o.url);
    const bodyText = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    const platform = o.platform ?? detectPlatform(parseOrUndefined(o.body));
    const headers = platformHeaders(platform, o.headers);
    const method = o.method ?? 'POST';
    if (method === 'GET') delete headers['content-type'];
    const request = { url: o.url, method, headers: redact(headers), bytes: Buffer.byteLength(bodyText), ...(platform ? { platform } : {}) };
    const warnings = [...(creds.insecure ? [VERIFICATION_OFF] : []), ...ownCertificateWarnings];
    const start = performance.now();
    const timing = (): SendTiming => ({ totalMs: round(performance.now() - start), reusedConnection: false });
    if (credentialError !== undefined) return withHandshake(failure(credentialError, { request, timing: timing(), warnings }), clientChain, o.url);

    const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = (): void => controller.abort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const before = connections;
    socketError = undefined;
    const a: Attempt = { serverChain: [] };
    attempt = a;
    const startedAt = new Date().toISOString();
    const u = new URL(o.url);
    const observe = (r: Omit<SendResult, 'handshake' | 'observation'>): SendResult => {
      const fresh = connections > before || r.error !== undefined;
      const rel = (t: number | undefined): number | undefined => (t === undefined ? undefined : round(t - start));
      const observation: HandshakeObservation = {
        startedAt, host: u.hostname, port: Number(u.port || 443), reusedConnection: !fresh && r.error === undefined,
        ...(a.localPort !== undefined ? { localPort: a.localPort } : {}),
        marks: {
          connectedMs: rel(a.connectedAt), serverFlightMs: rel(a.serverFlightAt), handshakeDoneMs: rel(a.handshakeDoneAt),
          ...(a.responseAt !== undefined ? { responseMs: rel(a.responseAt) } : {}),
          endMs: r.timing.totalMs,
        },
        ...(a.protocol ? { protocol: a.protocol } : {}),
        ...(a.cipher ? { cipher: a.cipher } : {}),
        ...(a.signatureAlgorithms ? { signatureAlgorithms: a.signatureAlgorithms, certificateRequested: a.signatureAlgorithms.length > 0 } : {}),
        ...(a.ephemeralKey ? { ephemeralKey: a.ephemeralKey } : {}),
        serverChain: a.serverChain,
        verification: creds.insecure ? 'DISABLED' : 'verified',
        ...(r.tls ? { authorizationError: r.tls.authorizationError } : {}),
        client: clientChain,
        ...(r.status !== undefined ? { status: r.status } : {}),
        ...(r.error ? { error: r.error } : {}),
      };
      return { ...r, observation, handshake: buildHandshakeTimeline(observation) };
    };
    // undici does not abandon a connect in progress when the signal fires: race the deadline ourselves.
    const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
    aborted.catch(() => undefined);
    const dropped = new Promise<never>((_, reject) => (a.dropped = reject));
    dropped.catch(() => undefined);
    // The answer's head once it came: a failure while reading the body still reports the status and headers.
    let head: { status: number; headers: Record<string, string | string[]> } | undefined;
    const progress: BodyProgress = { bytes: 0 };
    try {
      const res = await Promise.race([aborted, dropped, agent.request({
        origin: new URL(o.url).origin,
        path: new URL(o.url).pathname + new URL(o.url).search,
        method,
        headers,
        ...(method === 'POST' ? { body: bodyText } : {}),
        signal: controller.signal,
        reset: !reuse,
        // Our own deadline (above) decides; undici's timers only back it up.
        headersTimeout: timeoutMs + 1_000,
        bodyTimeout: timeoutMs + 1_000,
      })]);
      const headersAt = performance.now();
      a.responseAt = headersAt;
      const responseHeaders = res.headers as Record<string, string | string[]>;
      head = { status: res.statusCode, headers: responseHeaders };
      // Bounded: a server streaming without end would otherwise fill the memory (of the extension host, too).
      const read = await Promise.race([aborted, dropped, readBoundedBody(res.body, { status: res.statusCode, headers: responseHeaders, progress })]);
      const raw = read.raw;
      const end = performance.now();
      const fresh = connections > before && last !== undefined;
      const conn = fresh ? last : undefined;
      const t: SendTiming = {
        ...(conn?.dnsMs !== undefined ? { dnsMs: round(conn.dnsMs) } : {}),
        ...(conn ? { connectMs: round(conn.connectMs), tlsMs: round(conn.tlsMs) } : {}),
        ttfbMs: round(headersAt - (conn ? Math.max(conn.secureAt, start) : start)),
        totalMs: round(end - start),
        reusedConnection: !fresh,
      };
      const tls = tlsDetails(last);
      if (read.cut) {
        return observe({
          ok: false, request, status: res.statusCode, headers: responseHeaders, body: raw.toString('utf8'), bytes: progress.bytes, timing: t,
          ...(tls ? { tls } : {}), checks: [], warnings,
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
      const checks = platform && res.statusCode >= 200 && res.statusCode < 300
        ? checkWebhookResponse(platform, json, { durationMs: t.totalMs, bytes: raw.length, timeoutMs: o.platformTimeoutMs })
        : [];
      if (platform && (res.statusCode < 200 || res.statusCode >= 300)) {
        checks.push({ severity: 'error', message: `HTTP ${res.statusCode}: ${platform === 'kore' ? 'Kore.ai' : 'Dialogflow'} treats any non-2xx answer as a failed webhook call.` });
      }
      // Nothing was sent, yet the server answered: asking for a certificate without requiring one is not mTLS.
      if (tls?.clientCertificate.requested && clientChain.source === 'none') warnings.push(UNENFORCED);
      return observe({
        ok: res.statusCode >= 200 && res.statusCode < 300,
        request,
        status: res.statusCode,
        headers: responseHeaders,
        body: json !== undefined ? JSON.stringify(json, null, 2) : text,
        ...(json !== undefined ? { json } : {}),
        bytes: raw.length,
        timing: t,
        ...(tls ? { tls } : {}),
        checks,
        warnings,
      });
    } catch (e) {
      // A handshake that completed for this send is still worth showing (e.g. the server never answered).
      const conn = connections > before ? last : undefined;
      const tls = tlsDetails(conn);
      const timing0 = timing();
      const partial = {
        request,
        timing: conn ? { ...timing0, ...(conn.dnsMs !== undefined ? { dnsMs: round(conn.dnsMs) } : {}), connectMs: round(conn.connectMs), tlsMs: round(conn.tlsMs) } : timing0,
        warnings,
        ...(tls ? { tls } : {}),
        ...(head ? { status: head.status, headers: head.headers, bytes: progress.bytes } : {}),
      };
      const got = head
        ? ` (HTTP ${head.status} and its headers came, then the body did not finish: ${progress.bytes} bytes received)`
        : conn ? ' (the TLS handshake completed; no HTTP response came)' : '';
      if (timedOut) return observe(failure(e, partial, { code: 'ETIMEDOUT', message: `Request timed out after ${timeoutMs} ms: ${method} ${o.url}${got}` }));
      if (o.signal?.aborted) return observe(failure(e, partial, { code: 'ABORTED', message: `Request cancelled: ${method} ${o.url}` }));
      // Prefer the socket's TLS error (e.g. alert 116) over undici's generic "other side closed".
      const se = socketError as Error | undefined;
      if (se && e instanceof Error && e !== se && (e as { cause?: unknown }).cause === undefined) {
        return observe(failure(Object.assign(new Error(se.message), { code: (se as NodeJS.ErrnoException).code, cause: e }), partial));
      }
      const failed = failure(e, partial);
      // An answer that is not HTTP still came over an accepted handshake.
      if (failed.error?.code === 'NOT_HTTP' && tls?.clientCertificate.requested && clientChain.source === 'none') warnings.push(UNENFORCED);
      return observe(failed);
    } finally {
      attempt = undefined;
      clearTimeout(timer);
      // A connect abandoned at the deadline or by cancelling: end it now, with an error so undici's connect
      // timer for it is cleared too.
      if (timedOut || o.signal?.aborted) abandonConnects();
      o.signal?.removeEventListener('abort', onAbort);
    }
  };

  return {
    send(o) {
      // One at a time: the connection facts above belong to the request that opened the connection.
      const p = queue.then(() => sendOne(o));
      queue = p.catch(() => undefined);
      return p;
    },
    async close() {
      // destroy, not close: close() would wait for a connect we abandoned at a deadline. On Node 20 undici's
      // destroy() can wait for a socket it lost track of and never settle (the process would then end with the
      // result unprinted): every socket is destroyed here, and the wait is bounded.
      abandonConnects();
      for (const s of open) s.destroy();
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([agent.destroy().catch(() => undefined), new Promise<void>((resolve) => (bound = setTimeout(resolve, 200)))]);
      clearTimeout(bound);
    },
  };
}

/** A result that failed before any connection (the credentials did not load): step 4, nothing sent. */
function withHandshake(r: Unobserved, client: HandshakeObservation['client'], url: string): SendResult {
  const u = new URL(url);
  const observation: HandshakeObservation = {
    startedAt: new Date().toISOString(), host: u.hostname, port: Number(u.port || 443), reusedConnection: false,
    marks: { endMs: r.timing.totalMs }, serverChain: [], verification: 'verified', client, ...(r.error ? { error: r.error } : {}),
  };
  return { ...r, observation, handshake: buildHandshakeTimeline(observation) };
}

function parseOrUndefined(body: string | object): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Sends one webhook request over a fresh connection; network and TLS failures land in `result.error`. */
export async function sendWebhook(o: SendOptions & Pick<WebhookClientOptions, 'lookup'>): Promise<SendResult> {
  checkHttpsUrl(o.url);
  const client = createWebhookClient({ ...o, reuseConnections: false });
  try {
    return await client.send(o);
  } finally {
    await client.close();
  }
}
