/** Dialogflow CX / ES and Kore.ai: sample webhook requests and checks of the webhook's response. */
export { type Platform, allPlatforms, platformLabel, isPlatform, detectPlatform, MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, CX_MAX_TIMEOUT_MS } from './platform';
export { sampleRequest, sampleJson, sampleNote } from './samples';
export { checkWebhookResponse, type ResponseCheck } from './checkResponse';
