import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runServerFlag } from '../../../src/core/scaffold/runServerFlag';
import { MtlsError } from '../../../src/core/errors';
import { ensureBuilt, loaderPath } from '../support/scaffold';

// A server file that prints what its flag asks for and then fails: --print-authorization's output is the secret.
const failingServer = `const flag = process.argv[2];
process.stdout.write(flag === '--print-authorization' ? 'Bearer s3cret-token-42\\n' : '{"partial":\\n');
process.exit(3);
`;

test('a failing --print-authorization is reported without quoting what it printed (the secret); --print-config quotes its output', async () => {
  ensureBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtls-flag-'));
  try {
    const file = path.join(dir, 'server.mts');
    fs.writeFileSync(file, failingServer);
    const env = { PATH: process.env['PATH'] ?? '' };
    const auth = await runServerFlag(file, '--print-authorization', env, { loaderPath }).then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    );
    assert.ok(auth instanceof MtlsError && auth.code === 'E_SERVER_CONFIG', String(auth));
    assert.match(auth.message, /--print-authorization failed \(exit code 3\) before printing its authorization/);
    assert.ok(!auth.message.includes('s3cret-token-42'), auth.message);
    const config = await runServerFlag(file, '--print-config', env, { loaderPath }).then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    );
    assert.ok(config instanceof MtlsError, String(config));
    assert.match(config.message, /\{"partial":/, 'the configuration attempt quotes its output, as before');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
