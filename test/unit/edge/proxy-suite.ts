// The cases every real proxy passes with its generated configuration: the good client reaches the origin as
// itself; no certificate, another CA's, an expired one are refused at the edge; certificate headers forged
// straight to the origin or injected through the edge never become the caller.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import type { EdgeTarget } from '../../../src/core/edge/index';
import { edgeSecret, outsiderAddress, send, type EdgeFormat } from '../support/edge';
import { curl, forgedValues, installed, startRig, type CurlResult, type EdgeRig } from '../support/edge-proxy';
import { ensureBuilt } from '../support/scaffold';

/**
 * How the edge refuses a client: an HTTP answer of its own (status, body), or the handshake ends with a TLS alert
 * and no HTTP answer (curl's exit codes and message; with TLS 1.3 the alert comes after curl's handshake, so a
 * server that closes right after its alert may show curl the reset before the alert).
 */
export type Refusal =
  { readonly status: number; readonly body: RegExp } | { readonly curlExit: readonly number[]; readonly error: RegExp };

export interface ProxyCase {
  readonly kind: EdgeTarget;
  readonly binary: string;
  readonly format: EdgeFormat;
  /** The origin trusts the edge's source address (nginx proxy_bind, HAProxy source) besides the secret. */
  readonly trustSource: boolean;
  readonly noCertificate: Refusal;
  readonly otherCa: Refusal;
  readonly expired: Refusal;
  /** The edge forwards the intermediate a client sends (leaf + intermediate, as Dialogflow sends them). */
  readonly forwardsChain?: boolean;
}

function assertRefused(r: CurlResult, want: Refusal, rig: EdgeRig, mark: number): void {
  const seen = `curl exit ${r.code}, HTTP ${r.status}: ${r.stderr}${r.body}`;
  if ('status' in want) {
    assert.equal(r.status, want.status, seen);
    assert.match(r.body, want.body, seen);
  } else {
    assert.ok(want.curlExit.includes(r.code), seen);
    assert.equal(r.status, 0, seen);
    assert.match(r.stderr, want.error, seen);
  }
  // Refused at the edge: the origin saw no request at all.
  assert.doesNotMatch(rig.origin.server.output().slice(mark), /\/caller/, 'the request reached the origin');
}

/** The request log line of the origin for `tag` (waits for it). */
async function originLine(rig: EdgeRig, tag: string): Promise<string> {
  return rig.origin.server.waitFor(new RegExp(`^.* /caller\\?t=${tag} \\d{3} .*$`, 'm'), 5000);
}

export function proxySuite(c: ProxyCase): void {
  const missing = installed(c.binary) ? false : `${c.binary} is not installed (scripts/setup-proxies.sh installs it)`;
  describe(
    `${c.kind} with the generated configuration in front of server.mts (MTLS_EDGE=${c.format})`,
    { skip: missing },
    () => {
      let rig: EdgeRig;
      const client = (): { cert: string; key: string; ca: string } => ({
        cert: rig.pki.clientCrt,
        key: rig.pki.clientKey,
        ca: rig.pki.caCrt,
      });

      before(async () => {
        ensureBuilt();
        rig = await startRig(c.kind, c.format, { trustSource: c.trustSource });
      });
      after(async () => {
        await rig?.stop();
      });

      it('passes a good client certificate: 200, and the origin names the caller', async () => {
        const r = await curl(rig.url, { ...client(), path: '/caller?t=good' });
        assert.equal(r.status, 200, `${r.stderr}${r.body}\n${rig.proxyOutput()}\n${rig.origin.server.output()}`);
        assert.equal((JSON.parse(r.body) as { certificate: { cn: string } }).certificate.cn, 'Google LLC');
        assert.match(await originLine(rig, 'good'), /200 \S+ms client CN="Google LLC" O="Google LLC"/);
      });

      it(
        c.forwardsChain
          ? 'passes a client that sends its intermediate (leaf + intermediate, as Dialogflow sends them)'
          : 'forwards only the leaf of a client that sends its intermediate: the origin refuses it, as the notes say',
        async () => {
          const r = await curl(rig.url, {
            cert: rig.pki.chainClientCrtWithIntermediate,
            key: rig.pki.chainClientKey,
            ca: rig.pki.caCrt,
            path: '/caller?t=chain',
          });
          const line = await originLine(rig, 'chain');
          if (c.forwardsChain) {
            assert.equal(r.status, 200, `${r.body}\n${rig.origin.server.output()}`);
            assert.match(line, /200 \S+ms client CN="chain\.example\.com"/);
          } else {
            // The edge verified the chain (depth 2); the origin, without the intermediate in its CA bundle, cannot.
            assert.equal(r.status, 403, r.body);
            assert.match(
              rig.origin.server.output(),
              /edge check failed \[certificate\]: unknown CA: the client certificate "CN=chain\.example\.com/,
            );
            assert.ok(
              rig.bundle.notes.some((n) => /add it to the CA bundle/.test(n)),
              rig.bundle.notes.join('\n'),
            );
          }
        },
      );

      it('refuses a client without a certificate at the edge', async () => {
        const mark = rig.origin.server.output().length;
        assertRefused(await curl(rig.url, { ca: rig.pki.caCrt }), c.noCertificate, rig, mark);
      });

      it('refuses a client certificate from another CA at the edge', async () => {
        const mark = rig.origin.server.output().length;
        assertRefused(
          await curl(rig.url, { cert: rig.pki.otherClientCrt, key: rig.pki.otherClientKey, ca: rig.pki.caCrt }),
          c.otherCa,
          rig,
          mark,
        );
      });

      it('refuses an expired client certificate at the edge', async () => {
        const mark = rig.origin.server.output().length;
        assertRefused(
          await curl(rig.url, { cert: rig.pki.expiredClientCrt, key: rig.pki.clientKey, ca: rig.pki.caCrt }),
          c.expired,
          rig,
          mark,
        );
      });

      it('refuses a forged certificate header sent straight to the origin from another address: 403', async () => {
        const forged = forgedValues(rig.pki.clientCrt);
        const r = await send(rig.origin.url, {
          from: outsiderAddress,
          path: '/caller?t=straight',
          headers: {
            'client-cert': forged.rfc9440,
            'x-ssl-client-cert': forged.escaped,
            'x-ssl-client-verify': 'SUCCESS',
            'x-mtls-edge-secret': 'guessed-secret-value',
          },
        });
        assert.equal(r.status, 403, r.body);
        assert.match(await originLine(rig, 'straight'), / 403 /);
        assert.match(rig.origin.server.output(), /edge check failed \[(source|secret)\]/);
      });

      it('never takes a certificate header a client injects through the edge: the origin names the real client', async () => {
        const other = forgedValues(rig.pki.otherClientCrt);
        const r = await curl(rig.url, {
          ...client(),
          path: '/caller?t=injected',
          headers: [
            `Client-Cert: ${other.rfc9440}`,
            `Client-Cert-Chain: ${other.rfc9440}`,
            `X-SSL-Client-Cert: ${other.escaped}`,
            `ssl-client-cert: ${other.escaped}`,
            'ssl-client-verify: SUCCESS',
            `X-Forwarded-Client-Cert: Cert="${other.escaped}"`,
            `X-Amzn-Mtls-Clientcert-Leaf: ${other.escaped}`,
            'X-Client-Cert-Chain-Verified: true',
            `X-Mtls-Edge-Secret: ${edgeSecret}-not`,
          ],
        });
        assert.equal(r.status, 200, `${r.body}\n${rig.origin.server.output()}`);
        assert.equal((JSON.parse(r.body) as { certificate: { cn: string } }).certificate.cn, 'Google LLC');
        assert.match(await originLine(rig, 'injected'), /200 \S+ms client CN="Google LLC"/);
        assert.doesNotMatch(rig.origin.server.output(), /Other Client/);
      });
    },
  );
}
