// Google ID tokens (Authorization: Bearer <JWT>), verified with Node built-ins only: RS256 signed by a key from
// Google's JWKS (cached per Cache-Control; a file or a loopback URL for tests and offline mirrors), issuer,
// expiry, issue time, audience and the caller's identity. Fails closed when the keys cannot be had.
import * as nodeCrypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { IdTokenOptions } from './config.mts';

/** The options of a verifier: the configured ones, and what tests may tune. */
export interface VerifierOptions extends IdTokenOptions {
  issuers?: string[];
  skewSeconds?: number; // clock difference tolerated for exp / iat / nbf
  fetchTimeoutMs?: number; // well inside the platform's 5 s webhook timeout
  refetchIntervalMs?: number; // an unknown kid refetches the keys at most this often
  now?: () => number; // ms clock (tests move it)
}

export interface IdTokenVerdict {
  ok: boolean;
  check: string; // the check that failed: token, alg, kid, keys, signature, iss, exp, iat, nbf, aud, email, email_verified, sub
  reason: string; // one sentence, never the token
  observed: string; // iss / aud / email / sub / exp as the token claims them (unverified when the check failed early)
  claims?: Record<string, unknown>; // the verified payload, when ok
}

export interface IdTokenVerifier {
  verify(token: string): Promise<IdTokenVerdict>;
  // Loads the keys now; resolves to a one-line description or rejects with the reason.
  warmUp(): Promise<string>;
}

/** The first configuration problem, or null: an audience and at least one identity are required. */
export function idTokenConfigProblem(o: IdTokenOptions): string | null {
  if (o.audience === '')
    return 'google-id-token needs the expected audience: set MTLS_ID_TOKEN_AUDIENCE (or idToken.audience) to the webhook URL the platform calls';
  if (o.email === '' && o.subject === '') {
    return "google-id-token needs the caller's identity, because anyone can get a Google-signed token for any audience: set MTLS_ID_TOKEN_EMAIL (service-PROJECT_NUMBER@gcp-sa-dialogflow.iam.gserviceaccount.com) and/or MTLS_ID_TOKEN_SUBJECT";
  }
  if (/^https:\/\//i.test(o.jwks)) return null;
  if (/^http:\/\//i.test(o.jwks)) {
    let host = '';
    try {
      host = new URL(o.jwks).hostname;
    } catch {
      return 'MTLS_GOOGLE_JWKS_URL is not a URL: ' + o.jwks;
    }
    if (isLoopbackHost(host)) return null;
    return (
      'MTLS_GOOGLE_JWKS_URL must be https (plain http is allowed on a loopback address only: 127.x.x.x, [::1] or localhost): ' +
      o.jwks
    );
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(o.jwks))
    return 'MTLS_GOOGLE_JWKS_URL must be an https URL, a loopback http URL or a file path: ' + o.jwks;
  return null;
}

/**
 * Whether a URL's host is this machine, so that keys fetched over plain http cannot be swapped on the way: an
 * IPv4 loopback address (URL has already turned 0x7f.1 or 2130706433 into a dotted quad), [::1], or the name
 * localhost, which RFC 6761 reserves for loopback and the machine's own hosts file resolves. Nothing else: a
 * test on the first characters would let 127.evil.example through, and any other name resolves elsewhere.
 */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function base64UrlJson(part: string, what: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new Error(what + ' is not base64url');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new Error(what + ' is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(what + ' is not a JSON object');
  return value as Record<string, unknown>;
}

/** Claims as the token states them, for the log: quoted and cut short, so a hostile token cannot forge log lines. */
function observedClaims(p: Record<string, unknown>): string {
  const q = (v: unknown): string => (v === undefined ? '-' : JSON.stringify(v).slice(0, 120));
  const exp =
    typeof p['exp'] === 'number' && Number.isFinite(p['exp']) && Math.abs(p['exp']) < 1e11
      ? new Date(p['exp'] * 1000).toISOString()
      : q(p['exp']);
  return (
    'iss=' + q(p['iss']) + ' aud=' + q(p['aud']) + ' email=' + q(p['email']) + ' sub=' + q(p['sub']) + ' exp=' + exp
  );
}

/** A kid as a log line shows it: quoted and cut short (it comes from the token or the JWKS, anyone's text). */
function shownKid(kid: string): string {
  return JSON.stringify(kid).slice(0, 80);
}

interface KeySet {
  keys: Map<string, nodeCrypto.KeyObject>;
  refused: Map<string, string>; // kid → why the key is not used (too weak), so a token signed by it says so
  expiresAt: number;
  fileStamp: string; // for a file source: size + mtime, re-read when it changes
}

/** Reads the JWKS text from the URL or file, within the timeout. */
function fetchJwksText(source: string, timeoutMs: number): Promise<{ text: string; maxAgeMs: number | undefined }> {
  if (!/^https?:\/\//i.test(source)) {
    return fs.promises.readFile(source, 'utf8').then(
      (text) => ({ text, maxAgeMs: undefined }),
      (e: NodeJS.ErrnoException) => {
        throw new Error('cannot read the JWKS file ' + source + ' (' + (e.code ?? e.message) + ')');
      },
    );
  }
  return new Promise((resolve, reject) => {
    const get = /^https:/i.test(source) ? https.get : http.get;
    const req = get(source, { headers: { accept: 'application/json' }, timeout: timeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error('the JWKS URL ' + source + ' answered HTTP ' + res.statusCode));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 1024 * 1024) req.destroy(new Error('the JWKS from ' + source + ' is larger than 1 MiB'));
        else chunks.push(c);
      });
      res.on('end', () => {
        const m = /(?:^|[,\s])max-age=(\d+)/i.exec(String(res.headers['cache-control'] ?? ''));
        resolve({ text: Buffer.concat(chunks).toString('utf8'), maxAgeMs: m ? Number(m[1]) * 1000 : undefined });
      });
      res.on('error', reject);
    });
    // The whole exchange, not only idle time, must end in time: the platform is waiting for the answer.
    const timer = setTimeout(
      () => req.destroy(new Error('no answer from the JWKS URL ' + source + ' within ' + timeoutMs + ' ms')),
      timeoutMs,
    );
    req.on('timeout', () =>
      req.destroy(new Error('no answer from the JWKS URL ' + source + ' within ' + timeoutMs + ' ms')),
    );
    req.on('error', (e: Error) =>
      reject(
        new Error(
          e.message.startsWith('no answer') || e.message.startsWith('the JWKS')
            ? e.message
            : 'cannot fetch the JWKS from ' + source + ': ' + e.message,
        ),
      ),
    );
    req.on('close', () => clearTimeout(timer));
  });
}

/**
 * Why an RSA key is too weak to trust, or null. Google's keys are 2048-bit with exponent 65537; with exponent 1
 * a "signature" is the padded hash itself, which anyone can write, and a 512-bit modulus is factored in hours.
 */
function weakKeyReason(key: nodeCrypto.KeyObject): string | null {
  const { modulusLength = 0, publicExponent } = key.asymmetricKeyDetails ?? {};
  if (publicExponent !== 65537n) return 'its RSA exponent is ' + String(publicExponent) + ', not 65537';
  if (modulusLength < 2048) return 'it is a ' + modulusLength + '-bit RSA key (at least 2048 bits are required)';
  return null;
}

/** Parses a JWKS into RSA public keys by kid; throws when it is not JSON or holds no usable key. */
function parseJwks(text: string, source: string): Pick<KeySet, 'keys' | 'refused'> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('the JWKS from ' + source + ' is not JSON');
  }
  const list = typeof doc === 'object' && doc !== null ? (doc as { keys?: unknown }).keys : undefined;
  const keys = new Map<string, nodeCrypto.KeyObject>();
  const refused = new Map<string, string>();
  for (const jwk of Array.isArray(list) ? list : []) {
    if (typeof jwk !== 'object' || jwk === null) continue;
    const j = jwk as Record<string, unknown>;
    if (
      j['kty'] !== 'RSA' ||
      typeof j['kid'] !== 'string' ||
      (j['alg'] !== undefined && j['alg'] !== 'RS256') ||
      (j['use'] !== undefined && j['use'] !== 'sig')
    )
      continue;
    let key: nodeCrypto.KeyObject;
    try {
      key = nodeCrypto.createPublicKey({ key: { kty: 'RSA', n: String(j['n']), e: String(j['e']) }, format: 'jwk' });
    } catch {
      continue; // a malformed key is skipped; the others still verify
    }
    const weak = weakKeyReason(key);
    if (weak === null) keys.set(j['kid'], key);
    else refused.set(j['kid'], weak);
  }
  if (keys.size === 0) {
    const why = [...refused].map(([kid, reason]) => 'kid ' + shownKid(kid) + ': ' + reason).join('; ');
    throw new Error(
      'the JWKS from ' +
        source +
        ' has no usable RS256 key (kty RSA with a kid, at least 2048 bits, exponent 65537)' +
        (why !== '' ? ': ' + why : ''),
    );
  }
  return { keys, refused };
}

/** A verifier for Google-signed RS256 ID tokens; keys cached per Cache-Control, fail closed without them. */
export function createIdTokenVerifier(o: VerifierOptions): IdTokenVerifier {
  const now = o.now ?? Date.now;
  const issuers = o.issuers ?? ['https://accounts.google.com', 'accounts.google.com'];
  const skew = (o.skewSeconds ?? 60) * 1000;
  const timeoutMs = o.fetchTimeoutMs ?? 2000;
  const refetchMs = o.refetchIntervalMs ?? 60_000;
  const isFile = !/^https?:\/\//i.test(o.jwks);
  let cache: KeySet | undefined;
  let lastFetch = -Infinity;
  let inFlight: Promise<KeySet> | undefined;

  const stamp = (): string => {
    try {
      const st = fs.statSync(o.jwks);
      return st.ino + ':' + st.size + ':' + st.mtimeMs;
    } catch {
      return 'missing';
    }
  };
  const load = (): Promise<KeySet> => {
    inFlight ??= (async () => {
      lastFetch = now();
      try {
        const fileStamp = isFile ? stamp() : '';
        const { text, maxAgeMs } = await fetchJwksText(o.jwks, timeoutMs);
        // Without Cache-Control, an hour (Google sends about six); a file is re-read when it changes.
        cache = { ...parseJwks(text, o.jwks), expiresAt: now() + (maxAgeMs ?? 3600_000), fileStamp };
        return cache;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };
  // The key of a kid, or why there is none (a key too weak to trust), or undefined when the JWKS does not name it.
  const keyFor = async (kid: string): Promise<nodeCrypto.KeyObject | { refused: string } | undefined> => {
    const lookUp = (set: KeySet): nodeCrypto.KeyObject | { refused: string } | undefined => {
      const refused = set.refused.get(kid);
      return set.keys.get(kid) ?? (refused !== undefined ? { refused } : undefined);
    };
    let set = cache;
    if (set === undefined || now() >= set.expiresAt || (isFile && set.fileStamp !== stamp())) set = await load();
    const key = lookUp(set);
    if (key !== undefined || isFile) return key;
    // Keys rotate: an unknown kid refetches, but at most once per interval so junk tokens cannot hammer Google.
    if (now() - lastFetch < refetchMs) return undefined;
    return lookUp(await load());
  };

  async function verify(token: string): Promise<IdTokenVerdict> {
    let observed = 'iss=- aud=- email=- sub=- exp=-';
    const refuse = (check: string, reason: string): IdTokenVerdict => ({ ok: false, check, reason, observed });
    const parts = token.split('.');
    if (parts.length !== 3)
      return refuse('token', 'malformed JWT: expected 3 dot-separated parts, got ' + parts.length);
    let header: Record<string, unknown>;
    let payload: Record<string, unknown>;
    try {
      header = base64UrlJson(parts[0] ?? '', 'JWT header');
      payload = base64UrlJson(parts[1] ?? '', 'JWT payload');
    } catch (e) {
      return refuse('token', 'malformed JWT: ' + (e as Error).message);
    }
    observed = observedClaims(payload);
    // One spelling per signature: Buffer's decoder would skip stray characters, padding and trailing bits.
    const signatureText = parts[2] ?? '';
    const signature = Buffer.from(signatureText, 'base64url');
    if (signature.toString('base64url') !== signatureText)
      return refuse('token', 'malformed JWT: the signature is not base64url');
    // Only RS256: 'none' has no signature, and HS256 would let anyone who has Google's PUBLIC key "sign".
    if (header['alg'] !== 'RS256')
      return refuse(
        'alg',
        'alg ' + JSON.stringify(header['alg'] ?? null).slice(0, 40) + ' is not allowed (RS256 only)',
      );
    const kid = header['kid'];
    if (typeof kid !== 'string' || kid === '') return refuse('kid', 'the token names no signing key (kid)');
    let key: nodeCrypto.KeyObject | { refused: string } | undefined;
    try {
      key = await keyFor(kid);
    } catch (e) {
      return refuse('keys', 'signing keys unavailable, refusing: ' + (e as Error).message);
    }
    if (key === undefined)
      return refuse('kid', 'signed by an unknown key (kid ' + shownKid(kid) + ' is not in ' + o.jwks + ')');
    if ('refused' in key)
      return refuse(
        'kid',
        'signed by a key too weak to trust (kid ' + shownKid(kid) + ' in ' + o.jwks + ': ' + key.refused + ')',
      );
    let valid = false;
    try {
      valid = nodeCrypto.verify('RSA-SHA256', Buffer.from(parts[0] + '.' + parts[1]), key, signature);
    } catch {
      // OpenSSL may throw for a signature of the wrong size: a refusal like any other bad signature
    }
    if (!valid) return refuse('signature', 'the RS256 signature does not verify');
    const t = now();
    const iss = payload['iss'];
    if (typeof iss !== 'string') return refuse('iss', 'the issuer (iss) is not one string');
    if (!issuers.includes(iss)) return refuse('iss', 'issuer is not Google (' + issuers.join(' or ') + ')');
    // Times are numbers of seconds since 1970 that a date can hold. A string would skip its check, JSON's 1e400
    // is Infinity (a token that never expires), and beyond ±8.64e12 s there is no date to name in the reason.
    const times: Record<string, number> = {};
    for (const name of ['exp', 'iat', 'nbf']) {
      const v = payload[name];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 8.64e12)
        return refuse(
          name,
          name +
            ' is not a time in seconds since 1970 (' +
            (typeof v === 'number' ? String(v) : JSON.stringify(v).slice(0, 40)) +
            ')',
        );
      times[name] = v;
    }
    const when = (seconds: number): string => new Date(seconds * 1000).toISOString();
    const { exp, iat, nbf } = times;
    if (exp === undefined) return refuse('exp', 'the token has no expiry (exp)');
    if (exp * 1000 + skew <= t) return refuse('exp', 'the token expired at ' + when(exp));
    if (iat === undefined) return refuse('iat', 'the token has no issue time (iat)');
    if (iat * 1000 - skew > t)
      return refuse('iat', 'the token is issued in the future (' + when(iat) + '): check both clocks');
    if (nbf !== undefined && nbf * 1000 - skew > t) return refuse('nbf', 'the token is not valid before ' + when(nbf));
    const aud = payload['aud'];
    if (!(aud === o.audience || (Array.isArray(aud) && aud.includes(o.audience))))
      return refuse('aud', 'audience is not ' + JSON.stringify(o.audience) + ' (MTLS_ID_TOKEN_AUDIENCE)');
    if (o.email !== '') {
      if (payload['email'] !== o.email)
        return refuse('email', 'email is not ' + JSON.stringify(o.email) + ' (MTLS_ID_TOKEN_EMAIL)');
      if (payload['email_verified'] !== true && payload['email_verified'] !== 'true')
        return refuse('email_verified', 'Google does not report the email as verified');
    }
    if (o.subject !== '' && payload['sub'] !== o.subject)
      return refuse('sub', 'subject is not ' + JSON.stringify(o.subject) + ' (MTLS_ID_TOKEN_SUBJECT)');
    return { ok: true, check: '', reason: 'accepted', observed, claims: payload };
  }

  return {
    verify,
    warmUp: async () => {
      const set = await load();
      const refused =
        set.refused.size > 0
          ? ' (' +
            set.refused.size +
            ' too weak to trust, ignored: kid ' +
            [...set.refused.keys()].map(shownKid).join(', ') +
            ')'
          : '';
      return set.keys.size + ' signing key(s) from ' + o.jwks + refused;
    },
  };
}
