// The ID-token verifier of the generated server.ts, run as generated, against real JWKS servers on 127.0.0.1.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { createHash, createHmac, createPublicKey, generateKeyPairSync, sign, verify as verifyRsa } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import {
  createTestIdTokenIssuer,
  dialogflowClaims,
  encodeJwt,
  testServiceAgentEmail,
  type TestIdTokenIssuer,
} from '../../../src/core/idtoken/index';
import {
  jwksServer,
  loadGeneratedVerifier,
  type GeneratedVerifier,
  type IdTokenOptions,
  type JwksServer,
} from './idtoken-support';
import { tempDir } from '../support/http';

const AUD = 'https://webhook.example.com/webhook';
const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('ID-token verifier of server.ts', () => {
  let gen: GeneratedVerifier;
  let keyA: TestIdTokenIssuer;
  let keyB: TestIdTokenIssuer;
  let jwks: JwksServer;
  let clock: number;
  const options = (o: Partial<IdTokenOptions> = {}): IdTokenOptions => ({
    audience: AUD,
    email: testServiceAgentEmail,
    subject: '',
    jwks: jwks.url,
    now: () => clock,
    ...o,
  });
  const verifier = (o: Partial<IdTokenOptions> = {}): ReturnType<GeneratedVerifier['createIdTokenVerifier']> =>
    gen.createIdTokenVerifier(options(o));
  const nowS = (): number => Math.floor(clock / 1000);
  const signed = (claims: Record<string, unknown>, key = keyA): string =>
    encodeJwt(
      { ...dialogflowClaims({ audience: AUD, issuedAt: nowS() }), ...claims },
      { rs256: key.privateKey },
      key.kid,
    );

  before(async () => {
    gen = await loadGeneratedVerifier();
    [keyA, keyB] = await Promise.all([createTestIdTokenIssuer(), createTestIdTokenIssuer()]);
    jwks = await jwksServer(JSON.stringify(keyA.jwks));
  });
  after(async () => {
    await jwks.close();
  });

  it('accepts a Dialogflow-shaped RS256 token signed by a key in the JWKS', async () => {
    clock = Date.now();
    const v = await verifier().verify(keyA.sign({ audience: AUD }));
    assert.deepEqual({ ok: v.ok, check: v.check }, { ok: true, check: '' }, v.reason);
    assert.match(
      v.observed,
      new RegExp(
        `iss="https://accounts.google.com" aud="${AUD}" email="${testServiceAgentEmail}" sub="\\d+" exp=\\d{4}-`,
      ),
    );
  });

  it('refuses each wrong claim in turn and names the check', async () => {
    clock = Date.now();
    const v = verifier({ subject: '100000000000000000000' });
    const cases: [string, Record<string, unknown>][] = [
      ['iss', { iss: 'https://evil.example.com' }],
      ['exp', { exp: nowS() - 120 }],
      ['exp', { exp: undefined }],
      ['iat', { iat: nowS() + 3600 }],
      ['iat', { iat: undefined }],
      ['nbf', { nbf: nowS() + 3600 }],
      ['aud', { aud: 'https://other.example.com/' }],
      ['email', { email: 'someone@gmail.com' }],
      ['email_verified', { email_verified: false }],
      ['email_verified', { email_verified: undefined }],
      ['sub', { sub: '999' }],
      // Claims of the wrong type or beyond any date: refused, never skipped, never an exception.
      ['iss', { iss: ['https://accounts.google.com'] }],
      ['exp', { exp: -1e300 }],
      ['exp', { exp: String(nowS() + 3600) }],
      ['iat', { iat: 1e300 }],
      ['iat', { iat: -1e300 }],
      ['nbf', { nbf: String(nowS() + 3600) }],
      ['nbf', { nbf: 'later' }],
      ['nbf', { nbf: 1e300 }],
    ];
    for (const [check, claims] of cases) {
      const r = await v.verify(signed(claims));
      assert.equal(r.ok, false, `${check} ${JSON.stringify(claims)}`);
      assert.equal(r.check, check, `${JSON.stringify(claims)}: ${r.reason}`);
    }
    // Within the clock skew is still fine, both ways.
    assert.equal((await v.verify(signed({ exp: nowS() - 30, iat: nowS() - 3000 }))).ok, true);
    assert.equal((await v.verify(signed({ iat: nowS() + 30, nbf: nowS() + 30 }))).ok, true);
    // The observed claims name what the token said, for the log.
    assert.match(
      (await v.verify(signed({ aud: 'https://other.example.com/' }))).observed,
      /aud="https:\/\/other\.example\.com\/"/,
    );
  });

  it('refuses a time JSON reads as Infinity, and a signature spelled any way but plain base64url', async () => {
    clock = Date.now();
    const v = verifier();
    const rawSigned = (payloadJson: string): string => {
      const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: keyA.kid })}.${Buffer.from(payloadJson).toString('base64url')}`;
      return `${input}.${sign('RSA-SHA256', Buffer.from(input), keyA.privateKey).toString('base64url')}`;
    };
    const claims = JSON.stringify(dialogflowClaims({ audience: AUD, issuedAt: nowS() }));
    const forever = await v.verify(rawSigned(claims.replace(/"exp":\d+/, '"exp":1e400')));
    assert.deepEqual(
      { ok: forever.ok, check: forever.check, reason: forever.reason },
      { ok: false, check: 'exp', reason: 'exp is not a time in seconds since 1970 (Infinity)' },
    );
    const good = signed({});
    assert.equal((await v.verify(good)).ok, true);
    const [h, p, sig = ''] = good.split('.');
    // 256 signature bytes take 342 characters, the last one carrying 4 unused bits: a second spelling of the same bytes.
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = sig.slice(0, -1) + last[last.indexOf(sig.slice(-1)) ^ 1];
    assert.deepEqual(Buffer.from(twin, 'base64url'), Buffer.from(sig, 'base64url'), 'the same signature bytes');
    for (const spelling of [
      `${sig}=`,
      `${sig}==`,
      `${sig.slice(0, 100)}+${sig.slice(100)}`,
      `${sig.slice(0, 100)}!${sig.slice(100)}`,
      `${sig.slice(0, 100)} ${sig.slice(100)}`,
      twin,
    ]) {
      const r = await v.verify(`${h}.${p}.${spelling}`);
      assert.deepEqual(
        { ok: r.ok, check: r.check, reason: r.reason },
        { ok: false, check: 'token', reason: 'malformed JWT: the signature is not base64url' },
        spelling.slice(95, 105),
      );
    }
  });

  it('accepts a subject-only configuration, and checks email only when configured', async () => {
    clock = Date.now();
    const v = verifier({ email: '', subject: '100000000000000000000' });
    assert.equal((await v.verify(signed({ email: 'anything@example.com', email_verified: false }))).ok, true);
    assert.equal((await v.verify(signed({ sub: '2' }))).check, 'sub');
  });

  it("refuses alg none, HS256 (also keyed with Google's public key) and every alg other than RS256", async () => {
    clock = Date.now();
    const v = verifier();
    const claims = dialogflowClaims({ audience: AUD, issuedAt: nowS() });
    const pubPem = createPublicKey(keyA.privateKey).export({ type: 'spki', format: 'pem' });
    const forged = [
      encodeJwt(claims, { none: true }, keyA.kid),
      encodeJwt(claims, { hs256: String(pubPem) }, keyA.kid),
      encodeJwt(claims, { hs256: JSON.stringify(keyA.jwks.keys[0]) }, keyA.kid),
    ];
    // RS512 with a valid RSA-SHA512 signature by the right key, and ES256 by some EC key.
    const rs512Input = `${b64({ alg: 'RS512', kid: keyA.kid })}.${b64(claims)}`;
    forged.push(`${rs512Input}.${sign('RSA-SHA512', Buffer.from(rs512Input), keyA.privateKey).toString('base64url')}`);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const es256Input = `${b64({ alg: 'ES256', kid: keyA.kid })}.${b64(claims)}`;
    forged.push(
      `${es256Input}.${sign('sha256', Buffer.from(es256Input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`,
    );
    const noAlgInput = `${b64({ kid: keyA.kid })}.${b64(claims)}`;
    forged.push(`${noAlgInput}.${createHmac('sha256', 'x').update(noAlgInput).digest('base64url')}`);
    for (const token of forged) {
      const r = await v.verify(token);
      assert.deepEqual({ ok: r.ok, check: r.check }, { ok: false, check: 'alg' }, token.split('.')[0]);
      assert.match(r.reason, /is not allowed \(RS256 only\)/);
    }
  });

  it('refuses a tampered payload and a signature by another key under a known kid', async () => {
    clock = Date.now();
    const v = verifier();
    const [h, , s] = keyA.sign({ audience: AUD }).split('.');
    const tampered = `${h}.${b64(dialogflowClaims({ audience: AUD, email: testServiceAgentEmail, issuedAt: nowS() + 1 }))}.${s}`;
    assert.equal((await v.verify(tampered)).check, 'signature');
    const impostor = encodeJwt(
      dialogflowClaims({ audience: AUD, issuedAt: nowS() }),
      { rs256: keyB.privateKey },
      keyA.kid,
    );
    assert.equal((await v.verify(impostor)).check, 'signature');
    for (const sig of ['', 'AAAA', 'A'.repeat(2000)])
      assert.equal(
        (await v.verify(`${h}.${tampered.split('.')[1]}.${sig}`)).check,
        'signature',
        `signature of ${sig.length} chars`,
      );
  });

  it('refuses tokens signed by a key too weak to trust: RSA exponent 1 (a signature anyone can write), a 512-bit modulus', async () => {
    clock = Date.now();
    const claims = dialogflowClaims({ audience: AUD, issuedAt: nowS() });
    // Exponent 1 under keyA's real modulus: s^1 mod n is s, so the PKCS#1 v1.5 encoding of the hash is its own
    // signature, made without any private key.
    const e1Input = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'exponent-one' })}.${b64(claims)}`;
    const digestInfo = Buffer.concat([
      Buffer.from('3031300d060960864801650304020105000420', 'hex'),
      createHash('sha256').update(e1Input).digest(),
    ]);
    const encoded = Buffer.concat([
      Buffer.from([0, 1]),
      Buffer.alloc(256 - digestInfo.length - 3, 0xff),
      Buffer.from([0]),
      digestInfo,
    ]);
    const e1Token = `${e1Input}.${encoded.toString('base64url')}`;
    // A 512-bit key, and a token it really signed.
    const short = generateKeyPairSync('rsa', { modulusLength: 512 });
    const shortJwk = short.publicKey.export({ format: 'jwk' });
    const shortToken = encodeJwt(claims, { rs256: short.privateKey }, 'short-key');
    const weak = [
      { kty: 'RSA', alg: 'RS256', use: 'sig', kid: 'exponent-one', n: keyA.jwks.keys[0]?.n, e: 'AQ' },
      { kty: 'RSA', alg: 'RS256', use: 'sig', kid: 'short-key', n: shortJwk.n, e: shortJwk.e },
    ];
    // The forgery is real: with a plain RSA check the exponent-1 key accepts it.
    assert.equal(
      verifyRsa(
        'RSA-SHA256',
        Buffer.from(e1Input),
        createPublicKey({ key: { kty: 'RSA', n: String(weak[0]?.n), e: 'AQ' }, format: 'jwk' }),
        encoded,
      ),
      true,
    );
    jwks.body = JSON.stringify({ keys: [...keyA.jwks.keys, ...weak] });
    try {
      const v = verifier();
      for (const [token, why] of [
        [e1Token, /exponent is 1, not 65537/],
        [shortToken, /512-bit RSA key \(at least 2048 bits are required\)/],
      ] as const) {
        const r = await v.verify(token);
        assert.deepEqual({ ok: r.ok, check: r.check }, { ok: false, check: 'kid' }, r.reason);
        assert.match(r.reason, /^signed by a key too weak to trust \(kid "[a-z-]+" in http:\/\/127\.0\.0\.1:\d+\S+: /);
        assert.match(r.reason, why);
      }
      assert.equal((await v.verify(signed({}))).ok, true, 'the strong key beside them still verifies');
      assert.match(
        await v.warmUp(),
        /^1 signing key\(s\) from .* \(2 too weak to trust, ignored: kid "exponent-one", "short-key"\)$/,
      );
      // A JWKS of weak keys only has no key at all: fail closed, saying why.
      jwks.body = JSON.stringify({ keys: weak });
      const none = await verifier().verify(shortToken);
      assert.equal(none.check, 'keys');
      assert.match(
        none.reason,
        /has no usable RS256 key \(kty RSA with a kid, at least 2048 bits, exponent 65537\): kid "exponent-one": its RSA exponent is 1, not 65537; kid "short-key": it is a 512-bit RSA key/,
      );
    } finally {
      jwks.body = JSON.stringify(keyA.jwks);
    }
  });

  it('refuses malformed tokens with one reason each', async () => {
    clock = Date.now();
    const v = verifier();
    for (const [token, re] of [
      ['abc', /3 dot-separated parts, got 1/],
      ['a.b', /got 2/],
      ['!!.e30.x', /header is not base64url/],
      [`${b64({ alg: 'RS256' }).slice(0, -2)}.e30.x`, /header is not JSON/],
      [`${b64([1])}.e30.x`, /header is not a JSON object/],
      [`${b64({ alg: 'RS256', kid: keyA.kid })}.bm90IGpzb24.x`, /payload is not JSON/],
    ] as const) {
      const r = await v.verify(token);
      assert.equal(r.check, 'token', token);
      assert.match(r.reason, re);
    }
    assert.equal(
      (await v.verify(encodeJwt(dialogflowClaims({ audience: AUD }), { rs256: keyA.privateKey }))).check,
      'kid',
    );
  });

  it('follows key rotation by kid, refetching an unknown kid at most once per minute', async () => {
    clock = Date.now();
    jwks.body = JSON.stringify(keyA.jwks);
    const v = verifier();
    const before = jwks.hits;
    assert.equal((await v.verify(signed({}))).ok, true);
    assert.equal(jwks.hits, before + 1);
    // Google rotates: the new key appears in the JWKS, tokens start using it.
    jwks.body = JSON.stringify({ keys: [...keyB.jwks.keys, ...keyA.jwks.keys] });
    const r1 = await v.verify(signed({}, keyB));
    assert.equal(r1.check, 'kid', 'within a minute of the last fetch, an unknown kid does not refetch');
    assert.match(r1.reason, /unknown key/);
    assert.equal(jwks.hits, before + 1);
    clock += 61_000;
    assert.equal((await v.verify(signed({}, keyB))).ok, true, 'a minute later it refetches and finds the new key');
    assert.equal(jwks.hits, before + 2);
    assert.equal((await v.verify(signed({}, keyA))).ok, true);
    // A junk kid right after costs no fetch: the one-per-minute budget is spent.
    assert.equal(
      (
        await v.verify(
          encodeJwt(dialogflowClaims({ audience: AUD, issuedAt: nowS() }), { rs256: keyB.privateKey }, 'junk'),
        )
      ).check,
      'kid',
    );
    assert.equal(jwks.hits, before + 2);
  });

  it('caches the keys for Cache-Control max-age, then fetches again', async () => {
    clock = Date.now();
    jwks.body = JSON.stringify(keyA.jwks);
    jwks.headers = { 'cache-control': 'public, max-age=120, must-revalidate' };
    const v = verifier();
    const start = jwks.hits;
    await v.warmUp();
    for (let i = 0; i < 5; i++) assert.equal((await v.verify(signed({}))).ok, true);
    assert.equal(jwks.hits, start + 1, 'one fetch serves many requests');
    clock += 119_000;
    await v.verify(signed({}));
    assert.equal(jwks.hits, start + 1);
    clock += 2_000;
    // Expired cache: the key was removed upstream, so the token is refused.
    jwks.body = JSON.stringify(keyB.jwks);
    assert.equal((await v.verify(signed({}))).check, 'kid');
    assert.equal(jwks.hits, start + 2);
    jwks.headers = { 'cache-control': 'public, max-age=300' };
  });

  it('fails closed when the JWKS is not JSON, has no usable key, or answers an error', async () => {
    clock = Date.now();
    const bad: [string, number, RegExp][] = [
      ['<html>oops</html>', 200, /is not JSON/],
      [
        JSON.stringify({
          keys: [
            { kty: 'EC', kid: 'x', crv: 'P-256' },
            { kty: 'RSA', n: 'AQAB', e: 'AQAB' },
          ],
        }),
        200,
        /no usable RS256 key/,
      ],
      [JSON.stringify({ nokeys: true }), 200, /no usable RS256 key/],
      ['{}', 503, /answered HTTP 503/],
    ];
    for (const [body, status, re] of bad) {
      jwks.body = body;
      jwks.status = status;
      const r = await verifier().verify(signed({}));
      assert.equal(r.check, 'keys', body);
      assert.match(r.reason, re);
      assert.match(r.reason, /^signing keys unavailable, refusing: /);
    }
    jwks.status = 200;
    jwks.body = JSON.stringify(keyA.jwks);
  });

  it('fails closed, within its timeout, when the JWKS server is down or hangs', async () => {
    clock = Date.now();
    // A port that was free a moment ago: nothing listens there.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const down = await verifier({ jwks: `http://127.0.0.1:${port}/certs` }).verify(signed({}));
    assert.equal(down.check, 'keys');
    assert.match(down.reason, /ECONNREFUSED/);
    jwks.hang = true;
    try {
      const started = Date.now();
      const slow = await verifier({ fetchTimeoutMs: 300 }).verify(signed({}));
      const elapsed = Date.now() - started;
      assert.equal(slow.check, 'keys');
      assert.match(slow.reason, /no answer from the JWKS URL .* within 300 ms/);
      assert.ok(elapsed >= 250 && elapsed < 3000, `gave up after ${elapsed} ms`);
    } finally {
      jwks.hang = false;
    }
    // Once the server answers again, the same verifier recovers.
    const v = verifier({ fetchTimeoutMs: 300 });
    jwks.hang = true;
    assert.equal((await v.verify(signed({}))).check, 'keys');
    jwks.hang = false;
    assert.equal((await v.verify(signed({}))).ok, true);
  });

  it('reads the keys from a file, again whenever the file changes', async () => {
    clock = Date.now();
    const dir = tempDir('jwks');
    try {
      const file = path.join(dir, 'jwks.json');
      writeFileSync(file, JSON.stringify(keyA.jwks));
      const v = verifier({ jwks: file });
      assert.equal((await v.verify(signed({}))).ok, true);
      assert.equal((await v.verify(signed({}, keyB))).check, 'kid');
      writeFileSync(file, JSON.stringify({ keys: [...keyA.jwks.keys, ...keyB.jwks.keys, { kty: 'RSA', kid: 'pad' }] }));
      assert.equal((await v.verify(signed({}, keyB))).ok, true);
      const missing = await verifier({ jwks: path.join(dir, 'nope.json') }).verify(signed({}));
      assert.equal(missing.check, 'keys');
      assert.match(missing.reason, /cannot read the JWKS file .*nope\.json \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing audience or identity and an unsafe JWKS URL as configuration problems', () => {
    const ok = options();
    assert.equal(gen.idTokenConfigProblem(ok), null);
    assert.equal(gen.idTokenConfigProblem({ ...ok, email: '', subject: '42' }), null);
    assert.match(gen.idTokenConfigProblem({ ...ok, audience: '' }) ?? '', /MTLS_ID_TOKEN_AUDIENCE/);
    assert.match(
      gen.idTokenConfigProblem({ ...ok, email: '', subject: '' }) ?? '',
      /anyone can get a Google-signed token.*MTLS_ID_TOKEN_EMAIL/,
    );
    assert.match(
      gen.idTokenConfigProblem({ ...ok, jwks: 'http://keys.example.com/certs' }) ?? '',
      /must be https \(plain http is allowed on a loopback address only/,
    );
    assert.match(
      gen.idTokenConfigProblem({ ...ok, jwks: 'ftp://127.0.0.1/certs' }) ?? '',
      /https URL, a loopback http URL or a file path/,
    );
    // Plain http to a name that merely starts like a loopback address, or carries one as a user name, is off the machine.
    for (const jwksUrl of [
      'http://127.evil.example/certs',
      'http://127.0.0.1.evil.example/c',
      'http://127.0.0.1@evil.example/c',
      'http://localhost.evil.example/c',
      'http://[::2]/c',
      'http://[::ffff:10.0.0.1]/c',
      'http://127.0.0.1.nip.io:8080/c',
    ]) {
      assert.match(
        gen.idTokenConfigProblem({ ...ok, jwks: jwksUrl }) ?? '',
        /must be https \(plain http is allowed on a loopback address only/,
        jwksUrl,
      );
    }
    for (const jwksUrl of [
      'https://www.googleapis.com/oauth2/v3/certs',
      'http://127.0.0.1:9/c',
      'http://127.255.0.7/c',
      'http://0x7f.1/c',
      'http://[::1]:9/c',
      'http://[0:0:0:0:0:0:0:1]/c',
      'http://localhost/c',
      'http://LOCALHOST:8080/c',
      '/etc/jwks.json',
    ]) {
      assert.equal(gen.idTokenConfigProblem({ ...ok, jwks: jwksUrl }), null, jwksUrl);
    }
  });
});
