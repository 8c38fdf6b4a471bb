import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { awaitServerReady, ServerStartError } from '../../../src/core/scaffold';

const child = (script: string) => spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
const watch = (timeoutMs = 5000) => ({ timeoutMs, command: process.execPath, detail: () => 'see the log.' });

test('resolves with the URL of the ready line, even when it arrives in pieces', async () => {
  const c = child(
    `process.stdout.write('mTLS webhook listening on https://127.0.0.1:4'); setTimeout(() => { console.log('433 (client certificates required; CA: ca.pem)'); setTimeout(() => {}, 2000); }, 50);`,
  );
  assert.equal(await awaitServerReady(c, watch()), 'https://127.0.0.1:4433');
  c.kill();
});

test('rejects with the server error line as a ServerStartError carrying its code', async () => {
  const c = child(
    `console.error('mtls-server error [EADDRINUSE]: port 4433 is in use'); setTimeout(() => process.exit(1), 100);`,
  );
  await assert.rejects(
    awaitServerReady(c, watch()),
    (e: unknown) => e instanceof ServerStartError && e.serverCode === 'EADDRINUSE' && /4433 is in use/.test(e.message),
  );
});

test('rejects when the process exits before listening, and after the timeout', async () => {
  await assert.rejects(
    awaitServerReady(child(`process.exit(3)`), watch()),
    /exited \(code 3\) before it was listening\. see the log\./,
  );
  const slow = child(`setTimeout(() => {}, 5000)`);
  await assert.rejects(awaitServerReady(slow, watch(300)), /did not report that it is listening within 0\.3 s/);
  slow.kill();
});
