// Sample requests follow the published WebhookRequest formats; checkWebhookResponse flags what the platforms reject.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  checkWebhookResponse,
  detectPlatform,
  sampleJson,
  sampleRequest,
  type Platform,
} from '../../../src/core/webhook/index';

const fast = { durationMs: 120, bytes: 200 };
const messages = (checks: { message: string }[]): string => checks.map((c) => c.message).join(' | ');

/** The fields of the CX sample these tests read. */
type CxSample = {
  detectIntentResponseId: string;
  fulfillmentInfo: { tag: unknown };
  intentInfo: { parameters: { size: unknown }; lastMatchedIntent: string };
  pageInfo: { currentPage: string; formInfo: { parameterInfo: unknown } };
  sessionInfo: { session: string; parameters: unknown };
  messages: { text: { text: unknown[] } }[];
  languageCode: unknown;
  text: unknown;
};
/** The fields of the ES sample these tests read. */
type EsSample = {
  responseId: unknown;
  session: string;
  queryResult: { outputContexts: { name: string }[] };
  originalDetectIntentRequest: object;
};

describe('sample webhook requests', () => {
  it('CX sample is the shirt-order WebhookRequest with every field Dialogflow CX sends', () => {
    const r = sampleRequest('cx') as CxSample;
    assert.match(r['detectIntentResponseId'], /^[0-9a-f-]{36}$/);
    assert.equal(typeof r['fulfillmentInfo'].tag, 'string');
    assert.deepEqual(Object.keys(r['intentInfo']).sort(), [
      'confidence',
      'displayName',
      'lastMatchedIntent',
      'parameters',
    ]);
    assert.deepEqual(r['intentInfo'].parameters.size, { originalValue: 'medium', resolvedValue: 'M' });
    assert.match(r['intentInfo'].lastMatchedIntent, /^projects\/[^/]+\/locations\/[^/]+\/agents\/[^/]+\/intents\//);
    assert.match(r['pageInfo'].currentPage, /\/flows\/[^/]+\/pages\//);
    assert.ok(Array.isArray(r['pageInfo'].formInfo.parameterInfo));
    assert.match(r['sessionInfo'].session, /\/sessions\//);
    assert.equal(typeof r['sessionInfo'].parameters, 'object');
    assert.equal(r['messages'][0].text.text.length, 1);
    assert.equal(r['languageCode'], 'en');
    assert.equal(typeof r['text'], 'string');
  });

  it('ES sample is a v2 WebhookRequest with queryResult and originalDetectIntentRequest', () => {
    const r = sampleRequest('es') as EsSample;
    assert.equal(typeof r['responseId'], 'string');
    assert.match(r['session'], /^projects\/[^/]+\/agent\/sessions\//);
    const q = r['queryResult'];
    for (const k of [
      'queryText',
      'languageCode',
      'action',
      'parameters',
      'allRequiredParamsPresent',
      'fulfillmentText',
      'fulfillmentMessages',
      'outputContexts',
      'intent',
      'intentDetectionConfidence',
    ])
      assert.ok(k in q, k);
    assert.ok(q.outputContexts[0].name.startsWith(`${r['session']}/contexts/`));
    assert.deepEqual(Object.keys(r['originalDetectIntentRequest']).sort(), ['payload', 'source', 'version']);
  });

  it('Kore sample is a designer-defined body (session, user, context)', () => {
    const r = sampleRequest('kore');
    assert.deepEqual(Object.keys(r).slice(0, 3), ['session', 'user', 'context']);
  });

  it('sampleJson is pretty JSON that parses back to the sample, and samples are fresh objects', () => {
    for (const p of ['cx', 'es', 'kore'] as Platform[]) {
      const text = sampleJson(p);
      assert.ok(text.endsWith('\n') && text.includes('\n  "'));
      assert.deepEqual(JSON.parse(text), sampleRequest(p));
    }
    const a = sampleRequest('cx');
    a['text'] = 'changed';
    assert.notEqual(sampleRequest('cx')['text'], 'changed');
  });

  it('detectPlatform recognises each sample and refuses non-objects', () => {
    assert.equal(detectPlatform(sampleRequest('cx')), 'cx');
    assert.equal(detectPlatform(sampleRequest('es')), 'es');
    assert.equal(detectPlatform(sampleRequest('kore')), 'kore');
    assert.equal(detectPlatform([1, 2]), undefined);
    assert.equal(detectPlatform('text'), undefined);
  });
});

describe('checkWebhookResponse', () => {
  it('accepts a valid CX WebhookResponse', () => {
    const body = {
      fulfillmentResponse: { messages: [{ text: { text: ['Your order is on its way.'] } }], mergeBehavior: 'REPLACE' },
      sessionInfo: { parameters: { order: null } },
      targetPage: 'projects/p/locations/l/agents/a/flows/f/pages/p',
    };
    assert.deepEqual(checkWebhookResponse('cx', body, fast), []);
  });

  it('CX: unknown fields, a missing fulfillmentResponse and wrong types are flagged with paths', () => {
    const missing = checkWebhookResponse(
      'cx',
      { sessionInfo: { parameters: { a: 1 } }, fulfillmentText: 'ES field' },
      fast,
    );
    assert.ok(
      missing.some((c) => c.path === 'fulfillmentResponse' && c.severity === 'warning'),
      messages(missing),
    );
    assert.ok(missing.some((c) => c.path === 'fulfillmentText' && /Unknown field/.test(c.message)));
    const wrong = checkWebhookResponse(
      'cx',
      {
        fulfillmentResponse: { messages: [{ text: { text: 'not an array' } }], mergeBehavior: 'MERGE' },
        sessionInfo: { parameters: [] },
        targetPage: 'a',
        targetFlow: 'b',
      },
      fast,
    );
    const paths = wrong.filter((c) => c.severity === 'error').map((c) => c.path);
    assert.deepEqual(
      paths.sort(),
      [
        'fulfillmentResponse.mergeBehavior',
        'fulfillmentResponse.messages[0].text.text',
        'sessionInfo.parameters',
        'targetFlow',
      ].sort(),
    );
  });

  it('ES: a valid response passes; bad contexts, types and followupEventInput are reported', () => {
    const ok = {
      fulfillmentText: 'Hi',
      fulfillmentMessages: [{ text: { text: ['Hi'] } }],
      source: 'x',
      outputContexts: [{ name: 'projects/p/agent/sessions/s/contexts/c', lifespanCount: 2, parameters: {} }],
    };
    assert.deepEqual(checkWebhookResponse('es', ok, fast), []);
    const bad = checkWebhookResponse(
      'es',
      {
        fulfillmentText: 3,
        outputContexts: [{ lifespanCount: -1 }],
        followupEventInput: { name: 'EVT' },
        fulfillmentResponse: {},
      },
      fast,
    );
    const text = messages(bad);
    assert.match(text, /fulfillmentText must be a string/);
    assert.match(text, /outputContexts\[0\]\.name is required/);
    assert.match(text, /lifespanCount must be a whole number/);
    assert.match(text, /ignores fulfillmentText/);
    assert.match(text, /Unknown field "fulfillmentResponse"/);
  });

  it('flags a response slower than the webhook timeout, and honours a longer CX timeout up to 30 s', () => {
    const body = { fulfillmentText: 'late' };
    assert.match(
      messages(checkWebhookResponse('es', body, { durationMs: 5_200, bytes: 20 })),
      /gives up after 5000 ms/,
    );
    const cx = { fulfillmentResponse: { messages: [{ text: { text: ['x'] } }] } };
    assert.deepEqual(checkWebhookResponse('cx', cx, { durationMs: 5_200, bytes: 20, timeoutMs: 15_000 }), []);
    assert.match(
      messages(checkWebhookResponse('cx', cx, { durationMs: 31_000, bytes: 20, timeoutMs: 60_000 })),
      /after 30000 ms/,
    );
    assert.match(messages(checkWebhookResponse('cx', cx, { durationMs: 4_500, bytes: 20 })), /close to/);
  });

  it('flags a response larger than 64 KiB', () => {
    const big = { fulfillmentText: 'x'.repeat(70_000) };
    const checks = checkWebhookResponse('es', big, { durationMs: 10, bytes: 70_020 });
    assert.ok(checks.some((c) => c.severity === 'error' && /at most 65536 bytes/.test(c.message)));
    assert.deepEqual(
      checkWebhookResponse('es', big, { durationMs: 10, bytes: 65_536 }).filter((c) => c.severity === 'error'),
      [],
    );
  });

  it('a non-JSON body is an error for Dialogflow and only a note for Kore.ai', () => {
    assert.equal(checkWebhookResponse('cx', undefined, fast)[0]?.severity, 'error');
    assert.equal(checkWebhookResponse('kore', undefined, fast)[0]?.severity, 'info');
    assert.deepEqual(checkWebhookResponse('kore', { anything: true }, fast), []);
  });
});
