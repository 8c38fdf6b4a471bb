// The generated server.ts in google-id-token mode and with a public root in its CA bundle, run for real on
// 127.0.0.1 with a real JWKS server, called with curl.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { main } from '../../../src/cli/main';
import type { CliContext } from '../../../src/cli/command';
import type { ProbeResult } from '../../../src/core/http/index';
import { scaffoldServer, serverFileName } from '../../../src/core/scaffold/scaffoldServer';
import { dialogflowTrustBundle } from '../../../src/core/pki/index';
import {
  createTestIdTokenIssuer,
  dialogflowClaims,
  encodeJwt,
  testServiceAgentEmail,
  type TestIdTokenIssuer,
} from '../../../src/core/idtoken/index';
import {
  cxRequest,
  curl,
  ensureBuilt,
  makePki,
  runToExit,
  startOutcome,
  startServer,
  tempDir,
  type Pki,
  type RunningServer,
} from '../support/scaffold';
import { jwksServer, loadGeneratedVerifier, type JwksServer } from './idtoken-support';

const AUD = 'https://webhook.example.com/webhook';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('scaffolded server.ts with MTLS_AUTH=google-id-token (real TLS, real JWKS server)', () => {
  let dir: string;
  let pki: Pki;
  let serverTs: string;
  let server: RunningServer;
  let jwks: JwksServer;
  let key: TestIdTokenIssuer;
  let unknownKey: TestIdTokenIssuer;
  const base = (): Record<string, string> => ({
    MTLS_KEY: pki.serverKey,
    MTLS_CERT: pki.serverCrt,
    MTLS_CA: pki.caCrt,
  });
  const idEnv = (jwksUrl: string): Record<string, string> => ({
    ...base(),
    MTLS_AUTH: 'google-id-token',
    MTLS_ID_TOKEN_AUDIENCE: AUD,
    MTLS_ID_TOKEN_EMAIL: testServiceAgentEmail,
    MTLS_GOOGLE_JWKS_URL: jwksUrl,
  });
  const post = (s: RunningServer, token?: string): ReturnType<typeof curl> =>
    curl(
      `${s.url}/webhook`,
      { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt },
      {
        contentType: 'application/json',
        body: cxRequest('hello'),
        headers: token === undefined ? [] : [`authorization: Bearer ${token}`],
      },
    );

  before(async () => {
    ensureBuilt();
    dir = tempDir('idtoken');
    pki = makePki(path.join(dir, 'certs'));
    serverTs = path.join(dir, serverFileName);
    await scaffoldServer(dir, { platform: 'cx' });
    [key, unknownKey] = await Promise.all([createTestIdTokenIssuer(), createTestIdTokenIssuer()]);
    jwks = await jwksServer(JSON.stringify(key.jwks));
    server = await startServer(serverTs, idEnv(jwks.url));
    await server.waitFor(/ID token keys: 1 signing key\(s\) from http:\/\/127\.0\.0\.1/);
  });

  after(async () => {
    server?.proc.kill('SIGKILL');
    await jwks?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers 200 to a request with a valid ID token', async () => {
    const r = await post(server, key.sign({ audience: AUD }));
    assert.equal(r.status, 200, r.body + r.stderr);
    assert.match(
      server.output(),
      /ID token: aud="https:\/\/webhook\.example\.com\/webhook" email="service-000000000000@/,
    );
  });

  it('answers 401 to each bad token and logs the failed check with the observed claims, never the token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = dialogflowClaims({ audience: AUD, issuedAt: now });
    const cases: [string, string | undefined, RegExp][] = [
      ['no token', undefined, /\[token\]: no Authorization: Bearer token/],
      ['malformed', 'not-a-jwt', /\[token\]: malformed JWT/],
      [
        'expired',
        key.sign({ audience: AUD, lifetimeSeconds: -600 }),
        /\[exp\]: the token expired at .*observed iss="https:\/\/accounts\.google\.com" aud="https:\/\/webhook\.example\.com\/webhook" email="service-000000000000@gcp-sa-dialogflow\.iam\.gserviceaccount\.com" sub="\d+" exp=\d{4}-/,
      ],
      [
        'wrong audience',
        key.sign({ audience: 'https://elsewhere.example.com/' }),
        /\[aud\]: audience is not "https:\/\/webhook\.example\.com\/webhook".*observed iss=\S+ aud="https:\/\/elsewhere\.example\.com\/"/,
      ],
      [
        'wrong caller',
        key.sign({ audience: AUD, email: 'attacker@gmail.com' }),
        /\[email\]: .*email="attacker@gmail\.com"/,
      ],
      ['unknown key', unknownKey.sign({ audience: AUD }), /\[kid\]: signed by an unknown key/],
      ['alg none', encodeJwt(claims, { none: true }, key.kid), /\[alg\]: alg "none" is not allowed/],
      [
        'HS256 keyed with the public key',
        encodeJwt(claims, { hs256: JSON.stringify(key.jwks.keys[0]) }, key.kid),
        /\[alg\]: alg "HS256" is not allowed/,
      ],
      // Signed by the right key, with times beyond any date: a 401 like the others, not a 500.
      [
        'exp=-1e300',
        encodeJwt({ ...claims, exp: -1e300 }, { rs256: key.privateKey }, key.kid),
        /\[exp\]: exp is not a time in seconds since 1970 \(-1e\+300\)/,
      ],
      [
        'iat=1e300',
        encodeJwt({ ...claims, iat: 1e300 }, { rs256: key.privateKey }, key.kid),
        /\[iat\]: iat is not a time in seconds since 1970 \(1e\+300\)/,
      ],
      [
        'iss as a list',
        encodeJwt({ ...claims, iss: ['https://accounts.google.com'] }, { rs256: key.privateKey }, key.kid),
        /\[iss\]: the issuer \(iss\) is not one string/,
      ],
    ];
    for (const [name, token, logLine] of cases) {
      const r = await post(server, token);
      assert.equal(r.status, 401, `${name}: ${r.body}`);
      assert.deepEqual(JSON.parse(r.body), { error: 'unauthorized' });
      await server.waitFor(new RegExp(`unauthorized: ID token check failed ${logLine.source}`));
      if (token !== undefined && token.length > 20)
        assert.ok(!server.output().includes(token.split('.')[2] || token), `${name}: the token is not logged`);
    }
  });

  it('fails closed when the JWKS server is down, and still answers GET /healthz', async () => {
    const down = await startServer(serverTs, idEnv(`http://127.0.0.1:${await freePort()}/certs`));
    try {
      await down.waitFor(
        /warning: ID token keys not loaded \(requests are refused until they load\): cannot fetch the JWKS from .*ECONNREFUSED/,
      );
      const r = await post(down, key.sign({ audience: AUD }));
      assert.equal(r.status, 401);
      await down.waitFor(/unauthorized: ID token check failed \[keys\]: signing keys unavailable, refusing: /);
      const health = await curl(`${down.url}/healthz`, { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt });
      assert.equal(health.status, 200);
    } finally {
      down.proc.kill('SIGKILL');
    }
  });

  it('refuses to start without an audience or a caller identity, or with a plain-http JWKS URL off loopback', async () => {
    const noAud = await runToExit(serverTs, { ...idEnv(jwks.url), MTLS_ID_TOKEN_AUDIENCE: '' });
    assert.equal(noAud.code, 1);
    assert.match(
      noAud.output,
      /mtls-server error \[ID_TOKEN_CONFIG\]: google-id-token needs the expected audience: set MTLS_ID_TOKEN_AUDIENCE/,
    );
    const noId = await runToExit(serverTs, { ...idEnv(jwks.url), MTLS_ID_TOKEN_EMAIL: '' });
    assert.equal(noId.code, 1);
    assert.match(noId.output, /\[ID_TOKEN_CONFIG\]: google-id-token needs the caller's identity/);
    for (const url of ['http://keys.example.com/certs', 'http://127.evil.example/certs']) {
      const http = await startOutcome(serverTs, idEnv(url));
      assert.match(http, /\[ID_TOKEN_CONFIG\]: MTLS_GOOGLE_JWKS_URL must be https/, url);
      assert.doesNotMatch(http, /listening on/, url);
    }
  });
});

describe('scaffolded server.ts with a public root in the client CA bundle', () => {
  let dir: string;
  let pki: Pki;
  let serverTs: string;
  let bundle: string;

  before(async () => {
    ensureBuilt();
    dir = tempDir('pin');
    pki = makePki(path.join(dir, 'certs'));
    serverTs = path.join(dir, serverFileName);
    await scaffoldServer(dir, { platform: 'cx' });
    // The dev root (so our test client still gets in) plus the Dialogflow bundle (public SSL.com root).
    bundle = path.join(dir, 'certs', 'ca-with-dialogflow.pem');
    writeFileSync(bundle, readFileSync(pki.caCrt, 'utf8') + dialogflowTrustBundle().pem);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    MTLS_KEY: pki.serverKey,
    MTLS_CERT: pki.serverCrt,
    MTLS_CA: bundle,
    ...extra,
  });

  it('refuses to start unless client identities are pinned, naming the public root and the fix', async () => {
    const r = await runToExit(serverTs, env());
    assert.equal(r.code, 1);
    assert.match(
      r.output,
      /mtls-server error \[PUBLIC_ROOT_UNPINNED\]: the CA bundle .*ca-with-dialogflow\.pem holds public root\(s\) "SSL\.com Root Certification Authority RSA"/,
    );
    assert.match(r.output, /MTLS_ALLOWED_CLIENTS \(Dialogflow: "Google LLC"\).*MTLS_ACCEPT_ANY_PUBLIC_CLIENT=1/);
  });

  it('starts with MTLS_ALLOWED_CLIENTS=Google LLC and lets only that identity in', async () => {
    const s = await startServer(serverTs, env({ MTLS_ALLOWED_CLIENTS: 'Google LLC' }));
    try {
      await s.waitFor(
        /public root\(s\) in the CA bundle: "SSL\.com Root Certification Authority RSA".*; only pinned clients get in: Google LLC/,
      );
      const ok = await curl(
        `${s.url}/webhook`,
        { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt },
        { contentType: 'application/json', body: cxRequest('hello') },
      );
      assert.equal(ok.status, 200);
    } finally {
      s.proc.kill('SIGKILL');
    }
  });

  it('starts with MTLS_ACCEPT_ANY_PUBLIC_CLIENT=1 and says what that accepts', async () => {
    const s = await startServer(serverTs, env({ MTLS_ACCEPT_ANY_PUBLIC_CLIENT: '1' }));
    try {
      await s.waitFor(
        /WARNING: the CA bundle holds public root\(s\) .* ANY client certificate they issued is accepted/,
      );
    } finally {
      s.proc.kill('SIGKILL');
    }
  });

  describe('under every label Node loads as a certificate', () => {
    // OpenSSL's other certificate labels: TRUSTED CERTIFICATE (the certificate, then trust settings, as
    // `openssl x509 -trustout` writes it) and X509 CERTIFICATE (the old name). Node trusts both in `ca`.
    const sslCom = (): string => {
      const pem = tls.rootCertificates.find((r) =>
        new X509Certificate(r).subject.split('\n').includes('CN=SSL.com Root Certification Authority RSA'),
      );
      assert.ok(pem, "Node's root store has the SSL.com RSA root");
      return pem;
    };
    const trusted = (pem: string, name: string): string => {
      const file = path.join(dir, `${name}.pem`);
      writeFileSync(file, pem);
      return execFileSync('openssl', ['x509', '-in', file, '-trustout', '-addtrust', 'clientAuth'], {
        encoding: 'utf8',
      });
    };
    const x509Label = (pem: string): string => pem.replace(/(BEGIN|END) CERTIFICATE-----/g, '$1 X509 CERTIFICATE-----');
    it('finds the public root, refuses to start unpinned, and lets the pinned client in through the relabelled dev root', async () => {
      const dev = readFileSync(pki.caCrt, 'utf8');
      const bundles = {
        'trusted-public': trusted(dev, 'dev-root') + trusted(sslCom(), 'ssl-com'),
        'x509-public': x509Label(dev) + x509Label(sslCom()),
      };
      for (const [name, text] of Object.entries(bundles)) {
        assert.match(
          text,
          name.startsWith('trusted') ? /^-----BEGIN TRUSTED CERTIFICATE-----$/m : /^-----BEGIN X509 CERTIFICATE-----$/m,
        );
        assert.doesNotMatch(text, /BEGIN CERTIFICATE/);
        const file = path.join(dir, 'certs', `${name}.pem`);
        writeFileSync(file, text);
        const unpinned = await startOutcome(serverTs, env({ MTLS_CA: file }));
        assert.match(
          unpinned,
          /mtls-server error \[PUBLIC_ROOT_UNPINNED\]: the CA bundle .* holds public root\(s\) "SSL\.com Root Certification Authority RSA"/,
          name,
        );
        assert.doesNotMatch(unpinned, /listening on/, name);
        // Pinned, it starts; the dev root under the same label is what lets the test client's handshake through.
        const s = await startServer(serverTs, env({ MTLS_CA: file, MTLS_ALLOWED_CLIENTS: 'Google LLC' }));
        try {
          await s.waitFor(/public root\(s\) in the CA bundle: "SSL\.com Root Certification Authority RSA"/);
          const ok = await curl(
            `${s.url}/webhook`,
            { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt },
            { contentType: 'application/json', body: cxRequest('hello') },
          );
          assert.equal(ok.status, 200, `${name}: ${ok.stderr}`);
        } finally {
          s.proc.kill('SIGKILL');
        }
      }
    });
  });

  it('does not ask for a pin when the bundle holds only private roots', async () => {
    const s = await startServer(serverTs, env({ MTLS_CA: pki.caCrt }));
    s.proc.kill('SIGKILL');
    assert.doesNotMatch(s.output(), /public root/);
    assert.ok(tls.rootCertificates.length > 100, 'Node has a root store to compare with');
  });
});

describe('mtls send --as-dialogflow and mtls probe --id-token against the scaffolded server', () => {
  let dir: string;
  let pki: Pki;
  let serverTs: string;
  const capture = (cwd: string, env: NodeJS.ProcessEnv = {}): CliContext & { stdout(): string; stderr(): string } => {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env,
      cwd,
      stdout: () => out.join('\n'),
      stderr: () => err.join('\n'),
    };
  };
  const tlsArgs = (): string[] => ['--cert', pki.clientCrt, '--key', pki.clientKey, '--ca', pki.caCrt];

  before(async () => {
    ensureBuilt();
    dir = tempDir('idt-cli');
    pki = makePki(path.join(dir, 'certs'));
    serverTs = path.join(dir, serverFileName);
    await scaffoldServer(dir, { platform: 'cx' });
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('send --as-dialogflow attaches a token that the JWKS written by --jwks-out verifies, and never prints it', async () => {
    const seen: (string | undefined)[] = [];
    const lax = https.createServer(
      {
        key: readFileSync(pki.serverKey),
        cert: readFileSync(pki.serverCrt),
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        seen.push(req.headers.authorization);
        req.resume();
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ fulfillmentResponse: { messages: [{ text: { text: ['hi'] } }] } }));
      },
    );
    await new Promise<void>((r) => lax.listen(0, '127.0.0.1', r));
    try {
      const url = `https://127.0.0.1:${(lax.address() as net.AddressInfo).port}/webhook`;
      const ctx = capture(dir);
      assert.equal(
        await main(['send', url, '--as-dialogflow', '--jwks-out', 'df-jwks.json', '--ca', pki.caCrt], ctx),
        0,
        ctx.stderr() + ctx.stdout(),
      );
      const token = /^Bearer (\S+)$/.exec(seen.at(-1) ?? '')?.[1];
      assert.ok(token, 'an ID token was sent');
      const v = await (
        await loadGeneratedVerifier()
      )
        .createIdTokenVerifier({
          audience: url,
          email: testServiceAgentEmail,
          subject: '',
          jwks: path.join(dir, 'df-jwks.json'),
        })
        .verify(token);
      assert.equal(v.ok, true, v.reason);
      assert.match(
        ctx.stdout(),
        /Attached a TEST Google ID token \(aud https:\/\/127\.0\.0\.1:\d+\/webhook, email service-000000000000@gcp-sa-dialogflow\.iam\.gserviceaccount\.com, kid mtls-test-/,
      );
      assert.match(
        ctx.stdout(),
        /MTLS_AUTH=google-id-token MTLS_ID_TOKEN_AUDIENCE=https:\/\/127\.0\.0\.1:\d+\/webhook MTLS_ID_TOKEN_EMAIL=\S+ MTLS_GOOGLE_JWKS_URL=df-jwks\.json/,
      );
      assert.ok(!ctx.stdout().includes(token.split('.')[2]), 'the token is not printed');
      // --id-token-audience / --id-token-email shape the claims.
      const ctx2 = capture(dir);
      assert.equal(
        await main(
          [
            'send',
            url,
            '--as-dialogflow',
            '--jwks-out',
            'df-jwks.json',
            '--ca',
            pki.caCrt,
            '--id-token-audience',
            'https://hook.example.com/',
            '--id-token-email',
            'service-42@gcp-sa-dialogflow.iam.gserviceaccount.com',
          ],
          ctx2,
        ),
        0,
      );
      const claims = JSON.parse(
        Buffer.from(/^Bearer [^.]+\.([^.]+)\./.exec(seen.at(-1) ?? '')?.[1] ?? '', 'base64url').toString('utf8'),
      ) as Record<string, unknown>;
      assert.deepEqual(
        [claims['aud'], claims['email'], claims['email_verified'], claims['iss']],
        [
          'https://hook.example.com/',
          'service-42@gcp-sa-dialogflow.iam.gserviceaccount.com',
          true,
          'https://accounts.google.com',
        ],
      );
    } finally {
      lax.closeAllConnections();
      await new Promise<void>((r) => lax.close(() => r()));
    }
  });

  it('the production path offline: a server with the TEST root, pinned to Google LLC and verifying ID tokens, accepts send --as-dialogflow', async () => {
    const env = { XDG_CACHE_HOME: path.join(dir, 'cache') };
    const flags = [
      '--as-dialogflow',
      '--root-out',
      'df-root.pem',
      '--jwks-out',
      'df-jwks.json',
      '--id-token-audience',
      AUD,
      '--ca',
      pki.caCrt,
    ];
    // First run, before the server exists: writes the TEST root and the JWKS (the send itself fails).
    const first = capture(dir, env);
    assert.equal(await main(['send', `https://127.0.0.1:${await freePort()}/webhook`, ...flags], first), 1);
    const s = await startServer(serverTs, {
      MTLS_KEY: pki.serverKey,
      MTLS_CERT: pki.serverCrt,
      MTLS_CA: path.join(dir, 'df-root.pem'),
      MTLS_ALLOWED_CLIENTS: 'Google LLC',
      MTLS_AUTH: 'google-id-token',
      MTLS_ID_TOKEN_AUDIENCE: AUD,
      MTLS_ID_TOKEN_EMAIL: testServiceAgentEmail,
      MTLS_GOOGLE_JWKS_URL: path.join(dir, 'df-jwks.json'),
    });
    try {
      // Next runs present the same TEST chain, with a new token key the server picks up from the rewritten JWKS.
      for (let i = 0; i < 2; i++) {
        const ctx = capture(dir, env);
        assert.equal(
          await main(['send', `${s.url}/webhook`, ...flags], ctx),
          0,
          ctx.stdout() + ctx.stderr() + s.output(),
        );
        assert.match(ctx.stdout(), /HTTP 200/);
      }
      await s.waitFor(/POST \/webhook 200 .* client CN="Google LLC" O="Google LLC"/);
      // The same chain without the token is refused.
      const noToken = capture(dir, { ...env, SHARED: 'not-a-jwt' });
      assert.equal(
        await main(
          [
            'send',
            `${s.url}/webhook`,
            '--as-dialogflow',
            '--root-out',
            'df-root.pem',
            '--ca',
            pki.caCrt,
            '--bearer-env',
            'SHARED',
          ],
          noToken,
        ),
        1,
      );
      assert.match(noToken.stdout(), /HTTP 401/);
      await s.waitFor(/unauthorized: ID token check failed \[token\]: malformed JWT/);
    } finally {
      s.proc.kill('SIGKILL');
    }
  });

  it('send: --jwks-out will not replace a file that is not a JWKS, and needs --as-dialogflow', async () => {
    writeFileSync(path.join(dir, 'notes.txt'), 'keep me');
    const ctx = capture(dir);
    assert.equal(await main(['send', 'https://127.0.0.1:9/', '--as-dialogflow', '--jwks-out', 'notes.txt'], ctx), 1);
    assert.match(ctx.stderr(), /notes\.txt exists and is not a JWKS: nothing was written/);
    assert.equal(readFileSync(path.join(dir, 'notes.txt'), 'utf8'), 'keep me');
    assert.equal(await main(['send', 'https://127.0.0.1:9/', ...tlsArgs(), '--jwks-out', 'x.json'], capture(dir)), 2);
  });

  it('probe --id-token --jwks-out: every bad token gets 401, a valid one 200, and the verdict says so', async () => {
    const jwksFile = path.join(dir, 'probe-jwks.json');
    const s = await startServer(serverTs, {
      MTLS_KEY: pki.serverKey,
      MTLS_CERT: pki.serverCrt,
      MTLS_CA: pki.caCrt,
      MTLS_AUTH: 'google-id-token',
      MTLS_ID_TOKEN_AUDIENCE: AUD,
      MTLS_ID_TOKEN_EMAIL: testServiceAgentEmail,
      MTLS_GOOGLE_JWKS_URL: jwksFile,
    });
    try {
      const ctx = capture(dir);
      const code = await main(
        [
          'probe',
          `${s.url}/webhook`,
          ...tlsArgs(),
          '--id-token',
          '--jwks-out',
          jwksFile,
          '--id-token-audience',
          AUD,
          '--json',
        ],
        ctx,
      );
      const r = JSON.parse(ctx.stdout()) as ProbeResult;
      assert.equal(code, 0, ctx.stdout());
      assert.equal(r.verdict, 'enforced');
      assert.match(
        r.summary,
        /every missing, expired, wrong-audience, unknown-key and unsigned token was refused with 401/,
      );
      const byId = Object.fromEntries(r.rows.map((row) => [row.id, row]));
      for (const id of [
        'id-token-none',
        'id-token-expired',
        'id-token-wrong-audience',
        'id-token-unknown-key',
        'id-token-alg-none',
      ]) {
        assert.equal(byId[id]?.status, 401, id);
        assert.equal(byId[id]?.pass, true, id);
      }
      assert.equal(byId['valid']?.status, 200);
      assert.equal(byId['no-cert']?.observed, 'refused-handshake');
      // Each refusal was for its own reason, not merely an unknown key.
      for (const check of ['token', 'exp', 'aud', 'kid', 'alg'])
        await s.waitFor(new RegExp(`ID token check failed \\[${check}\\]`));
    } finally {
      s.proc.kill('SIGKILL');
    }
  });

  it('probe --id-token flags a server that does not verify tokens', async () => {
    const s = await startServer(serverTs, { MTLS_KEY: pki.serverKey, MTLS_CERT: pki.serverCrt, MTLS_CA: pki.caCrt });
    try {
      const ctx = capture(dir);
      const code = await main(['probe', `${s.url}/webhook`, ...tlsArgs(), '--id-token'], ctx);
      assert.equal(code, 1);
      assert.match(
        ctx.stdout(),
        /FAIL: NOT VERIFYING THE ID TOKEN: the server answered your certificate, no ID token; your certificate, expired ID token;/,
      );
      assert.match(ctx.stdout(), /signed by a key the server does not know/);
    } finally {
      s.proc.kill('SIGKILL');
    }
  });
});
