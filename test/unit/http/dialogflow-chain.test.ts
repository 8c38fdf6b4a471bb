// The Dialogflow-shaped TEST chain kept between runs, so a server trusting its root keeps accepting it.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { reusedDialogflowClient, testChainCacheDir } from '../../../src/core/testIdentities/index';
import { tempDir } from '../support/http';

describe('reusedDialogflowClient', () => {
  it('makes the chain once, keeps it 0600 in the cache folder, and presents the same one next time', async () => {
    const dir = tempDir('dfchain');
    try {
      const first = await reusedDialogflowClient(dir);
      assert.equal(first.reused, false);
      const file = path.join(dir, 'dialogflow-test-chain.json');
      assert.equal((statSync(file).mode & 0o777).toString(8), '600');
      const second = await reusedDialogflowClient(dir);
      assert.equal(second.reused, true);
      assert.equal(second.rootPem, first.rootPem);
      assert.equal(second.certPem, first.certPem);
      assert.match(new X509Certificate(second.certPem).subject, /CN=Google LLC/);
      // A damaged cache is replaced, not trusted.
      writeFileSync(file, '{"certPem":"junk"}');
      const third = await reusedDialogflowClient(dir);
      assert.equal(third.reused, false);
      assert.notEqual(third.rootPem, first.rootPem);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lives under $XDG_CACHE_HOME/mtls-workbench', () => {
    assert.equal(testChainCacheDir({ XDG_CACHE_HOME: '/tmp/x' }), path.join('/tmp/x', 'mtls-workbench'));
  });
});
