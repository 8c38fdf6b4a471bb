// The platform parts of the user's server.mts: the handlers a developer edits (in the "mtls-handlers" block,
// one example line each), the names each platform's handlers import from ./mtls-server/, and how the
// startWebhookServer call hands them over. Rule for the text: no backticks and no dollar-brace in the
// generated code, so it reads exactly as it will be written.

import { allPlatforms, type Platform } from '../../webhook/platform';

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
  return cxReply('The webhook has no handler for tag "' + tag + '" yet: add one to cxHandlers in server.mts.');
}
`,
  es: `const esHandlers: Record<string, EsHandler> = {
  'Default Welcome Intent': () => esReply('Hello from your mTLS webhook!'),
  'order.status': (req) => esReply('Order ' + String(req.queryResult?.parameters?.['order_id'] ?? 'unknown') + ' is on its way.'),
};

// For an intent with no entry above.
function esFallback(req: EsRequest): EsResponse {
  const intent = req.queryResult?.intent?.displayName ?? '';
  return esReply('The webhook has no handler for intent "' + intent + '" yet: add one to esHandlers in server.mts.');
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
  return allPlatforms
    .filter((p) => platforms.includes(p))
    .map((p) => handlerSection(p, bodies[p]))
    .join('')
    .replace(/^\n/, '');
}

/** What each platform's handlers import from the machinery (values first, then types). */
export const platformImports: Record<Platform, readonly string[]> = {
  cx: ['cxReply', 'type CxHandler', 'type CxRequest', 'type CxResponse'],
  es: ['esReply', 'type EsHandler', 'type EsRequest', 'type EsResponse'],
  kore: ['type KoreHandler'],
};

/** The names a platform's handlers block declares, which the startWebhookServer call hands over. */
export const platformDeclarations: Record<Platform, { readonly table: string; readonly fallback?: string }> = {
  cx: { table: 'cxHandlers', fallback: 'cxFallback' },
  es: { table: 'esHandlers', fallback: 'esFallback' },
  kore: { table: 'koreHandler' },
};

/** One line each: how a handler of the platform reads the verified caller (ctx, its last argument). */
const callerExamples: Record<Platform, string> = {
  cx: "//   whoami: (req, ctx) => cxReply('Hi ' + ctx.caller.certificate.cn + ', ' + String(ctx.caller.idToken?.email)),",
  es: "//   whoami: (req, ctx) => esReply('Hi ' + ctx.caller.certificate.cn + ', ' + String(ctx.caller.idToken?.email)),",
  kore: '//   (body, req, ctx) => ({ caller: ctx.caller.certificate.cn, email: ctx.caller.idToken?.email }),',
};

/** The comment at the top of the handlers block: every handler also gets the verified caller. */
export function callerComment(platforms: readonly Platform[]): string {
  const first = allPlatforms.find((p) => platforms.includes(p)) ?? 'cx';
  return [
    '// Every handler also gets ctx, with the caller the TLS handshake verified: ctx.caller.certificate (cn, org,',
    "// fingerprint256, ...) and, with auth 'google-id-token', the verified token's claims in ctx.caller.idToken:",
    callerExamples[first],
    '',
    '',
  ].join('\n');
}
