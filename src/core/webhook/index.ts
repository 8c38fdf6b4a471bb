/** Dialogflow CX / ES and Kore.ai: sample webhook requests and checks of the webhook's response. */
export { type Platform, allPlatforms, platformLabel, isPlatform, detectPlatform, DEFAULT_TIMEOUT_MS } from './platform';
export { sampleRequest, sampleJson } from './samples';
export { checkWebhookResponse, type ResponseCheck } from './checkResponse';
