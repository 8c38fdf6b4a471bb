/**
 * Sample webhook requests as each platform sends them. CX and ES follow the published WebhookRequest
 * protos (JSON in lowerCamelCase); the CX one is the shirt-order example of the CX webhook guide.
 * Kore.ai has no fixed request: a service node's body is whatever the bot designer typed, so ours is a
 * typical designer-defined body (session, user, context, the user's input) and says so.
 */
import type { Platform } from './platform';

const CX_AGENT = 'projects/my-project/locations/global/agents/00000000-0000-4000-8000-000000000000';
const ES_PROJECT = 'projects/my-project/agent';

function cx(): Record<string, unknown> {
  const session = `${CX_AGENT}/sessions/a1b2c3d4-e5f6-4a1b-8c2d-3e4f5a6b7c8d`;
  return {
    detectIntentResponseId: '8f4c2a5e-3b1d-4c6e-9a7f-2d8b1e5c4a3f',
    intentInfo: {
      lastMatchedIntent: `${CX_AGENT}/intents/9d3e7b2a-1c4f-4e8d-a5b6-7c8d9e0f1a2b`,
      displayName: 'order.shirt',
      parameters: {
        size: { originalValue: 'medium', resolvedValue: 'M' },
        color: { originalValue: 'blue', resolvedValue: 'blue' },
      },
      confidence: 0.92,
    },
    pageInfo: {
      currentPage: `${CX_AGENT}/flows/00000000-0000-0000-0000-000000000000/pages/5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9`,
      displayName: 'Order Confirmation',
      formInfo: {
        parameterInfo: [
          { displayName: 'size', required: true, state: 'FILLED', value: 'M', justCollected: true },
          { displayName: 'color', required: true, state: 'FILLED', value: 'blue', justCollected: false },
        ],
      },
    },
    sessionInfo: { session, parameters: { size: 'M', color: 'blue' } },
    fulfillmentInfo: { tag: 'confirm-order' },
    messages: [
      {
        text: { text: ['You would like a medium blue shirt. Let me check that order for you.'] },
        responseType: 'HANDLER_PROMPT',
        source: 'VIRTUAL_AGENT',
      },
    ],
    text: 'a medium one in blue',
    languageCode: 'en',
  };
}

function es(): Record<string, unknown> {
  const session = `${ES_PROJECT}/sessions/7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`;
  return {
    responseId: 'c4b2e6f8-1a3d-4b5c-9e7f-0a2b4c6d8e1f-0820055c',
    session,
    queryResult: {
      queryText: 'I want to order a medium blue shirt',
      languageCode: 'en',
      action: 'order.shirt',
      parameters: { size: 'M', color: 'blue' },
      allRequiredParamsPresent: true,
      fulfillmentText: 'Ordering a medium blue shirt.',
      fulfillmentMessages: [{ text: { text: ['Ordering a medium blue shirt.'] } }],
      outputContexts: [
        {
          name: `${session}/contexts/order-followup`,
          lifespanCount: 2,
          parameters: { size: 'M', 'size.original': 'medium', color: 'blue', 'color.original': 'blue' },
        },
      ],
      intent: { name: `${ES_PROJECT}/intents/29bcd7f8-f717-4261-a8fd-2d3e451b8af8`, displayName: 'order.shirt' },
      intentDetectionConfidence: 0.9,
    },
    originalDetectIntentRequest: { source: 'DIALOGFLOW_CONSOLE', version: '2', payload: {} },
  };
}

function kore(): Record<string, unknown> {
  // A service node's body is designer-defined; {{context.*}} placeholders are filled in by Kore before sending.
  return {
    session: { id: '64f1c2d3e4b5a6978899aabb', channel: 'rtm', startedAt: '2026-11-23T09:15:00.000Z' },
    user: { id: 'u-5a6b7c8d', name: 'Alex Doe', email: 'alex@example.com' },
    context: { intent: 'Order Shirt', entities: { size: 'M', color: 'blue' }, lastUserMessage: 'a medium one in blue' },
    request: { action: 'createOrder', locale: 'en-US' },
  };
}

/** A realistic request body for the platform (a fresh object each call). */
export function sampleRequest(platform: Platform): Record<string, unknown> {
  return { cx, es, kore }[platform]();
}

/** The sample as pretty JSON with a trailing newline, for "save sample to workspace". */
export function sampleJson(platform: Platform): string {
  return JSON.stringify(sampleRequest(platform), null, 2) + '\n';
}
