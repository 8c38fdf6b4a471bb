// The shared probes: does a path exist, can a port be bound (what preflight, set-up and readiness ask).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPortFree, pathExists } from '../../src/core/localProbes';

const listen = (host: string): Promise<net.Server> =>
  new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, host, () => resolve(s));
  });
const close = (s: net.Server): Promise<void> => new Promise((resolve) => s.close(() => resolve()));

test('pathExists: files and folders yes; missing paths and dangling links no', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'probes-'));
  try {
    writeFileSync(join(dir, 'f'), 'x');
    symlinkSync(join(dir, 'gone'), join(dir, 'dangling'));
    assert.deepEqual(await Promise.all(['f', '.', 'missing', 'dangling'].map((n) => pathExists(join(dir, n)))), [
      true,
      true,
      false,
      false,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('checkPortFree: free, taken on the same address, taken by a server on every address, not an address here', async () => {
  const s = await listen('127.0.0.1');
  const port = (s.address() as net.AddressInfo).port;
  assert.equal(await checkPortFree(port, '127.0.0.1'), 'EADDRINUSE');
  await close(s);
  assert.equal(await checkPortFree(port, '127.0.0.1'), undefined, 'free again once the server closed');
  // A server on 0.0.0.0 (the scaffold's default) is found by probing the loopback address the check uses.
  const all = await listen('0.0.0.0');
  assert.equal(await checkPortFree((all.address() as net.AddressInfo).port, '127.0.0.1'), 'EADDRINUSE');
  await close(all);
  // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine; binding asks nothing of the network.
  assert.equal(await checkPortFree(0, '192.0.2.1'), 'EADDRNOTAVAIL');
});
