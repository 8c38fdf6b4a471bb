/**
 * Checks a webhook's answer against what the platform accepts: the CX / ES WebhookResponse fields and
 * types, and the limits (64 KiB, the webhook timeout). Problems are data for the caller to render.
 */
import { CX_MAX_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, MAX_RESPONSE_BYTES, platformLabel, type Platform } from './platform';

/** One finding about a response; `path` is a JSON path such as `fulfillmentResponse.messages[0]`. */
export interface ResponseCheck {
  severity: 'error' | 'warning' | 'info';
  message: string;
  path?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

const CX_FIELDS = ['fulfillmentResponse', 'pageInfo', 'sessionInfo', 'payload', 'targetPage', 'targetFlow'];
const ES_FIELDS = [
  'fulfillmentText',
  'fulfillmentMessages',
  'source',
  'payload',
  'outputContexts',
  'followupEventInput',
  'sessionEntityTypes',
];
// A CX ResponseMessage holds exactly one of these.
const CX_MESSAGE_KINDS = [
  'text',
  'payload',
  'conversationSuccess',
  'outputAudioText',
  'liveAgentHandoff',
  'endInteraction',
  'playAudio',
  'mixedAudio',
  'telephonyTransferCall',
  'knowledgeInfoCard',
  'toolCall',
  'channel',
];
// An ES Intent.Message holds one of these (plus an optional platform).
const ES_MESSAGE_KINDS = [
  'text',
  'image',
  'quickReplies',
  'card',
  'payload',
  'simpleResponses',
  'basicCard',
  'suggestions',
  'linkOutSuggestion',
  'listSelect',
  'carouselSelect',
  'browseCarouselCard',
  'tableCard',
  'mediaContent',
  'platform',
];

/** Checks a parsed response body for the platform, plus size and time limits. */
export function checkWebhookResponse(
  platform: Platform,
  body: unknown,
  meta: { durationMs: number; bytes: number; timeoutMs?: number },
): ResponseCheck[] {
  const out: ResponseCheck[] = [];
  const label = platformLabel[platform];
  if (platform !== 'kore') {
    const limit = Math.min(
      meta.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      platform === 'cx' ? CX_MAX_TIMEOUT_MS : DEFAULT_TIMEOUT_MS,
    );
    if (meta.durationMs > limit) {
      out.push({
        severity: 'error',
        message: `The answer took ${Math.round(meta.durationMs)} ms; ${label} gives up after ${limit} ms (DEADLINE_EXCEEDED) and uses no part of it.`,
      });
    } else if (meta.durationMs > limit * 0.8) {
      out.push({
        severity: 'warning',
        message: `The answer took ${Math.round(meta.durationMs)} ms, close to ${label}'s ${limit} ms webhook timeout.`,
      });
    }
    if (meta.bytes > MAX_RESPONSE_BYTES) {
      out.push({
        severity: 'error',
        message: `The response is ${meta.bytes} bytes; ${label} accepts at most ${MAX_RESPONSE_BYTES} bytes (64 KiB).`,
      });
    }
  }
  if (platform === 'kore') {
    if (body === undefined)
      out.push({
        severity: 'info',
        message: 'The response is not JSON; a Kore.ai service node stores it as text in context.<node>.response.body.',
      });
    return out;
  }
  if (!isObj(body)) {
    out.push({
      severity: 'error',
      message: `${label} expects a JSON object (WebhookResponse); got ${body === undefined ? 'a body that is not JSON' : typeName(body)}.`,
    });
    return out;
  }
  if (platform === 'cx') checkCx(body, out);
  else checkEs(body, out);
  return out;
}

function unknownFields(body: Obj, known: string[], out: ResponseCheck[], label: string, prefix = ''): void {
  for (const k of Object.keys(body)) {
    if (!known.includes(k))
      out.push({
        severity: 'warning',
        message: `Unknown field "${k}": ${label} rejects or ignores fields outside its WebhookResponse.`,
        path: prefix + k,
      });
  }
}

function expectType(
  v: unknown,
  want: 'object' | 'array' | 'string' | 'number',
  path: string,
  out: ResponseCheck[],
): boolean {
  const ok = want === 'object' ? isObj(v) : want === 'array' ? Array.isArray(v) : typeof v === want;
  if (!ok)
    out.push({
      severity: 'error',
      message: `${path} must be ${want === 'array' || want === 'object' ? 'an' : 'a'} ${want}, got ${typeName(v)}.`,
      path,
    });
  return ok;
}

function checkTextArray(msg: Obj, path: string, out: ResponseCheck[]): void {
  if (!expectType(msg['text'], 'object', `${path}.text`, out)) return;
  const t = (msg['text'] as Obj)['text'];
  if (!expectType(t, 'array', `${path}.text.text`, out)) return;
  (t as unknown[]).forEach((s, i) => expectType(s, 'string', `${path}.text.text[${i}]`, out));
}

function checkCx(body: Obj, out: ResponseCheck[]): void {
  unknownFields(body, CX_FIELDS, out, 'Dialogflow CX');
  const fr = body['fulfillmentResponse'];
  if (fr === undefined) {
    out.push({
      severity: 'warning',
      message:
        'No fulfillmentResponse: the agent says nothing from this webhook (fine only if you meant to set parameters or a target).',
      path: 'fulfillmentResponse',
    });
  } else if (expectType(fr, 'object', 'fulfillmentResponse', out)) {
    const f = fr as Obj;
    unknownFields(f, ['messages', 'mergeBehavior'], out, 'Dialogflow CX', 'fulfillmentResponse.');
    const mb = f['mergeBehavior'];
    if (mb !== undefined && !['MERGE_BEHAVIOR_UNSPECIFIED', 'APPEND', 'REPLACE'].includes(mb as string)) {
      out.push({
        severity: 'error',
        message: `fulfillmentResponse.mergeBehavior must be APPEND or REPLACE, got ${JSON.stringify(mb)}.`,
        path: 'fulfillmentResponse.mergeBehavior',
      });
    }
    const msgs = f['messages'];
    if (msgs === undefined)
      out.push({
        severity: 'warning',
        message: 'fulfillmentResponse has no messages.',
        path: 'fulfillmentResponse.messages',
      });
    else if (expectType(msgs, 'array', 'fulfillmentResponse.messages', out)) {
      (msgs as unknown[]).forEach((m, i) => {
        const p = `fulfillmentResponse.messages[${i}]`;
        if (!expectType(m, 'object', p, out)) return;
        const kinds = Object.keys(m as Obj).filter((k) => CX_MESSAGE_KINDS.includes(k));
        if (kinds.length !== 1)
          out.push({
            severity: 'warning',
            message: `${p} should hold exactly one of text, payload, … (has ${kinds.length === 0 ? 'none' : kinds.join(', ')}).`,
            path: p,
          });
        if ('text' in (m as Obj)) checkTextArray(m as Obj, p, out);
      });
    }
  }
  const si = body['sessionInfo'];
  if (si !== undefined && expectType(si, 'object', 'sessionInfo', out)) {
    const params = (si as Obj)['parameters'];
    if (params !== undefined) expectType(params, 'object', 'sessionInfo.parameters', out);
  }
  const pi = body['pageInfo'];
  if (pi !== undefined && expectType(pi, 'object', 'pageInfo', out)) {
    for (const k of Object.keys(pi as Obj)) {
      if (k !== 'formInfo' && k !== 'currentPage' && k !== 'displayName')
        out.push({
          severity: 'warning',
          message: `pageInfo.${k} is ignored: a webhook may only set pageInfo.formInfo.`,
          path: `pageInfo.${k}`,
        });
    }
  }
  if (body['payload'] !== undefined) expectType(body['payload'], 'object', 'payload', out);
  for (const t of ['targetPage', 'targetFlow']) if (body[t] !== undefined) expectType(body[t], 'string', t, out);
  if (body['targetPage'] !== undefined && body['targetFlow'] !== undefined) {
    out.push({
      severity: 'error',
      message: 'Set targetPage or targetFlow, not both (they are a oneof).',
      path: 'targetFlow',
    });
  }
}

function checkEs(body: Obj, out: ResponseCheck[]): void {
  unknownFields(body, ES_FIELDS, out, 'Dialogflow ES');
  if (body['fulfillmentText'] !== undefined) expectType(body['fulfillmentText'], 'string', 'fulfillmentText', out);
  if (body['source'] !== undefined) expectType(body['source'], 'string', 'source', out);
  if (body['payload'] !== undefined) expectType(body['payload'], 'object', 'payload', out);
  const msgs = body['fulfillmentMessages'];
  if (msgs !== undefined && expectType(msgs, 'array', 'fulfillmentMessages', out)) {
    (msgs as unknown[]).forEach((m, i) => {
      const p = `fulfillmentMessages[${i}]`;
      if (!expectType(m, 'object', p, out)) return;
      if (!Object.keys(m as Obj).some((k) => ES_MESSAGE_KINDS.includes(k)))
        out.push({
          severity: 'warning',
          message: `${p} holds no known message kind (text, card, payload, …).`,
          path: p,
        });
      if ('text' in (m as Obj)) checkTextArray(m as Obj, p, out);
    });
  }
  const ctx = body['outputContexts'];
  if (ctx !== undefined && expectType(ctx, 'array', 'outputContexts', out)) {
    (ctx as unknown[]).forEach((c, i) => {
      const p = `outputContexts[${i}]`;
      if (!expectType(c, 'object', p, out)) return;
      if (typeof (c as Obj)['name'] !== 'string')
        out.push({
          severity: 'error',
          message: `${p}.name is required (projects/…/agent/sessions/…/contexts/NAME).`,
          path: `${p}.name`,
        });
      const lc = (c as Obj)['lifespanCount'];
      if (lc !== undefined && !(typeof lc === 'number' && Number.isInteger(lc) && lc >= 0))
        out.push({
          severity: 'error',
          message: `${p}.lifespanCount must be a whole number ≥ 0.`,
          path: `${p}.lifespanCount`,
        });
    });
  }
  const fe = body['followupEventInput'];
  if (fe !== undefined && expectType(fe, 'object', 'followupEventInput', out)) {
    if (typeof (fe as Obj)['name'] !== 'string')
      out.push({ severity: 'error', message: 'followupEventInput.name is required.', path: 'followupEventInput.name' });
    if (body['fulfillmentText'] !== undefined || msgs !== undefined || body['payload'] !== undefined) {
      out.push({
        severity: 'info',
        message: 'followupEventInput is set, so Dialogflow ignores fulfillmentText, fulfillmentMessages and payload.',
        path: 'followupEventInput',
      });
    }
  }
  if (body['sessionEntityTypes'] !== undefined)
    expectType(body['sessionEntityTypes'], 'array', 'sessionEntityTypes', out);
  if (
    body['fulfillmentText'] === undefined &&
    msgs === undefined &&
    fe === undefined &&
    body['payload'] === undefined
  ) {
    out.push({
      severity: 'warning',
      message:
        "No fulfillmentText, fulfillmentMessages, payload or followupEventInput: Dialogflow falls back to the intent's own responses.",
    });
  }
}
