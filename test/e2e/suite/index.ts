// Loaded by the extension host through extensionTestsPath: must export run(): Promise<void>.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  // MTLS_E2E_GREP runs only the matching tests (while working on one feature).
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    color: false,
    reporter: 'spec',
    ...(process.env.MTLS_E2E_GREP ? { grep: process.env.MTLS_E2E_GREP } : {}),
  });
  for (const f of fs.readdirSync(__dirname).sort()) if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      // The harness reads the counts from here (the extension host's fs is the test machine's).
      const file = process.env.MTLS_E2E_RESULT;
      if (file)
        fs.writeFileSync(
          file,
          JSON.stringify({ passes: runner.stats?.passes ?? 0, failures, tests: runner.stats?.tests ?? 0 }),
        );
      if (failures > 0) reject(new Error(`${failures} extension-host tests failed.`));
      else resolve();
    });
  });
}
