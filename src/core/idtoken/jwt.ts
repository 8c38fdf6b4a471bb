/** Compact JWS encoding (RFC 7515) for the test ID tokens: RS256, or the forbidden forms the probe sends. */
import { createHmac, sign, type KeyObject } from 'node:crypto';

export type JwtClaims = Record<string, unknown>;

/** How to sign: an RSA private key (RS256), nothing (`alg: none`), or an HMAC secret (HS256). */
export type JwtSigner = { rs256: KeyObject } | { none: true } | { hs256: Buffer | string };

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** header.payload.signature; `kid` goes into the header when given. */
export function encodeJwt(payload: JwtClaims, signer: JwtSigner, kid?: string): string {
  const alg = 'rs256' in signer ? 'RS256' : 'hs256' in signer ? 'HS256' : 'none';
  const head = b64url(JSON.stringify({ alg, typ: 'JWT', ...(kid !== undefined ? { kid } : {}) }));
  const input = `${head}.${b64url(JSON.stringify(payload))}`;
  if ('rs256' in signer) return `${input}.${b64url(sign('RSA-SHA256', Buffer.from(input), signer.rs256))}`;
  if ('hs256' in signer) return `${input}.${b64url(createHmac('sha256', signer.hs256).update(input).digest())}`;
  return `${input}.`;
}
