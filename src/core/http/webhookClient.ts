/**
 * The mTLS webhook client: undici over a connector that wraps tls.connect, so each connection's DNS,
 * TCP and handshake times and its negotiated TLS details are measured where they happen (connections.ts).
 * A send writes its request (webhookRequest.ts) under a deadline (deadline.ts), reads the answer with a
 * ceiling (responseBody.ts) and builds its result from what it saw (sendResult.ts).
 */
import { performance } from 'node:perf_hooks';
import { createSecureContext, type SecureContext } from 'node:tls';
import type * as Undici from 'undici';

// undici costs ~100 ms to load (it compiles its HTTP parser at require time): load it on first use, so
// `mtls decode`, `mtls chain` and the extension's activation do not pay for it.
let undici: typeof Undici | undefined;
function loadUndici(): typeof Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- synchronous on first use, unlike import()
  return (undici ??= require('undici') as typeof Undici);
}
import { presentedChain } from './certSummary';
import { Connections } from './connections';
import { Deadline } from './deadline';
import type { Attempt } from './handshakeObserver';
import type { HandshakeObservation } from './handshakeTypes';
import { readBoundedBody } from './responseBody';
import { answered, elapsed, failed, failure, withHandshake, type ClientSide, type SendState } from './sendResult';
import { checkHttpsUrl, undiciRequest, webhookRequest } from './webhookRequest';
import {
  asWrongPassphrase,
  clientCertificateWarnings,
  clientIdentity,
  clientLeaf,
  pemCredentials,
  tlsOptions,
  type WebhookClientOptions,
} from './clientTls';
export type { WebhookClientOptions } from './clientTls';
import type { ClientCredentials, SendOptions, SendResult } from './types';

const DEFAULT_TIMEOUT_MS = 30_000;
const VERIFICATION_OFF =
  "TLS VERIFICATION WAS OFF (--insecure): the server's certificate was NOT checked; anyone could have answered.";

/** A client bound to one set of credentials; sends run one at a time over one connection per origin. */
export interface WebhookClient {
  send(o: Omit<SendOptions, keyof ClientCredentials>): Promise<SendResult>;
  close(): Promise<void>;
}

/** A client for many sends with one identity (keep-alive by default). */
export function createWebhookClient(given: WebhookClientOptions): WebhookClient {
  const reuse = given.reuseConnections !== false;
  let credentialError: unknown;
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
  const base = loadUndici().buildConnector({
    ...(secureContext ? { secureContext } : opts),
    rejectUnauthorized: opts.rejectUnauthorized,
    ...(opts.lookup ? { lookup: opts.lookup } : {}),
    maxCachedSessions: reuse ? 100 : 0,
    timeout: DEFAULT_TIMEOUT_MS,
  });
  const connections = new Connections(base, creds.insecure);
  const connector: Undici.buildConnector.connector = (o, cb) => connections.connect(o, cb);
  const agent = new (loadUndici().Agent)({
    connect: connector,
    connections: 1,
    pipelining: 1,
    keepAliveTimeout: 30_000,
  });
  let queue: Promise<unknown> = Promise.resolve();
  const clientChain: HandshakeObservation['client'] =
    creds.certPem !== undefined
      ? { source: given.pfx !== undefined ? 'pkcs12' : 'pem', chain: presentedChain(creds.certPem) }
      : { source: given.pfx !== undefined ? 'pkcs12' : 'none', chain: [] };

  // Parsed once: decoding the certificate per send would cost more than the request itself on keep-alive.
  const leaf = clientLeaf(creds.certPem);
  const client: ClientSide = { insecure: creds.insecure, chain: clientChain, identity: clientIdentity(creds, leaf) };
  const ownCertificateWarnings = clientCertificateWarnings(leaf);

  const sendOne = async (o: Omit<SendOptions, keyof ClientCredentials>): Promise<SendResult> => {
    const request = webhookRequest(o);
    const warnings = [...(creds.insecure ? [VERIFICATION_OFF] : []), ...ownCertificateWarnings];
    const start = performance.now();
    if (credentialError !== undefined)
      return withHandshake(
        failure(credentialError, { request: request.summary, timing: elapsed(start), warnings }),
        clientChain,
        request.target,
      );

    const deadline = new Deadline(o.timeoutMs ?? DEFAULT_TIMEOUT_MS, o.signal);
    const before = connections.opened;
    connections.socketError = undefined;
    const attempt: Attempt = { serverChain: [] };
    connections.attempt = attempt;
    const dropped = new Promise<never>((_, reject) => (attempt.dropped = reject));
    dropped.catch(() => undefined);
    const s: SendState = {
      request,
      client,
      connections,
      before,
      deadline,
      attempt,
      dropped,
      start,
      startedAt: new Date().toISOString(),
      platformTimeoutMs: o.platformTimeoutMs,
      warnings,
      progress: { bytes: 0 },
    };
    try {
      // undici does not abandon a connect in progress when the signal fires: race the deadline ourselves.
      const res = await Promise.race([
        deadline.aborted,
        dropped,
        agent.request(undiciRequest(request, { signal: deadline.signal, timeoutMs: deadline.timeoutMs, reuse })),
      ]);
      return await readAnswer(s, res);
    } catch (e) {
      return failed(s, e);
    } finally {
      connections.attempt = undefined;
      deadline.end();
      // A connect abandoned at the deadline or by cancelling: end it now, with an error so undici's connect
      // timer for it is cleared too.
      if (deadline.timedOut || deadline.cancelled) connections.abandonConnects();
    }
  };

  return {
    send(o) {
      // One at a time: the connection facts (connections.ts) belong to the request that opened the connection.
      const p = queue.then(() => sendOne(o));
      queue = p.catch(() => undefined);
      return p;
    },
    async close() {
      // destroy, not close: close() would wait for a connect we abandoned at a deadline. On Node 20 undici's
      // destroy() can wait for a socket it lost track of and never settle (the process would then end with the
      // result unprinted): every socket is destroyed here, and the wait is bounded.
      connections.destroyAll();
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([
        agent.destroy().catch(() => undefined),
        new Promise<void>((resolve) => (bound = setTimeout(resolve, 200))),
      ]);
      clearTimeout(bound);
    },
  };
}

/** Reads the answer under the send's deadline: its head first, so a body that does not finish still reports it. */
async function readAnswer(s: SendState, res: Undici.Dispatcher.ResponseData): Promise<SendResult> {
  const headersAt = performance.now();
  s.attempt.responseAt = headersAt;
  const head = { status: res.statusCode, headers: res.headers as Record<string, string | string[]> };
  s.head = head;
  // Bounded: a server streaming without end would otherwise fill the memory (of the extension host, too).
  const read = await Promise.race([
    s.deadline.aborted,
    s.dropped,
    readBoundedBody(res.body, { ...head, progress: s.progress }),
  ]);
  return answered(s, head, read, headersAt, performance.now());
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
