// The platforms' request and response shapes, the reply helpers handlers use, and the dispatcher that tells
// the caller's format apart (Dialogflow CX, Dialogflow ES, else Kore.ai) and calls the user's handler.
import type { IncomingMessage } from 'node:http';
import type { Caller } from './caller.mts';
import { HttpError } from './httpError.mts';

/** What a handler, route or hook gets besides the body: the request and the verified caller. */
export interface WebhookContext {
  request: IncomingMessage;
  caller: Caller;
}

/** Dialogflow CX WebhookRequest (the fields most handlers read). */
export interface CxRequest {
  detectIntentResponseId?: string;
  fulfillmentInfo?: { tag?: string };
  text?: string;
  languageCode?: string;
  intentInfo?: {
    displayName?: string;
    parameters?: Record<string, { originalValue?: unknown; resolvedValue?: unknown }>;
  };
  pageInfo?: { displayName?: string };
  sessionInfo?: { session?: string; parameters?: Record<string, unknown> };
}
/** Dialogflow CX WebhookResponse. */
export interface CxResponse {
  fulfillmentResponse: { messages: { text: { text: string[] } }[]; mergeBehavior?: 'APPEND' | 'REPLACE' };
  sessionInfo?: { parameters: Record<string, unknown> }; // a null value deletes that session parameter
}
export type CxHandler = (req: CxRequest, ctx: WebhookContext) => CxResponse | Promise<CxResponse>;

/** A CX answer with one text message and, optionally, session parameters to set. */
export function cxReply(text: string, parameters?: Record<string, unknown>): CxResponse {
  const reply: CxResponse = { fulfillmentResponse: { messages: [{ text: { text: [text] } }] } };
  if (parameters !== undefined) reply.sessionInfo = { parameters };
  return reply;
}

/** Dialogflow ES WebhookRequest (the fields most handlers read). */
export interface EsRequest {
  responseId?: string;
  session?: string;
  queryResult?: {
    queryText?: string;
    languageCode?: string;
    action?: string;
    parameters?: Record<string, unknown>;
    intent?: { name?: string; displayName?: string };
  };
}
/** Dialogflow ES WebhookResponse. */
export interface EsResponse {
  fulfillmentText: string;
  fulfillmentMessages: { text: { text: string[] } }[];
  source?: string;
  outputContexts?: { name: string; lifespanCount?: number; parameters?: Record<string, unknown> }[];
}
export type EsHandler = (req: EsRequest, ctx: WebhookContext) => EsResponse | Promise<EsResponse>;

/** An ES answer with one text message. */
export function esReply(text: string): EsResponse {
  return { fulfillmentText: text, fulfillmentMessages: [{ text: { text: [text] } }], source: 'mtls-webhook' };
}

/** Kore.ai service node: no fixed request shape (the bot designer defines it); answer any JSON. */
export type KoreHandler = (body: Record<string, unknown>, req: IncomingMessage, ctx: WebhookContext) => unknown;

/** One platform's handler table and the fallback for a name with no entry. */
export interface HandlerTable<Req, Res> {
  handlers: Record<string, (req: Req, ctx: WebhookContext) => Res | Promise<Res>>;
  fallback?: (req: Req, ctx: WebhookContext) => Res | Promise<Res>;
}

/** The handlers a server answers webhook calls with. */
export interface PlatformHandlers {
  cx?: HandlerTable<CxRequest, CxResponse>;
  es?: HandlerTable<EsRequest, EsResponse>;
  kore?: KoreHandler;
}

/** The platforms the app has handlers for, in a fixed order. */
export function platformsOf(app: PlatformHandlers): string[] {
  return (['cx', 'es', 'kore'] as const).filter((p) => app[p] !== undefined);
}

// Own keys only: a tag named "constructor" must not reach Object.prototype.
function own(table: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(table, key);
}

async function callTable<Req, Res>(
  table: HandlerTable<Req, Res>,
  name: string,
  req: Req,
  ctx: WebhookContext,
  what: string,
  listName: string,
): Promise<Res> {
  if (own(table.handlers, name)) return await table.handlers[name]!(req, ctx);
  if (table.fallback !== undefined) return await table.fallback(req, ctx);
  throw new HttpError(
    404,
    'no handler for ' + what + ' ' + JSON.stringify(name).slice(0, 100) + ': add one to ' + listName,
  );
}

/** Detects which platform sent the body and answers with its handler. */
export async function dispatch(
  app: PlatformHandlers,
  body: Record<string, unknown>,
  ctx: WebhookContext,
): Promise<unknown> {
  if ('detectIntentResponseId' in body || 'fulfillmentInfo' in body) {
    if (app.cx === undefined)
      throw new HttpError(
        400,
        'this webhook was generated without Dialogflow CX handlers (mtls scaffold --platform cx)',
      );
    const req = body as CxRequest;
    return callTable(app.cx, req.fulfillmentInfo?.tag ?? '', req, ctx, 'tag', 'cxHandlers');
  }
  if ('queryResult' in body) {
    if (app.es === undefined)
      throw new HttpError(
        400,
        'this webhook was generated without Dialogflow ES handlers (mtls scaffold --platform es)',
      );
    const req = body as EsRequest;
    return callTable(app.es, req.queryResult?.intent?.displayName ?? '', req, ctx, 'intent', 'esHandlers');
  }
  if (app.kore !== undefined) return app.kore(body, ctx.request, ctx);
  throw new HttpError(
    400,
    'not a Dialogflow webhook request (no detectIntentResponseId, fulfillmentInfo or queryResult)',
  );
}
