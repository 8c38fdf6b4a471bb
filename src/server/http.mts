// One request, from the verified connection to the JSON answer: pinned identity, /healthz, the Authorization
// check, the user's hooks and routes, the webhook path, the body limit, then the platform's handler. Every
// refusal is an HttpError answered as JSON and logged; a handler's bug answers 500 and the server goes on.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Settings } from './config.mts';
import { describeClient, isAllowedClient, type Caller, type Described } from './caller.mts';
import type { EdgeGuard } from './edge.mts';
import { checkAuthorization } from './auth.mts';
import type { IdTokenVerifier } from './idToken.mts';
import { HttpError } from './httpError.mts';
import { dispatch, type PlatformHandlers, type WebhookContext } from './platforms.mts';
import { log } from './log.mts';

/** Your own endpoint: answers 200 with what it returns (as JSON); throw HttpError for another status. */
export type RouteHandler = (ctx: WebhookContext & { body: unknown }) => unknown;

/** A refusal a hook returns: the status and the error text the caller gets. */
export interface Refusal {
  status: number;
  error: string;
}

/** Runs before every route and webhook call, after the client certificate and authorization were checked. */
export type BeforeHook = (
  req: IncomingMessage,
  ctx: WebhookContext,
) => Refusal | undefined | void | Promise<Refusal | undefined | void>;

/** What the server answers with: the platforms' handlers, your routes and your hooks. */
export interface RequestHandlers extends PlatformHandlers {
  routes?: Record<string, RouteHandler>;
  before?: BeforeHook[];
}

/** Everything a request needs that is fixed at start-up. */
export interface RequestContext {
  settings: Settings;
  app: RequestHandlers;
  verifier: IdTokenVerifier | undefined;
  /** Behind an edge: the checks that turn its headers into the caller (undefined: the TLS handshake did). */
  edge?: EdgeGuard;
}

/** Who is calling: the client certificate the TLS handshake verified, or the one the edge forwarded (checked). */
export function callerOf(rc: RequestContext, req: IncomingMessage): Described {
  return rc.edge !== undefined ? rc.edge.caller(req) : describeClient(req.socket as TLSSocket);
}

function isHealthCheck(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  try {
    return requestPath(req.url ?? '') === '/healthz';
  } catch {
    return false;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.writableEnded) return; // the deadline answered already
  const text = JSON.stringify(body) ?? 'null';
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume(); // drain without storing, so the 413 reaches the client
      reject(new HttpError(413, 'request body larger than ' + limit + ' bytes'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        reject(new HttpError(413, 'request body larger than ' + limit + ' bytes'));
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// Not a path: matches no webhook path and no route (404).
const notOriginForm = '(not an origin-form path)';

/**
 * The path a request targets, normalised (dot segments, percent-encoding) for an exact match with webhookPaths.
 * Only origin-form ('/webhook?x') is served: an absolute-form ('https://host/webhook'), '//host/path' or
 * backslash ('/\host/path') target gets a path that matches nothing (404); a target that does not parse is a
 * 400, not a handler error.
 */
function requestPath(target: string): string {
  if (target.startsWith('//') || !target.startsWith('/')) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
      try {
        new URL(target);
      } catch {
        throw new HttpError(400, 'malformed request target');
      }
    } else if (!target.startsWith('//')) {
      throw new HttpError(400, 'malformed request target');
    }
    return notOriginForm;
  }
  // The URL parser, like browsers, reads a backslash as '/' in an https URL, where RFC 3986 (and proxies, firewalls,
  // the platform's own URL) see a plain character: '/\host/webhook' would become '//host/webhook' and be served as
  // /webhook, '/status\..\webhook' as /webhook. A path with a backslash is not a path anyone configured. A
  // percent-encoded one (%5C) is data for both parsers, never a separator, and simply matches nothing.
  if (/^[^?#]*\\/.test(target)) return notOriginForm;
  try {
    return new URL(target, 'https://localhost').pathname;
  } catch {
    throw new HttpError(400, 'malformed request target');
  }
}

/** The request's media type, lower case, without parameters ('' when none was sent). */
function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function isJson(type: string): boolean {
  return type === 'application/json' || /^application\/[a-z0-9.+-]*\+json$/.test(type);
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new HttpError(400, 'malformed JSON: ' + (e as Error).message);
  }
}

/** A route's body: JSON when sent as JSON, text otherwise, undefined when empty. */
async function routeBody(req: IncomingMessage, limit: number): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const raw = await readBody(req, limit);
  if (raw.length === 0) return undefined;
  return isJson(mediaType(req)) ? parseJson(raw) : raw.toString('utf8');
}

function isWebhookPath(paths: string[], target: string): boolean {
  // A webhook URL configured with a trailing slash ('/webhook/') is the same webhook.
  return paths.includes(target) || (target.length > 1 && target.endsWith('/') && paths.includes(target.slice(0, -1)));
}

async function handleRequest(
  rc: RequestContext,
  req: IncomingMessage,
  res: ServerResponse,
  who: { text: string },
): Promise<void> {
  const { settings, app } = rc;
  // A load balancer's health checks carry none of its custom headers: behind an edge /healthz asks only check 1.
  if (rc.edge !== undefined && isHealthCheck(req)) {
    rc.edge.fromTrustedSource(req);
    sendJson(res, 200, { status: 'ok' });
    return;
  }
  const client = callerOf(rc, req);
  who.text = client.text;
  if (!isAllowedClient(client.certificate, settings.allowedClients)) {
    log(
      'forbidden: client CN=' +
        JSON.stringify(client.certificate.cn) +
        ' sha256=' +
        client.certificate.fingerprint256 +
        ' is not in allowedClients (MTLS_ALLOWED_CLIENTS)',
    );
    throw new HttpError(403, 'client certificate not allowed');
  }
  const target = requestPath(req.url ?? '');
  if (target === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
    sendJson(res, 200, { status: 'ok' });
    return;
  }
  const route = app.routes?.[(req.method ?? '') + ' ' + target];
  const webhook = isWebhookPath(settings.webhookPaths, target);
  if (route === undefined && !webhook) {
    throw new HttpError(404, 'no webhook at ' + JSON.stringify((req.url ?? '').slice(0, 200)));
  }
  if (route === undefined && req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    throw new HttpError(405, 'webhooks are called with POST');
  }
  const auth = await checkAuthorization(req, settings.auth, rc.verifier);
  if (!auth.ok) {
    log('unauthorized: ' + auth.reason);
    res.setHeader('www-authenticate', /^basic\s/i.test(settings.auth) ? 'Basic realm="webhook"' : 'Bearer');
    throw new HttpError(401, 'unauthorized');
  }
  const caller: Caller =
    auth.claims !== undefined
      ? { certificate: client.certificate, idToken: auth.claims }
      : { certificate: client.certificate };
  const ctx: WebhookContext = { request: req, caller };
  for (const hook of app.before ?? []) {
    const refusal = await hook(req, ctx);
    if (refusal !== undefined && refusal !== null) {
      log('refused by a before hook: ' + refusal.status + ' ' + refusal.error);
      throw new HttpError(refusal.status, refusal.error);
    }
  }
  if (route !== undefined) {
    const body = await routeBody(req, settings.bodyLimitBytes);
    sendJson(res, 200, await route({ ...ctx, body }));
    return;
  }
  const type = mediaType(req);
  if (!isJson(type)) {
    throw new HttpError(415, 'send JSON (content-type: application/json), got ' + (type === '' ? 'none' : type));
  }
  const body = parseJson(await readBody(req, settings.bodyLimitBytes));
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'expected a JSON object');
  sendJson(res, 200, await dispatch(app, body as Record<string, unknown>, ctx));
}

// Connections answered (413, 503 at the deadline) while their request body was still arriving. The body is
// drained rather than cut off, so the client can read the answer (closing on an unread upload resets the
// connection, and the answer is lost); a client that keeps sending is cut off at the request timeout, without the
// second answer (408) Node would add.
export const earlyAnswered = new WeakSet<object>();

function answeredEarly(req: IncomingMessage): void {
  if (!req.complete) earlyAnswered.add(req.socket);
}

/** Answers one request within the request timeout, and logs it with who called. */
export function onRequest(rc: RequestContext, req: IncomingMessage, res: ServerResponse): void {
  const started = process.hrtime.bigint();
  // Behind an edge the caller is known only once its headers passed the checks (handleRequest fills it in).
  const who = { text: rc.edge === undefined ? describeClient(req.socket as TLSSocket).text : '(not identified)' };
  const timeoutMs = rc.settings.requestTimeoutMs;
  // Answer before the platform's own deadline, so the developer sees why instead of DEADLINE_EXCEEDED.
  const deadline = setTimeout(() => {
    log('timeout: no answer after ' + timeoutMs + ' ms (the platform gives up at 5 s)');
    answeredEarly(req);
    sendJson(res, 503, { error: 'webhook did not answer within ' + timeoutMs + ' ms' });
  }, timeoutMs);
  res.on('close', () => clearTimeout(deadline));
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    log(req.method + ' ' + (req.url ?? '') + ' ' + res.statusCode + ' ' + ms.toFixed(1) + 'ms client ' + who.text);
  });
  handleRequest(rc, req, res, who).catch((e: unknown) => {
    if (e instanceof HttpError) {
      answeredEarly(req);
      sendJson(res, e.status, { error: e.message });
      return;
    }
    // A handler bug answers 500 and is logged; the server keeps serving.
    log(
      'handler error: ' + (e instanceof Error ? (e.stack ?? e.message).split('\n').slice(0, 3).join(' | ') : String(e)),
    );
    sendJson(res, 500, { error: 'webhook handler failed (see the server log)' });
  });
}
