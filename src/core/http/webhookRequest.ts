/**
 * The request a send writes: the URL checked, the platform's headers, the body as text, what undici is asked
 * for, and the request as the result reports it (Authorization values redacted).
 */
import type * as Undici from 'undici';
import { InputError } from '../errors';
import { detectPlatform, type Platform } from '../webhook/index';
import type { SendOptions, SendResult } from './types';

/** Throws InputError unless the URL is https://. */
export function checkHttpsUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(`"${url}" is not a URL: use https://host:port/path.`);
  }
  if (u.protocol === 'http:')
    throw new InputError(
      `${url} is plain HTTP: webhooks with client certificates need https:// (Dialogflow and Kore.ai only call HTTPS URLs).`,
    );
  if (u.protocol !== 'https:') throw new InputError(`${url}: only https:// URLs can be sent to.`);
  return u;
}

function redact(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    out[k] = /^(authorization|proxy-authorization)$/i.test(k) ? `${v.split(' ')[0] ?? ''} [redacted]` : v;
  }
  return out;
}

/** Headers a platform sends: JSON content type, Dialogflow's user agent for cx/es, then the caller's. */
export function platformHeaders(
  platform: Platform | undefined,
  extra: Record<string, string> = {},
): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json' };
  // The CX guide's capture shows this value; it is not documented, so servers must not rely on it.
  h['user-agent'] = platform === 'cx' || platform === 'es' ? 'Google-Dialogflow' : 'mtls-workbench';
  for (const [k, v] of Object.entries(extra)) h[k.toLowerCase()] = v;
  return h;
}

/** What one send writes, and how its result names it. */
export interface WebhookRequest {
  url: string;
  /** `url` parsed, once: checked as https://, then read by undici's options and the handshake observation. */
  target: URL;
  bodyText: string;
  platform: Platform | undefined;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  /** The request as the result reports it. */
  summary: SendResult['request'];
}

/** The request of `o`; throws InputError for a URL that is not https://. */
export function webhookRequest(
  o: Pick<SendOptions, 'url' | 'body' | 'platform' | 'method' | 'headers'>,
): WebhookRequest {
  const target = checkHttpsUrl(o.url);
  const bodyText = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  const platform = o.platform ?? detectPlatform(parseOrUndefined(o.body));
  const headers = platformHeaders(platform, o.headers);
  const method = o.method ?? 'POST';
  if (method === 'GET') delete headers['content-type'];
  const summary = {
    url: o.url,
    method,
    headers: redact(headers),
    bytes: Buffer.byteLength(bodyText),
    ...(platform ? { platform } : {}),
  };
  return { url: o.url, target, bodyText, platform, method, headers, summary };
}

/** What undici is asked to send, under the send's deadline (`signal`, `timeoutMs`). */
export function undiciRequest(
  r: WebhookRequest,
  o: { signal: AbortSignal; timeoutMs: number; reuse: boolean },
): Undici.Dispatcher.RequestOptions {
  return {
    origin: r.target.origin,
    path: r.target.pathname + r.target.search,
    method: r.method,
    headers: r.headers,
    ...(r.method === 'POST' ? { body: r.bodyText } : {}),
    signal: o.signal,
    reset: !o.reuse,
    // Our own deadline (deadline.ts) decides; undici's timers only back it up.
    headersTimeout: o.timeoutMs + 1_000,
    bodyTimeout: o.timeoutMs + 1_000,
  };
}

function parseOrUndefined(body: string | object): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
