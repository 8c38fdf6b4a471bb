// renderServer's output: strict TypeScript, erasable syntax only, platform selection; planLaunch's choices.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import { renderServer, parsePlatforms } from '../../src/core/scaffold/renderServer';
import { scaffoldServer } from '../../src/core/scaffold/scaffoldServer';
import { planLaunch, strategyFor } from '../../src/core/scaffold/launch';
import { FilesExistError } from '../../src/core/files';
import { InputError } from '../../src/core/errors';
import { repoRoot, tempDir } from './scaffold-support';

// The repository's TypeScript 5 (its JavaScript API), loaded from the repo: tests may run from another outDir.
const ts = createRequire(path.join(repoRoot, 'package.json'))('typescript') as typeof TS;

/** The diagnostics of one program over `files`; `of(file)` those of one file (with the program's global ones). */
function typeCheck(files: string[], options: TS.CompilerOptions): { all: string[]; of: (file: string) => string[] } {
  const program = ts.createProgram(files, { noEmit: true, strict: true, skipLibCheck: true, types: ['node'], typeRoots: [path.join(repoRoot, 'node_modules', '@types')], ...options });
  const text = (ds: readonly TS.Diagnostic[]) => ds.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  return {
    all: text(ts.getPreEmitDiagnostics(program)),
    of: (file) => text(ts.getPreEmitDiagnostics(program, program.getSourceFile(file))),
  };
}

describe('renderServer', () => {
  it('compiles under tsc --strict with erasable syntax only, for every --platform', () => {
    const dir = tempDir('tsc');
    try {
      // One file per platform choice, checked in one program per option set (loading @types/node is the slow part).
      const files = (['all', 'cx', 'es', 'kore'] as const).map((platform) => {
        const file = path.join(dir, platform, 'server.ts');
        mkdirSync(path.dirname(file));
        writeFileSync(file, renderServer({ platform }));
        return file;
      });
      // What the header tells users to run (tsc defaults + --strict --types node) ...
      assert.deepEqual(typeCheck(files, {}).all, []);
      // ... and the strictest settings that matter for Node's type stripping. The same program checks a copy
      // with a non-erasable enum added, to show the check can fail: it is reported there.
      const withEnum = path.join(dir, 'enum', 'server.ts');
      mkdirSync(path.dirname(withEnum));
      writeFileSync(withEnum, `${readFileSync(files[0]!, 'utf8')}\nenum Color { Red }\nvoid Color.Red;\n`);
      const strictest = typeCheck([...files, withEnum], {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.Preserve,
        verbatimModuleSyntax: true,
        erasableSyntaxOnly: true,
        noUnusedLocals: true,
        noUnusedParameters: true,
        noImplicitReturns: true,
      });
      assert.deepEqual(files.flatMap((f) => strictest.of(f)), []);
      assert.match(strictest.of(withEnum).join('\n'), /erasableSyntaxOnly/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('strips with amaro (Node\'s stripper) in strip-only mode, which rejects enums and namespaces', () => {
    const amaro = createRequire(path.join(repoRoot, 'package.json'))('amaro') as { transformSync(s: string, o: { mode: string }): { code: string } };
    assert.throws(() => amaro.transformSync('enum A { B }', { mode: 'strip-only' }), 'the check can fail');
    const { code } = amaro.transformSync(renderServer(), { mode: 'strip-only' });
    assert.doesNotMatch(code, /interface CxRequest|: string\b/);
  });

  it('includes only the handlers of the chosen platform', () => {
    const cx = renderServer({ platform: 'cx' });
    assert.match(cx, /const cxHandlers/);
    assert.doesNotMatch(cx, /esHandlers|koreHandler/);
    const es = renderServer({ platform: 'es' });
    assert.match(es, /const esHandlers/);
    assert.doesNotMatch(es, /cxHandlers|koreHandler/);
    const all = renderServer();
    for (const name of ['cxHandlers', 'esHandlers', 'koreHandler']) assert.match(all, new RegExp(`const ${name}`));
    assert.deepEqual(parsePlatforms('cx,kore'), ['cx', 'kore']);
    assert.throws(() => parsePlatforms('alexa'), InputError);
  });

  it('is correct by default: requires and verifies client certificates, port from the options', () => {
    const s = renderServer({ port: 8443 });
    assert.match(s, /requestCert: true,\n\s+rejectUnauthorized: true,/);
    assert.doesNotMatch(s, /rejectUnauthorized: false/);
    assert.match(s, /^\s+port: 8443, \/\/ MTLS_PORT$/m);
    assert.match(renderServer(), /^\s+port: 4433, \/\/ MTLS_PORT$/m);
    assert.throws(() => renderServer({ port: 70000 }), InputError);
    assert.doesNotMatch(s, /\$\{|`/, 'no template-literal leftovers');
  });

  it('scaffoldServer writes server.ts 0644 and refuses to overwrite without overwrite: true', async () => {
    const dir = tempDir('write');
    try {
      const file = await scaffoldServer(dir, { platform: 'es' });
      assert.equal(statSync(file).mode & 0o777, 0o644);
      await assert.rejects(scaffoldServer(dir), FilesExistError);
      await scaffoldServer(dir, { platform: 'cx' }, { overwrite: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('planLaunch', () => {
  it('chooses the strategy by Node version', () => {
    assert.equal(strategyFor('v24.1.0'), 'native');
    assert.equal(strategyFor('23.6.0'), 'native');
    assert.equal(strategyFor('22.18.0'), 'native');
    assert.equal(strategyFor('23.5.0'), 'strip-types');
    assert.equal(strategyFor('22.6.0'), 'strip-types');
    assert.equal(strategyFor('22.5.1'), 'amaro-loader');
    assert.equal(strategyFor('20.20.2'), 'amaro-loader');
    assert.equal(strategyFor('20.16.0'), 'amaro-loader');
    assert.equal(strategyFor('22.3.0'), 'amaro-loader');
    // No process.getBuiltinModule before 20.16 / 22.3 (and never on 21).
    assert.throws(() => strategyFor('20.15.1'), /too old/);
    assert.throws(() => strategyFor('21.7.3'), /too old/);
    assert.throws(() => strategyFor('22.2.0'), /too old/);
    assert.throws(() => strategyFor('20.5.0'), /too old/);
  });

  it('builds the command line for each strategy', () => {
    const dir = tempDir('plan');
    try {
      const loader = path.join(dir, 'dist', 'ts-loader.mjs');
      mkdirSync(path.dirname(loader));
      writeFileSync(loader, '');
      const server = path.join(dir, 'server.ts');
      const native = planLaunch(server, { nodePath: '/opt/node24/bin/node', nodeVersion: 'v24.0.0', env: { PATH: '/bin' }, port: 9443 });
      assert.deepEqual([native.command, native.args, native.strategy], ['/opt/node24/bin/node', [server], 'native']);
      assert.equal(native.env['MTLS_PORT'], '9443');
      const flagged = planLaunch(server, { nodePath: 'node', nodeVersion: '22.6.0', env: {} });
      assert.deepEqual(flagged.args.slice(0, 1), ['--experimental-strip-types']);
      assert.equal(flagged.args.at(-1), server);
      const loaded = planLaunch(server, { nodePath: 'node', nodeVersion: '20.20.2', env: {}, loaderPath: loader });
      assert.equal(loaded.strategy, 'amaro-loader');
      assert.match(decodeURIComponent(loaded.args[0] ?? ''), /^--import=data:text\/javascript,import\{register\}from'node:module';register\("file:\/\/\/.*\/dist\/ts-loader\.mjs"\);$/);
      assert.match(loaded.note, /amaro/);
      assert.throws(() => planLaunch(server, { nodePath: 'node', nodeVersion: '20.20.2', env: {}, loaderPath: path.join(dir, 'none.mjs') }), /ts-loader\.mjs not found/);
      const self = planLaunch(server, { useCurrentRuntime: true, env: {}, loaderPath: loader });
      assert.equal(self.command, process.execPath);
      // VS Code's runtime: marked even on a plain-Node extension host (ignored there), named in the note.
      assert.equal(self.env['ELECTRON_RUN_AS_NODE'], '1');
      assert.match(self.note, new RegExp(`^VS Code's built-in Node ${process.versions.node} \\(.*ELECTRON_RUN_AS_NODE=1\\), strategy `));
      assert.match(native.note, /^Node 24\.0\.0 \(\/opt\/node24\/bin\/node\), strategy native: /);
      assert.match(flagged.note, /strategy strip-types: /);
      assert.match(loaded.note, /strategy amaro-loader: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back to this runtime when node is not on PATH', () => {
    const plan = planLaunch('/x/server.ts', { env: { PATH: '/nonexistent' }, loaderPath: __filename });
    assert.equal(plan.command, process.execPath);
    assert.match(plan.note, /no node on PATH\), strategy /);
    assert.equal(plan.env['ELECTRON_RUN_AS_NODE'], undefined, 'plain Node outside VS Code: nothing to mark');
  });
});
