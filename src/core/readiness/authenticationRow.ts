/** The row about how the webhook knows the caller beyond its certificate. */
import type { AuthMode } from '../scaffold/serverConfig';
import type { Platform } from '../webhook/index';
import { row, type CheckRow } from './types';

export interface AuthInput {
  readonly platform: Platform;
  /** The server's Authorization check, and whether its Basic/Bearer secret is set (never the secret). */
  readonly mode: AuthMode;
  readonly hasSecret: boolean;
  readonly idTokenAudience?: string;
  readonly idTokenEmail?: string;
  readonly idTokenSubject?: string;
}

const G = 'authentication' as const;

export function authenticationRow(o: AuthInput): CheckRow {
  if (o.mode === 'google-id-token') {
    const missing = [
      o.idTokenAudience ? '' : 'an audience (MTLS_ID_TOKEN_AUDIENCE)',
      o.idTokenEmail || o.idTokenSubject ? '' : 'an identity (MTLS_ID_TOKEN_EMAIL or MTLS_ID_TOKEN_SUBJECT)',
    ].filter(Boolean);
    if (missing.length > 0)
      return row(
        'auth',
        G,
        'fail',
        `Google ID-token verification is on but lacks ${missing.join(' and ')}: the server refuses to start.`,
        'Set the audience to the webhook URL and the email to service-PROJECT_NUMBER@gcp-sa-dialogflow.iam.gserviceaccount.com.',
      );
    if (o.platform === 'kore')
      return row(
        'auth',
        G,
        'warn',
        'Google ID-token verification is on, but Kore.ai does not send Google ID tokens: every Kore.ai request will be refused.',
        'Use basic auth or a Bearer secret for Kore.ai (MTLS_AUTH).',
      );
    return row(
      'auth',
      G,
      'pass',
      `Google ID token verified (audience ${o.idTokenAudience}; ${[o.idTokenEmail ? `email ${o.idTokenEmail}` : '', o.idTokenSubject ? `sub ${o.idTokenSubject}` : ''].filter(Boolean).join(', ')}).`,
    );
  }
  if (o.mode === 'basic' || o.mode === 'bearer') {
    const name = o.mode === 'basic' ? 'Basic' : 'Bearer';
    if (!o.hasSecret)
      return row(
        'auth',
        G,
        'fail',
        `The auth mode is ${name} with no secret: the server refuses to start with an empty secret.`,
        `Set the secret in the environment variable (MTLS_AUTH="${o.mode === 'basic' ? 'Basic user:password' : 'Bearer a-long-random-secret'}").`,
      );
    return row(
      'auth',
      G,
      'pass',
      `${o.mode === 'basic' ? 'Basic auth' : 'A shared Bearer secret'} is required on every request${o.platform === 'cx' ? " (CX: configure the same value in the webhook's authentication settings)" : ''}.`,
    );
  }
  if (o.mode === 'unknown')
    return row(
      'auth',
      G,
      'fail',
      'The auth mode is not one server.mts knows: it refuses to start.',
      'Use google-id-token, "Basic user:password" or "Bearer secret".',
    );
  const advice =
    o.platform === 'kore'
      ? "Add basic auth or a Bearer secret in the service node's headers and MTLS_AUTH."
      : 'Verify the Google ID token Dialogflow sends (MTLS_AUTH=google-id-token with MTLS_ID_TOKEN_AUDIENCE and MTLS_ID_TOKEN_EMAIL), or configure basic auth (MTLS_AUTH="Basic user:password").';
  return row(
    'auth',
    G,
    'warn',
    'No authentication beyond the client certificate: only the certificate identifies the caller.',
    advice,
  );
}
