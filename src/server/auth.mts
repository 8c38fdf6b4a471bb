// The Authorization header check: none, a shared Basic/Bearer secret, or a Google ID token.
import * as nodeCrypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { authMode, type Settings } from './config.mts';
import { fail } from './log.mts';
import { createIdTokenVerifier, idTokenConfigProblem, type IdTokenVerifier } from './idToken.mts';

/** What the check decided: refused with a reason (never the secret), or accepted with the token's claims. */
export type AuthVerdict = { ok: false; reason: string } | { ok: true; claims?: Record<string, unknown> };

/**
 * Checks a Basic/Bearer auth setting at start-up, so a configuration that would let anyone in never listens.
 * Its messages never quote the value: a mistyped one (Bearer:secret) still holds the secret.
 */
export function checkAuthSetting(s: Settings): void {
  const auth = s.auth.trim();
  if (auth === '' || auth === 'google-id-token') return;
  const [scheme = '', secret = ''] = auth.split(/\s+([\s\S]*)/);
  if (!/^(Basic|Bearer)$/i.test(scheme)) {
    const known = /^(basic|bearer)/i.exec(scheme)?.[1];
    fail(
      'BAD_AUTH',
      'auth (MTLS_AUTH or CONFIG.auth) must be empty, "Basic user:password", "Bearer secret" or "google-id-token"' +
        (known !== undefined
          ? ': put a space between ' + known + ' and the secret'
          : ', and it does not start with one of them') +
        ' (the value is not shown, as it may hold a secret)',
    );
  }
  // An empty secret would let through every request that sends empty credentials.
  if (secret.trim() === '')
    fail(
      'BAD_AUTH',
      'auth is "' +
        scheme +
        '" with no secret, so empty credentials would pass: set MTLS_AUTH="' +
        scheme +
        ' <secret>"',
    );
  if (/^basic$/i.test(scheme) && !secret.includes(':'))
    fail('BAD_AUTH', 'Basic auth needs user:password (MTLS_AUTH="Basic user:password")');
}

/** What the start-up line says is required: the scheme, never the secret (a tab may separate the two). */
export function authRequirement(auth: string): string {
  const { mode } = authMode(auth);
  return mode === 'basic' ? 'Basic' : mode === 'bearer' ? 'Bearer' : mode;
}

/** In 'google-id-token' mode, the verifier (exits when the audience or the caller's identity is missing). */
export function idTokenVerifierFor(s: Settings): IdTokenVerifier | undefined {
  if (s.auth.trim() !== 'google-id-token') return undefined;
  const problem = idTokenConfigProblem(s.idToken);
  if (problem !== null) fail('ID_TOKEN_CONFIG', problem);
  return createIdTokenVerifier(s.idToken);
}

/** Whether two secrets are equal, in time that says nothing about either. */
export function sameSecret(a: string, b: string): boolean {
  // Hash first so timingSafeEqual gets equal lengths and the comparison time says nothing about b.
  const h = (s: string): Buffer => nodeCrypto.createHash('sha256').update(s).digest();
  return nodeCrypto.timingSafeEqual(h(a), h(b));
}

/** Checks a request's Authorization header against the configured mode. */
export async function checkAuthorization(
  req: IncomingMessage,
  mode: string,
  verifier: IdTokenVerifier | undefined,
): Promise<AuthVerdict> {
  if (mode === '') return { ok: true };
  const header = req.headers['authorization'] ?? '';
  if (mode === 'google-id-token') {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (m === null) return { ok: false, reason: 'ID token check failed [token]: no Authorization: Bearer token' };
    if (verifier === undefined) return { ok: false, reason: 'ID token check failed [config]: no verifier' };
    const v = await verifier.verify(m[1] ?? '');
    return v.ok
      ? { ok: true, claims: v.claims }
      : {
          ok: false,
          reason: 'ID token check failed [' + v.check + ']: ' + v.reason + ' (observed ' + v.observed + ')',
        };
  }
  const [scheme = '', secret = ''] = mode.split(/\s+([\s\S]*)/);
  const [gotScheme = '', got = ''] = header.split(/\s+([\s\S]*)/);
  if (gotScheme.toLowerCase() !== scheme.toLowerCase())
    return { ok: false, reason: 'expected ' + scheme + ' authorization' };
  if (got.trim() === '' || secret.trim() === '') return { ok: false, reason: 'empty ' + scheme + ' credentials' };
  const expected = scheme.toLowerCase() === 'basic' ? Buffer.from(secret).toString('base64') : secret;
  return sameSecret(got, expected) ? { ok: true } : { ok: false, reason: 'wrong ' + scheme + ' credentials' };
}
