// The platform parts of the generated server.ts (see core.ts for the text rules). Each platform has two:
// the handlers a developer edits (in the "mtls-handlers" block near the top, one example line each) and the
// request/response types and reply helper they use (in the machinery, kept current by --upgrade).

/** A platform the scaffold can generate handlers for. */
export type Platform = 'cx' | 'es' | 'kore';

/** Display names used in comments and CLI output. */
export const platformNames: Record<Platform, string> = { cx: 'Dialogflow CX', es: 'Dialogflow ES', kore: 'Kore.ai' };

/** Fixed order of the platforms in the file (and in the template line). */
export const allPlatforms: readonly Platform[] = ['cx', 'es', 'kore'];

/** The first line of each platform's handlers: the heading the user sees (also used when upgrading old files). */
const handlerHeadings: Record<Platform, string> = {
  cx: `
// Dialogflow CX: one entry per webhook tag (fulfillmentInfo.tag, set on the page or route). Example:
//   'check-balance': (req) => cxReply('Your balance is 42 EUR', { balance: 42 }),
`,
  es: `
// Dialogflow ES: one entry per intent display name (queryResult.intent.displayName). Example:
//   'account.balance': (req) => esReply('Your balance is 42 EUR'),
`,
  kore: `
// Kore.ai service node: the bot designer defines the request, so answer whatever JSON your dialog task
// reads (context.<node>.response.body...). Example:  return { message: 'Hi ' + String(body['name']) };
`,
};

const handlerBodies: Record<Platform, string> = {
  cx: `const cxHandlers: Record<string, CxHandler> = {
  hello: (req) => cxReply('Hello from your mTLS webhook! You said: ' + (req.text ?? '(nothing)')),
  'order-status': (req) => {
    const order = req.sessionInfo?.parameters?.['order_id'] ?? 'unknown';
    return cxReply('Order ' + String(order) + ' is on its way.', { last_checked_order: order });
  },
};

// For a tag with no entry above.
function cxFallback(req: CxRequest): CxResponse {
  const tag = req.fulfillmentInfo?.tag ?? '';
  return cxReply('The webhook has no handler for tag "' + tag + '" yet: add one to cxHandlers in server.ts.');
}
`,
  es: `const esHandlers: Record<string, EsHandler> = {
  'Default Welcome Intent': () => esReply('Hello from your mTLS webhook!'),
  'order.status': (req) => esReply('Order ' + String(req.queryResult?.parameters?.['order_id'] ?? 'unknown') + ' is on its way.'),
};

// For an intent with no entry above.
function esFallback(req: EsRequest): EsResponse {
  const intent = req.queryResult?.intent?.displayName ?? '';
  return esReply('The webhook has no handler for intent "' + intent + '" yet: add one to esHandlers in server.ts.');
}
`,
  kore: `const koreHandler: KoreHandler = (body) => ({
  status: 'ok',
  message: 'Hello from your mTLS webhook!',
  receivedKeys: Object.keys(body),
});
`,
};

/** The heading of a platform's handlers followed by `body` (the template's, or a user's kept by --upgrade). */
function handlerSection(platform: Platform, body: string = handlerBodies[platform]): string {
  return handlerHeadings[platform] + body;
}

/** The interior of the "mtls-handlers" block for the chosen platforms: the part of the file a developer edits most. */
export function handlersBlock(platforms: readonly Platform[], bodies: Partial<Record<Platform, string>> = {}): string {
  return allPlatforms.filter((p) => platforms.includes(p)).map((p) => handlerSection(p, bodies[p])).join('').replace(/^\n/, '');
}

const machinery: Record<Platform, string> = {
  cx: `
// ---- Dialogflow CX: request and response shapes, and the reply helper the handlers use ----
interface CxRequest {
  detectIntentResponseId?: string;
  fulfillmentInfo?: { tag?: string };
  text?: string;
  languageCode?: string;
  intentInfo?: { displayName?: string; parameters?: Record<string, { originalValue?: unknown; resolvedValue?: unknown }> };
  pageInfo?: { displayName?: string };
  sessionInfo?: { session?: string; parameters?: Record<string, unknown> };
}
interface CxResponse {
  fulfillmentResponse: { messages: { text: { text: string[] } }[]; mergeBehavior?: 'APPEND' | 'REPLACE' };
  sessionInfo?: { parameters: Record<string, unknown> }; // a null value deletes that session parameter
}
type CxHandler = (req: CxRequest) => CxResponse | Promise<CxResponse>;

function cxReply(text: string, parameters?: Record<string, unknown>): CxResponse {
  const reply: CxResponse = { fulfillmentResponse: { messages: [{ text: { text: [text] } }] } };
  if (parameters !== undefined) reply.sessionInfo = { parameters };
  return reply;
}
`,
  es: `
// ---- Dialogflow ES: request and response shapes, and the reply helper the handlers use ----
interface EsRequest {
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
interface EsResponse {
  fulfillmentText: string;
  fulfillmentMessages: { text: { text: string[] } }[];
  source?: string;
  outputContexts?: { name: string; lifespanCount?: number; parameters?: Record<string, unknown> }[];
}
type EsHandler = (req: EsRequest) => EsResponse | Promise<EsResponse>;

function esReply(text: string): EsResponse {
  return { fulfillmentText: text, fulfillmentMessages: [{ text: { text: [text] } }], source: 'mtls-webhook' };
}
`,
  kore: `
// ---- Kore.ai service node: no fixed request shape (the bot designer defines it) ----
type KoreHandler = (body: Record<string, unknown>, req: IncomingMessage) => unknown;
`,
};

/** The platform types and helpers (machinery) for the chosen platforms, in a fixed order. */
export function platformMachinery(platforms: readonly Platform[]): string {
  return allPlatforms.filter((p) => platforms.includes(p)).map((p) => machinery[p]).join('');
}

/** The dispatcher: detect the caller's format, then call the matching handler table. */
export function dispatchSection(platforms: readonly Platform[]): string {
  const has = (p: Platform): boolean => platforms.includes(p);
  const lines: string[] = ['', '// ---- dispatch: detect which platform sent the request ----'];
  if (has('cx') || has('es')) {
    // Own keys only: a tag named "constructor" must not reach Object.prototype.
    lines.push('function own(table: object, key: string): boolean {', '  return Object.prototype.hasOwnProperty.call(table, key);', '}');
  }
  lines.push(
    '',
    'async function dispatch(body: Record<string, unknown>, req: IncomingMessage): Promise<unknown> {',
    '  void req;',
  );
  lines.push("  if ('detectIntentResponseId' in body || 'fulfillmentInfo' in body) {");
  if (has('cx')) {
    lines.push(
      '    const cxReq = body as CxRequest;',
      "    const tag = cxReq.fulfillmentInfo?.tag ?? '';",
      '    return own(cxHandlers, tag) ? await cxHandlers[tag]!(cxReq) : cxFallback(cxReq);',
    );
  } else {
    lines.push("    throw new HttpError(400, 'this webhook was generated without Dialogflow CX handlers (mtls scaffold --platform cx)');");
  }
  lines.push('  }', "  if ('queryResult' in body) {");
  if (has('es')) {
    lines.push(
      '    const esReq = body as EsRequest;',
      "    const intent = esReq.queryResult?.intent?.displayName ?? '';",
      '    return own(esHandlers, intent) ? await esHandlers[intent]!(esReq) : esFallback(esReq);',
    );
  } else {
    lines.push("    throw new HttpError(400, 'this webhook was generated without Dialogflow ES handlers (mtls scaffold --platform es)');");
  }
  lines.push('  }');
  if (has('kore')) {
    lines.push('  return koreHandler(body, req);');
  } else {
    lines.push("  throw new HttpError(400, 'not a Dialogflow webhook request (no detectIntentResponseId, fulfillmentInfo or queryResult)');");
  }
  lines.push('}', '');
  return lines.join('\n');
}
