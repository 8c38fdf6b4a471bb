// Edge mode on the real server: a scaffolded server.mts behind an edge that terminates TLS, for every kind of edge
// it understands, with the certificate headers shaped as each edge's documentation shows them (support/edge.ts
// cites the pages). Plain HTTP requests from 127.0.0.3 (the edge) and 127.0.0.4 (an outsider) to 127.0.0.2. Every
// refusal is checked by its status and by the log line naming the check that refused it.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, makePki, tempDir, type Pki } from '../support/scaffold';
import {
  certificateHeaderOf,
  edgeFormats,
  edgeSecret,
  forwardedHeaders,
  outsiderAddress,
  send,
  startEdgeOrigin,
  type EdgeFormat,
  type EdgeOrigin,
} from '../support/edge';

let root: string;
let pki: Pki;
let unpinnedCrt: string;

/** A client certificate from the same CA as the pinned one, for a caller that verifies but is not pinned. */
function makeUnpinned(p: Pki): string {
  const run = (args: string[]): void => void execFileSync('openssl', args, { cwd: p.dir, stdio: 'pipe' });
  run([
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'unpinned-key.pem',
    '-out',
    'unpinned.csr',
    '-subj',
    '/CN=Someone Else/O=Elsewhere',
  ]);
  run([
    'x509',
    '-req',
    '-in',
    'unpinned.csr',
    '-CA',
    'ca-crt.pem',
    '-CAkey',
    'ca-key.pem',
    '-CAcreateserial',
    '-out',
    'unpinned-crt.pem',
    '-days',
    '30',
    '-extfile',
    'client.ext',
  ]);
  return path.join(p.dir, 'unpinned-crt.pem');
}

function sha256Of(file: string): string {
  return new X509Certificate(readFileSync(file)).fingerprint256;
}

/** One request with a unique tag; resolves with the answer and the origin's log lines it caused. */
async function call(
  origin: EdgeOrigin,
  headers: Record<string, string | string[]>,
  opts: { from?: string; path?: string; method?: string; body?: string } = {},
): Promise<{ status: number; json: unknown; log: string }> {
  const mark = origin.server.output().length;
  const tag = Math.random().toString(36).slice(2);
  const p = (opts.path ?? '/caller') + '?t=' + tag;
  const r = await send(origin.url, {
    headers,
    path: p,
    ...(opts.from !== undefined ? { from: opts.from } : {}),
    ...(opts.method !== undefined ? { method: opts.method } : {}),
    ...(opts.body !== undefined ? { body: opts.body } : {}),
  });
  await origin.server.waitFor(new RegExp(' ' + p.replace(/[?]/g, '\\?') + ' \\d{3} '), 5000);
  return { status: r.status, json: r.json, log: origin.server.output().slice(mark) };
}

function refusedBy(r: { status: number; log: string }, check: string, detail?: RegExp): void {
  assert.equal(r.status, 403, r.log);
  assert.match(r.log, new RegExp('edge check failed \\[' + check + '\\]'), r.log);
  if (detail !== undefined) assert.match(r.log, detail, r.log);
  assert.doesNotMatch(r.log, new RegExp(edgeSecret), 'the secret is never logged');
}

before(() => {
  ensureBuilt();
  root = tempDir('edge');
  pki = makePki(path.join(root, 'certs'));
  unpinnedCrt = makeUnpinned(pki);
});

after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A certificate header of another kind of edge than `f`, as a client would slip it in. */
function otherFormatHeader(f: EdgeFormat): Record<string, string> {
  return f === 'nginx'
    ? { 'client-cert': ':AAAA:' }
    : { 'x-ssl-client-cert': encodeURIComponent(readFileSync(pki.clientCrt, 'utf8')) };
}

for (const format of edgeFormats) {
  describe(`behind an edge of kind ${format}`, () => {
    let origin: EdgeOrigin;
    // gcp-alb: the certificate-based refusals are checked with the leaf forwarded (X-Client-Cert-Leaf).
    const gcpLeaf = format === 'gcp-alb';
    const good = (file = pki.clientCrt, leaf = false): Record<string, string> => ({
      ...forwardedHeaders(format, file, { gcpLeaf: leaf }),
      'x-mtls-edge-secret': edgeSecret,
    });
    const certHeader = certificateHeaderOf[format];

    before(async () => {
      origin = await startEdgeOrigin({
        edge: format,
        pki,
        dir: tempDir('edge-' + format),
        env: { MTLS_ALLOWED_CLIENTS: 'sha256:' + sha256Of(pki.clientCrt) },
      });
    });
    after(() => {
      origin?.server.proc.kill();
      if (origin) rmSync(origin.dir, { recursive: true, force: true });
    });

    it('takes a good forwarded certificate as the caller, and logs who it is', async () => {
      const r = await call(origin, good());
      assert.equal(r.status, 200, r.log);
      const caller = r.json as { certificate: { cn: string; fingerprint256: string } };
      assert.equal(caller.certificate.fingerprint256, sha256Of(pki.clientCrt));
      if (format === 'gcp-alb') {
        assert.equal(caller.certificate.cn, '', 'the load balancer forwards no subject without the leaf');
        assert.match(r.log, new RegExp('200 \\S+ms client CN=\\(not forwarded\\) .*sha256=' + sha256Of(pki.clientCrt)));
      } else {
        assert.equal(caller.certificate.cn, 'Google LLC');
        assert.match(r.log, /200 \S+ms client CN="Google LLC" O="Google LLC"/);
      }
    });

    it('refuses a request from an address that is not the edge, even with good headers and the secret', async () => {
      refusedBy(await call(origin, good(), { from: outsiderAddress }), 'source', /request from 127\.0\.0\.4/);
    });

    it('refuses a request without the edge secret', async () => {
      const h = good();
      delete h['x-mtls-edge-secret'];
      refusedBy(await call(origin, h), 'secret', /no X-Mtls-Edge-Secret/);
    });

    it('refuses a request with a wrong edge secret', async () => {
      refusedBy(
        await call(origin, { ...good(), 'x-mtls-edge-secret': 'guessed' }),
        'secret',
        /wrong X-Mtls-Edge-Secret/,
      );
    });

    it("refuses a request that also carries another kind of edge's certificate header", async () => {
      refusedBy(
        await call(origin, { ...good(), ...otherFormatHeader(format) }),
        'other-edge',
        /belongs to another kind of edge/,
      );
    });

    it('refuses a request without the certificate header', async () => {
      const h = good();
      delete h[certHeader];
      refusedBy(await call(origin, h), 'header', new RegExp('no ' + certHeader + ' header'));
    });

    it('refuses a request whose certificate header appears twice', async () => {
      const h: Record<string, string | string[]> = good();
      h[certHeader] = [h[certHeader] as string, forwardedHeaders(format, unpinnedCrt)[certHeader]];
      refusedBy(await call(origin, h), 'header', new RegExp(certHeader + ' appears 2 times'));
    });

    it('refuses a certificate from another CA', async () => {
      refusedBy(await call(origin, good(pki.otherClientCrt, gcpLeaf)), 'certificate', /unknown CA/);
    });

    it('refuses an expired certificate', async () => {
      const h = good(pki.expiredClientCrt, gcpLeaf);
      // gcp-alb: the leaf's own validity is what is checked here (the attribute check has its own test below).
      delete h['x-client-cert-valid-not-before'];
      delete h['x-client-cert-valid-not-after'];
      refusedBy(await call(origin, h), 'certificate', /expired on/);
    });

    it('refuses a garbled certificate header, and shows it escaped', async () => {
      const garbage =
        format === 'gcp-alb'
          ? { 'x-client-cert-leaf': ':bm90IGEgY2VydA==:' }
          : { [certHeader]: format === 'rfc9440' ? ':bm90IGEgY2VydA==:' : 'By=x;Cert="%E0%A4%A"\u00ff' };
      refusedBy(
        await call(origin, { ...good(pki.clientCrt, gcpLeaf), ...garbage }),
        'certificate',
        /does not parse|not URL-encoded|not an RFC 9440/,
      );
    });

    it('refuses a certificate without clientAuth in its extendedKeyUsage (a server certificate)', async () => {
      refusedBy(await call(origin, good(pki.serverCrt, gcpLeaf)), 'certificate', /lacks clientAuth/);
    });

    it('refuses a verified caller that is not pinned in allowedClients (403)', async () => {
      const r = await call(origin, good(unpinnedCrt));
      assert.equal(r.status, 403, r.log);
      assert.match(r.log, /forbidden: client .* is not in allowedClients/);
      assert.doesNotMatch(r.log, /edge check failed/);
    });

    it('answers /healthz without certificate headers, but only to the edge', async () => {
      const ok = await call(origin, {}, { path: '/healthz' });
      assert.equal(ok.status, 200, ok.log);
      refusedBy(await call(origin, {}, { path: '/healthz', from: outsiderAddress }), 'source');
    });
  });
}

describe('what each kind of edge itself says about the certificate', () => {
  let origins: Partial<Record<EdgeFormat, EdgeOrigin>> = {};
  before(async () => {
    const started = await Promise.all(
      (['nginx', 'ingress-nginx', 'xfcc', 'rfc9440', 'gcp-alb'] as const).map((f) =>
        startEdgeOrigin({ edge: f, pki, dir: tempDir('edge-say-' + f) }),
      ),
    );
    origins = Object.fromEntries(
      started.map((o, i) => [(['nginx', 'ingress-nginx', 'xfcc', 'rfc9440', 'gcp-alb'] as const)[i], o]),
    );
  });
  after(() => {
    for (const o of Object.values(origins)) {
      o.server.proc.kill();
      rmSync(o.dir, { recursive: true, force: true });
    }
  });
  const o = (f: EdgeFormat): EdgeOrigin => origins[f] as EdgeOrigin;
  const headers = (
    f: EdgeFormat,
    file = pki.clientCrt,
    extra: Record<string, string> = {},
  ): Record<string, string> => ({ ...forwardedHeaders(f, file), 'x-mtls-edge-secret': edgeSecret, ...extra });

  it('nginx: refuses when X-SSL-Client-Verify is not SUCCESS', async () => {
    refusedBy(
      await call(
        o('nginx'),
        headers('nginx', pki.clientCrt, { 'x-ssl-client-verify': 'FAILED:certificate has expired' }),
      ),
      'certificate',
      /reports client verification "FAILED:certificate has expired"/,
    );
  });

  it('ingress-nginx: refuses without ssl-client-verify: SUCCESS', async () => {
    const h = headers('ingress-nginx');
    delete h['ssl-client-verify'];
    refusedBy(await call(o('ingress-nginx'), h), 'certificate', /reports client verification ""/);
  });

  it('rfc9440 and xfcc: a chain through a forwarded intermediate verifies; without the intermediate it does not', async () => {
    for (const f of ['rfc9440', 'xfcc'] as const) {
      const r = await call(o(f), headers(f, pki.chainClientCrtWithIntermediate));
      assert.equal(r.status, 200, r.log);
      assert.equal((r.json as { certificate: { cn: string } }).certificate.cn, 'chain.example.com');
      refusedBy(await call(o(f), headers(f, pki.chainClientLeafOnly)), 'certificate', /unknown CA/);
    }
  });

  it('xfcc: refuses an appended element (the edge must replace the header) and a Hash that is not the certificate', async () => {
    const h = headers('xfcc');
    const one = h['x-forwarded-client-cert'];
    refusedBy(
      await call(o('xfcc'), { ...h, 'x-forwarded-client-cert': one + ',By=spiffe://other;URI=spiffe://evil' }),
      'certificate',
      /has 2 elements/,
    );
    refusedBy(
      await call(o('xfcc'), {
        ...h,
        'x-forwarded-client-cert': one.replace(/Hash=[0-9a-f]{64}/, 'Hash=' + '0'.repeat(64)),
      }),
      'certificate',
      /hash does not match/,
    );
  });

  it('gcp-alb: refuses what the load balancer reports as not presented, not verified, or in error', async () => {
    const g = o('gcp-alb');
    refusedBy(
      await call(g, headers('gcp-alb', pki.clientCrt, { 'x-client-cert-present': 'false' })),
      'certificate',
      /no client certificate was presented/,
    );
    refusedBy(
      await call(
        g,
        headers('gcp-alb', pki.clientCrt, {
          'x-client-cert-chain-verified': 'false',
          'x-client-cert-error': 'client_cert_validation_failed',
        }),
      ),
      'certificate',
      /did not verify the client chain/,
    );
    refusedBy(
      await call(g, headers('gcp-alb', pki.clientCrt, { 'x-client-cert-error': 'client_cert_chain_invalid_eku' })),
      'certificate',
      /reports "client_cert_chain_invalid_eku"/,
    );
  });

  it('gcp-alb: refuses attributes of an expired certificate and a malformed fingerprint', async () => {
    const g = o('gcp-alb');
    refusedBy(await call(g, headers('gcp-alb', pki.expiredClientCrt)), 'certificate', /expired on/);
    refusedBy(
      await call(g, headers('gcp-alb', pki.clientCrt, { 'x-client-cert-hash': 'not-a-hash' })),
      'certificate',
      /not a Base64 SHA-256 fingerprint/,
    );
  });

  it('gcp-alb: with the leaf forwarded the caller has its subject, and the leaf must be the one the hash names', async () => {
    const g = o('gcp-alb');
    const withLeaf = {
      ...forwardedHeaders('gcp-alb', pki.clientCrt, { gcpLeaf: true }),
      'x-mtls-edge-secret': edgeSecret,
    };
    const r = await call(g, withLeaf);
    assert.equal(r.status, 200, r.log);
    assert.equal((r.json as { certificate: { cn: string } }).certificate.cn, 'Google LLC');
    const otherHash = forwardedHeaders('gcp-alb', unpinnedCrt)['x-client-cert-hash'];
    refusedBy(await call(g, { ...withLeaf, 'x-client-cert-hash': otherHash }), 'certificate', /hash does not match/);
  });
});
