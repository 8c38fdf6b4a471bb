// dist/ts-loader.mjs on this Node 20: amaro strips the types; the stripped output is cached by content.
import { before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { planLaunch } from '../../../src/core/scaffold/launch';
import { ensureBuilt, loaderPath, repoRoot, runCommand, tempDir } from '../support/scaffold';

async function run(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const plan = await planLaunch(script, {
    nodePath: process.execPath,
    loaderPath,
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  assert.equal(plan.strategy, process.versions.node.startsWith('20.') ? 'amaro-loader' : plan.strategy);
  return runCommand(plan.command, plan.args, plan.env);
}

describe('ts-loader (Node < 22.6)', () => {
  before(() => ensureBuilt());

  it('runs a .ts file, caches the stripped code (0600 in a 0700 folder) and reuses it on the next start', async () => {
    const dir = tempDir('loader');
    try {
      const cache = path.join(dir, 'cache');
      const script = path.join(dir, 'answer.ts');
      const source =
        "interface A { n: number }\nconst a: A = { n: 41 };\nconsole.log('answer', (a.n as number) + 1);\n";
      writeFileSync(script, source);
      const first = await run(script, { XDG_CACHE_HOME: cache });
      assert.equal(first.output.trim(), 'answer 42');
      const folder = path.join(cache, 'mtls-workbench', 'ts-strip');
      const files = readdirSync(folder);
      assert.equal(files.length, 1);
      // Keyed by the installed amaro's version (the one the build bundled), how it strips, and the source.
      const amaro = (
        JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', 'amaro', 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
      assert.equal(
        files[0],
        `${createHash('sha256').update(`amaro@${amaro} strip-only v1`).update('\0').update(source).digest('hex')}.js`,
      );
      assert.equal(statSync(folder).mode & 0o777, 0o700);
      assert.equal(statSync(path.join(folder, files[0])).mode & 0o777, 0o600);
      // Prove the second start reads the cache: plant different code under the same key.
      writeFileSync(path.join(folder, files[0]), "console.log('from cache');\n");
      assert.equal((await run(script, { XDG_CACHE_HOME: cache })).output.trim(), 'from cache');
      // A changed source is a new key.
      writeFileSync(script, "const b: number = 43;\nconsole.log('answer', b);\n");
      assert.equal((await run(script, { XDG_CACHE_HOME: cache })).output.trim(), 'answer 43');
      // A folder others can write to is never trusted.
      chmodSync(folder, 0o777);
      writeFileSync(
        script,
        "interface A { n: number }\nconst a: A = { n: 41 };\nconsole.log('answer', (a.n as number) + 1);\n",
      );
      assert.equal((await run(script, { XDG_CACHE_HOME: cache })).output.trim(), 'answer 42');
      // MTLS_TS_CACHE=0: nothing written.
      const off = path.join(dir, 'off');
      assert.equal((await run(script, { XDG_CACHE_HOME: off, MTLS_TS_CACHE: '0' })).output.trim(), 'answer 42');
      assert.throws(() => readdirSync(off));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a syntax error with the file position, and refuses non-erasable syntax (like Node)', async () => {
    const dir = tempDir('loader-bad');
    try {
      const script = path.join(dir, 'bad.ts');
      writeFileSync(script, 'enum Color { Red }\nconsole.log(Color.Red);\n');
      const r = await run(script, { XDG_CACHE_HOME: path.join(dir, 'cache') });
      assert.notEqual(r.code, 0);
      assert.match(r.output, /not supported in strip-only mode|enum/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
