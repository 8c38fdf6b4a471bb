/** The mTLS webhook client, the mTLS probe, and explanations of TLS failures. */
export type {
  ClientCredentials,
  SendOptions,
  SendResult,
  SentIdToken,
  SendTiming,
  TlsDetails,
  CertSummary,
} from './types';
export { sendWebhook, createWebhookClient, type WebhookClient, type WebhookClientOptions } from './webhookClient';
export {
  explainTlsError,
  explanationCodes,
  knownExplanations,
  type Explanation,
  type ExplanationAction,
} from './explainTlsError';
export {
  acceptedAtHandshake,
  probeEndpoint,
  refusedAtHandshake,
  PROBE_TIMEOUT_MS,
  type ProbeResult,
  type ProbeRow,
  type ProbeVerdict,
  type ProbeObservation,
  type ProbeOptions,
  type IdTokenRowId,
} from './probeEndpoint';
export {
  renderSendResult,
  renderSendDocument,
  renderProbeResult,
  renderProbeDocument,
  compactSteps,
  type SendDocumentParts,
} from './renderResult';
export { probeNotice, sendNotice, type Notice } from './notices';
export { buildHandshakeTimeline } from './handshakeTimeline';
export { parseServerLog, mergeServerLog, type ObservedHandshake } from './serverLog';
export { renderHandshakeTimeline } from './renderHandshake';
export type {
  HandshakeTimeline,
  HandshakeStep,
  HandshakeStepNumber,
  HandshakeStepStatus,
  HandshakeObservation,
  PresentedCertificate,
  ServerLogLine,
} from './handshakeTypes';
