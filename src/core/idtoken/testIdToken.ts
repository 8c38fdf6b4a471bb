/**
 * Test ID tokens shaped like the ones Dialogflow sends (iss accounts.google.com, email of the agent's
 * service agent, email_verified, aud = the webhook URL), signed by a throwaway RSA key whose JWKS a
 * server can be pointed at (MTLS_GOOGLE_JWKS_URL = a file). The private key never leaves memory.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { generateKeyPair } from '../pki';
import { encodeJwt, type JwtClaims } from './jwt';
import { shellQuote } from '../shellQuote';

/** The email Dialogflow's service agent would have in a project numbered 000000000000 (clearly a test value). */
export const testServiceAgentEmail = 'service-000000000000@gcp-sa-dialogflow.iam.gserviceaccount.com';

/** A JSON Web Key Set as Google publishes it at https://www.googleapis.com/oauth2/v3/certs. */
export interface Jwks {
  keys: { kty: 'RSA'; alg: 'RS256'; use: 'sig'; kid: string; n: string; e: string }[];
}

/** What a test token claims; everything but the audience has a Dialogflow-like default. */
export interface TestTokenClaims {
  audience: string;
  email?: string;
  issuer?: string;
  /** Seconds since the epoch; default now. */
  issuedAt?: number;
  /** Lifetime in seconds (Google's are 3600); negative makes an expired token. */
  lifetimeSeconds?: number;
}

/** A throwaway signing key with its kid and public JWKS. */
export interface TestIdTokenIssuer {
  readonly kid: string;
  readonly jwks: Jwks;
  readonly privateKey: KeyObject;
  /** A signed RS256 token with Dialogflow-shaped claims. */
  sign(claims: TestTokenClaims): string;
}

/** Dialogflow-shaped claims: iss, aud, email (+ verified), sub, azp, iat, exp. */
export function dialogflowClaims(c: TestTokenClaims): JwtClaims {
  const iat = c.issuedAt ?? Math.floor(Date.now() / 1000);
  const lifetime = c.lifetimeSeconds ?? 3600;
  return {
    iss: c.issuer ?? 'https://accounts.google.com',
    aud: c.audience,
    azp: '100000000000000000000',
    sub: '100000000000000000000',
    email: c.email ?? testServiceAgentEmail,
    email_verified: true,
    iat: lifetime < 0 ? iat + lifetime - 60 : iat,
    exp: iat + lifetime,
  };
}

/** Makes a fresh RSA-2048 key (like Google's) and a random kid. */
export async function createTestIdTokenIssuer(): Promise<TestIdTokenIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('rsa2048');
  const kid = `mtls-test-${randomBytes(8).toString('hex')}`;
  const jwk = publicKey.export({ format: 'jwk' });
  const jwks: Jwks = { keys: [{ kty: 'RSA', alg: 'RS256', use: 'sig', kid, n: String(jwk.n), e: String(jwk.e) }] };
  return { kid, jwks, privateKey, sign: (claims) => encodeJwt(dialogflowClaims(claims), { rs256: privateKey }, kid) };
}

/** The test token "Send as Dialogflow" attaches, described without the token itself (for output and logs). */
export interface DialogflowTestIdToken {
  /** The Authorization header value (Bearer …): send it, never print it. */
  readonly authorization: string;
  readonly audience: string;
  readonly email: string;
  readonly kid: string;
  /** The public keys a server must trust to accept it (write with --jwks-out / jwksOut). */
  readonly jwks: Jwks;
  readonly expiresAt: string;
}

/** A fresh throwaway key and one Dialogflow-shaped token for `audience` (the webhook URL by convention). */
export async function dialogflowTestIdToken(o: { audience: string; email?: string }): Promise<DialogflowTestIdToken> {
  const issuer = await createTestIdTokenIssuer();
  const email = o.email ?? testServiceAgentEmail;
  const iat = Math.floor(Date.now() / 1000);
  const token = issuer.sign({ audience: o.audience, email, issuedAt: iat });
  return {
    authorization: `Bearer ${token}`,
    audience: o.audience,
    email,
    kid: issuer.kid,
    jwks: issuer.jwks,
    expiresAt: new Date((iat + 3600) * 1000).toISOString(),
  };
}

/** The server settings that make a scaffolded server.mts accept that token (for the output). */
export function idTokenServerEnv(t: { audience: string; email: string }, jwksFile = 'JWKS_FILE'): string {
  return `MTLS_AUTH=google-id-token MTLS_ID_TOKEN_AUDIENCE=${shellQuote(t.audience)} MTLS_ID_TOKEN_EMAIL=${shellQuote(t.email)} MTLS_GOOGLE_JWKS_URL=${shellQuote(jwksFile)}`;
}
