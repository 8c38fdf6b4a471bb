// The forged certificate headers `mtls check --edge … --origin …` sends straight to the origin are convincing for
// every format the server reads: an origin that trusts the sender's address (no secret) takes them as the caller,
// so the check's 403 from a well-configured origin means "refused for where it came from", never "malformed".
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { edgeHeaderFormats, forgedEdgeHeaders } from '../../../src/core/readiness/forgedEdgeHeaders';
import { edgeFormats, outsiderAddress, send, startEdgeOrigin, type EdgeOrigin } from '../support/edge';
import { makePki, tempDir, type Pki } from '../support/scaffold';

describe('forged certificate headers of every edge format', () => {
  let pki: Pki;
  const origins: EdgeOrigin[] = [];
  before(() => {
    pki = makePki(path.join(tempDir('check-forgery'), 'certs'));
  });
  after(() => {
    for (const o of origins) o.server.proc.kill();
  });

  it('covers exactly the formats the server reads', () => {
    assert.deepEqual([...edgeHeaderFormats], [...edgeFormats]);
    assert.equal(forgedEdgeHeaders('traefik', readFileSync(pki.clientCrt, 'utf8')), undefined);
  });

  for (const format of edgeFormats) {
    it(`${format}: taken as the caller by an origin open to the sender, refused by one that trusts only its edge`, async () => {
      const forged = forgedEdgeHeaders(format, readFileSync(pki.clientCrt, 'utf8'));
      assert.ok(forged);
      const open = await startEdgeOrigin({ edge: format, pki, trusted: '127.0.0.0/8', secret: '' });
      origins.push(open);
      const taken = await send(open.url, { from: outsiderAddress, headers: forged });
      assert.equal(taken.status, 200, `${taken.body}\n${open.server.output()}`);
      assert.equal((taken.json as { certificate: { cn: string } }).certificate.cn, 'Google LLC');
      const closed = await startEdgeOrigin({ edge: format, pki });
      origins.push(closed);
      const refused = await send(closed.url, { from: outsiderAddress, headers: forged });
      assert.equal(refused.status, 403, refused.body);
      assert.match(refused.body, /forbidden: not from the trusted edge/);
    });
  }
});
