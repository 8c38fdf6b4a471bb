// renderServer's server.mts (imports, markers, the startWebhookServer call, ≤ 200 lines), the scaffold's file
// set (machinery + manifest + tsconfig.json), strict TypeScript and erasable syntax; planLaunch's choices.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import { renderServer, parsePlatforms } from '../../../src/core/scaffold/renderServer';
import { scaffoldServer, scaffoldServerFiles, tsconfigText } from '../../../src/core/scaffold/scaffoldServer';
import { machineryFiles, machineryVersion } from '../../../src/core/scaffold/machineryFiles';
import { templateVersion } from '../../../src/core/scaffold/template/changelog';
import { findBlock, markers } from '../../../src/core/scaffold/template/layout';
import { planLaunch, strategyFor } from '../../../src/core/scaffold/launch';
import { FilesExistError } from '../../../src/core/files';
import { InputError, MtlsError } from '../../../src/core/errors';
import { repoRoot, tempDir } from '../support/scaffold';
import { longestStall } from '../../hostile/longestStall';

// The repository's TypeScript 5 (its JavaScript API), loaded from the repo: tests may run from another outDir.
const ts = createRequire(path.join(repoRoot, 'package.json'))('typescript') as typeof TS;
const typeRoots = [path.join(repoRoot, 'node_modules', '@types')];

/** Type-checks a scaffolded folder with the tsconfig.json it got (plus `extra` options). */
function typeCheckProject(dir: string, extra: TS.CompilerOptions = {}): string[] {
  const parsed = ts.parseJsonConfigFileContent(
    JSON.parse(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8')),
    ts.sys,
    dir,
  );
  assert.deepEqual(parsed.errors, []);
  const program = ts.createProgram(parsed.fileNames, { ...parsed.options, typeRoots, ...extra });
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
}

const sets = ['cx', 'es', 'kore', 'cx,es', 'cx,kore', 'es,kore', 'cx,es,kore'] as const;
const importNames: Record<string, string[]> = {
  cx: ['cxReply', 'type CxHandler', 'type CxRequest', 'type CxResponse'],
  es: ['esReply', 'type EsHandler', 'type EsRequest', 'type EsResponse'],
  kore: ['type KoreHandler'],
};

/** The names server.mts imports from ./mtls-server/index.mts. */
function importedNames(text: string): string[] {
  const m = /^import \{([^}]*)\} from '\.\/mtls-server\/index\.mts';$/m.exec(text);
  assert.ok(m, 'one import from ./mtls-server/index.mts');
  return m[1]
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

describe("renderServer (the user's server.mts)", () => {
  it('imports exactly what each platform set uses, keeps both marker pairs, and stays within 200 lines for one platform', () => {
    for (const set of sets) {
      const platforms = set.split(',');
      const text = renderServer({ platform: parsePlatforms(set) });
      assert.deepEqual(importedNames(text), ['startWebhookServer', ...platforms.flatMap((p) => importNames[p])], set);
      for (const [start, end] of [
        [markers.configStart, markers.configEnd],
        [markers.handlersStart, markers.handlersEnd],
      ] as const) {
        assert.equal(typeof findBlock(text, start, end), 'object', `${set}: ${start} block`);
      }
      const lines = text.split('\n').length - 1;
      if (platforms.length === 1) assert.ok(lines <= 200, `${set}: ${lines} lines`);
      // The call hands over exactly the chosen platforms' handlers.
      const call = text.slice(text.indexOf('startWebhookServer({'));
      assert.equal(
        /^ {2}cx: \{ handlers: cxHandlers, fallback: cxFallback \},$/m.test(call),
        platforms.includes('cx'),
        set,
      );
      assert.equal(
        /^ {2}es: \{ handlers: esHandlers, fallback: esFallback \},$/m.test(call),
        platforms.includes('es'),
        set,
      );
      assert.equal(/^ {2}kore: koreHandler,$/m.test(call), platforms.includes('kore'), set);
      for (const other of ['cxHandlers', 'esHandlers', 'koreHandler'])
        assert.equal(
          text.includes(`const ${other}`),
          platforms.some((p) => other.startsWith(p)),
          `${set}: ${other}`,
        );
      assert.doesNotMatch(text, /\$\{|`/, 'no template-literal leftovers');
      assert.doesNotMatch(text, /mtls-machinery|function dispatch|createServer/, "no machinery in the user's file");
    }
  });

  it('shows a custom route, a before hook and the verified caller, and names every environment override', () => {
    const text = renderServer({ platform: 'cx' });
    assert.match(text, /^ {4}'GET \/status': \(\) => \(\{ status: 'ok' \}\),$/m);
    assert.match(
      text,
      /^ {2}\/\/ {3}\(req\) => \(req\.headers\['x-tenant'\] \? undefined : \{ status: 400, error: 'x-tenant header required' \}\),$/m,
    );
    assert.match(text, /^ {2}before: \[\],$/m);
    assert.match(text, /ctx\.caller\.certificate\.cn/);
    assert.match(text, /ctx\.caller\.idToken\?\.email/);
    const config = text.slice(text.indexOf(markers.configStart), text.indexOf(markers.configEnd));
    for (const env of [
      'MTLS_KEY',
      'MTLS_CERT',
      'MTLS_CA',
      'MTLS_HOST',
      'MTLS_PORT',
      'MTLS_ALLOWED_CLIENTS',
      'MTLS_ACCEPT_ANY_PUBLIC_CLIENT',
      'MTLS_AUTH',
      'MTLS_ID_TOKEN_AUDIENCE',
      'MTLS_ID_TOKEN_EMAIL',
      'MTLS_ID_TOKEN_SUBJECT',
      'MTLS_GOOGLE_JWKS_URL',
      'MTLS_WEBHOOK_PATHS',
      'MTLS_BODY_LIMIT_BYTES',
      'MTLS_REQUEST_TIMEOUT_MS',
      'MTLS_HANDSHAKE_TIMEOUT_MS',
      'MTLS_MAX_CONNECTIONS',
      'MTLS_MAX_HANDSHAKES',
      'MTLS_MAX_HANDSHAKES_PER_ADDRESS',
      'MTLS_CLIENT_HELLO_TIMEOUT_MS',
      'MTLS_KEY_PASSPHRASE',
    ]) {
      assert.ok(config.includes(env), `config block names ${env}`);
    }
  });

  it('writes the port and host given, and rejects bad ones and unknown platforms', () => {
    assert.match(renderServer({ port: 8443 }), /^\s+port: 8443, \/\/ MTLS_PORT$/m);
    assert.match(renderServer(), /^\s+port: 4433, \/\/ MTLS_PORT$/m);
    assert.match(renderServer({ host: '0.0.0.0' }), /^\s+host: '0\.0\.0\.0', \/\/ MTLS_HOST/m);
    assert.throws(() => renderServer({ port: 70000 }), InputError);
    assert.throws(() => renderServer({ host: "x'; evil()" }), InputError);
    assert.deepEqual(parsePlatforms('kore,cx'), ['cx', 'kore']);
    assert.throws(() => parsePlatforms('alexa'), InputError);
  });

  it("the template version is the machinery's own", () => {
    assert.equal(templateVersion, machineryVersion());
  });
});

describe('scaffoldServer (server.mts + mtls-server/ + tsconfig.json)', () => {
  it('writes the whole set: the machinery verbatim with its manifest, files 0644, tsconfig.json only when absent', async () => {
    const dir = tempDir('write');
    try {
      const result = await scaffoldServerFiles(dir, { platform: 'es' });
      assert.equal(result.file, path.join(dir, 'server.mts'));
      assert.equal(result.tsconfig, 'written');
      assert.equal(statSync(result.file).mode & 0o777, 0o644);
      assert.equal(readFileSync(result.file, 'utf8'), renderServer({ platform: 'es' }));
      const names = machineryFiles().map((f) => f.name);
      assert.ok(names.includes('index.mts'));
      assert.deepEqual(readdirSync(path.join(dir, 'mtls-server')).sort(), [...names, 'manifest.json'].sort());
      const manifest = JSON.parse(readFileSync(path.join(dir, 'mtls-server', 'manifest.json'), 'utf8')) as {
        template: number;
        files: Record<string, string>;
      };
      assert.equal(manifest.template, templateVersion);
      assert.deepEqual(Object.keys(manifest.files).sort(), [...names].sort());
      for (const f of machineryFiles()) {
        const onDisk = readFileSync(path.join(dir, 'mtls-server', f.name));
        assert.equal(onDisk.toString('utf8'), f.contents, `${f.name} copied verbatim`);
        assert.equal(manifest.files[f.name], sha256(onDisk), `${f.name}'s hash`);
      }
      assert.equal(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'), tsconfigText);
      assert.equal(result.written.length, names.length + 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an existing server.mts, mtls-server/ or single-file server.ts unless overwrite; keeps an existing tsconfig.json and says what it needs', async () => {
    const dir = tempDir('refuse');
    try {
      const file = await scaffoldServer(dir, { platform: 'cx' });
      await assert.rejects(scaffoldServer(dir), FilesExistError);
      // Only the folder left: still refused, nothing written.
      rmSync(file);
      await assert.rejects(
        scaffoldServer(dir),
        (e: unknown) => e instanceof FilesExistError && e.existing.includes(path.join(dir, 'mtls-server')),
      );
      assert.equal(existsSync(file), false);
      // --force: the set is written anew, a stale file of an older machinery goes, tsconfig.json stays.
      writeFileSync(path.join(dir, 'mtls-server', 'retired.mts'), 'export {};\n');
      writeFileSync(path.join(dir, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }\n');
      const forced = await scaffoldServerFiles(dir, { platform: 'kore' }, { overwrite: true });
      assert.equal(forced.tsconfig, 'kept');
      assert.match(
        forced.note ?? '',
        /tsconfig\.json already exists.*"nodenext".*allowImportingTsExtensions.*server\.mts and mtls-server\//,
      );
      assert.equal(
        readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'),
        '{ "compilerOptions": { "strict": true } }\n',
      );
      assert.equal(existsSync(path.join(dir, 'mtls-server', 'retired.mts')), false);
      assert.match(readFileSync(file, 'utf8'), /const koreHandler/);
      // A single-file server.ts of an earlier template: converting it is the way, not a second server.
      const legacy = tempDir('legacy');
      try {
        writeFileSync(
          path.join(legacy, 'server.ts'),
          readFileSync(path.join(repoRoot, 'test', 'fixtures', 'server-v4', 'cx', 'server.ts')),
        );
        await assert.rejects(
          scaffoldServer(legacy),
          (e: unknown) =>
            e instanceof MtlsError && /single-file server .*template 4.*mtls scaffold --upgrade/.test(e.message),
        );
        assert.deepEqual(readdirSync(legacy), ['server.ts']);
      } finally {
        rmSync(legacy, { recursive: true, force: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a scaffolded project type-checks under its tsconfig.json, also with the strictest erasable-only settings', async () => {
    const dir = tempDir('tsc');
    try {
      for (const set of ['cx', 'es', 'kore', 'cx,es,kore'])
        await scaffoldServer(path.join(dir, set), { platform: parsePlatforms(set) });
      for (const set of ['cx', 'es', 'kore', 'cx,es,kore']) {
        assert.deepEqual(typeCheckProject(path.join(dir, set)), [], set);
      }
      const strictest = {
        erasableSyntaxOnly: true,
        noUnusedLocals: true,
        noUnusedParameters: true,
        noImplicitReturns: true,
        exactOptionalPropertyTypes: false,
      } as TS.CompilerOptions;
      assert.deepEqual(typeCheckProject(path.join(dir, 'cx,es,kore'), strictest), []);
      // The check can fail: a non-erasable enum in server.mts is reported.
      const file = path.join(dir, 'cx', 'server.mts');
      writeFileSync(file, `${readFileSync(file, 'utf8')}\nenum Color { Red }\nvoid Color.Red;\n`);
      // The written tsconfig.json itself turns the check on: the editor underlines it before Node refuses it at start.
      assert.match(typeCheckProject(path.join(dir, 'cx')).join('\n'), /erasableSyntaxOnly/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("strips with amaro (Node's stripper) in strip-only mode, keeping the import of the machinery as Node must run it", () => {
    const amaro = createRequire(path.join(repoRoot, 'package.json'))('amaro') as {
      transformSync(s: string, o: { mode: string }): { code: string };
    };
    assert.throws(() => amaro.transformSync('enum A { B }', { mode: 'strip-only' }), 'the check can fail');
    const { code } = amaro.transformSync(renderServer(), { mode: 'strip-only' });
    assert.doesNotMatch(code, /: CxRequest|type CxHandler/);
    assert.match(
      code,
      /import \{\s*startWebhookServer,\s*cxReply,[\s,]*esReply,[\s,]*\} from '\.\/mtls-server\/index\.mts';/,
    );
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

  it('builds the command line for each strategy', async () => {
    const dir = tempDir('plan');
    try {
      const loader = path.join(dir, 'dist', 'ts-loader.mjs');
      mkdirSync(path.dirname(loader));
      writeFileSync(loader, '');
      const server = path.join(dir, 'server.ts');
      const native = await planLaunch(server, {
        nodePath: '/opt/node24/bin/node',
        nodeVersion: 'v24.0.0',
        env: { PATH: '/bin' },
        port: 9443,
      });
      assert.deepEqual([native.command, native.args, native.strategy], ['/opt/node24/bin/node', [server], 'native']);
      assert.equal(native.env['MTLS_PORT'], '9443');
      const flagged = await planLaunch(server, { nodePath: 'node', nodeVersion: '22.6.0', env: {} });
      assert.deepEqual(flagged.args.slice(0, 1), ['--experimental-strip-types']);
      assert.equal(flagged.args.at(-1), server);
      const loaded = await planLaunch(server, {
        nodePath: 'node',
        nodeVersion: '20.20.2',
        env: {},
        loaderPath: loader,
      });
      assert.equal(loaded.strategy, 'amaro-loader');
      assert.match(
        decodeURIComponent(loaded.args[0] ?? ''),
        /^--import=data:text\/javascript,import\{register\}from'node:module';register\("file:\/\/\/.*\/dist\/ts-loader\.mjs"\);$/,
      );
      assert.match(loaded.note, /amaro/);
      await assert.rejects(
        () =>
          planLaunch(server, {
            nodePath: 'node',
            nodeVersion: '20.20.2',
            env: {},
            loaderPath: path.join(dir, 'none.mjs'),
          }),
        /ts-loader\.mjs not found/,
      );
      const self = await planLaunch(server, { useCurrentRuntime: true, env: {}, loaderPath: loader });
      assert.equal(self.command, process.execPath);
      // VS Code's runtime: marked even on a plain-Node extension host (ignored there), named in the note.
      assert.equal(self.env['ELECTRON_RUN_AS_NODE'], '1');
      assert.match(
        self.note,
        new RegExp(`^VS Code's built-in Node ${process.versions.node} \\(.*ELECTRON_RUN_AS_NODE=1\\), strategy `),
      );
      assert.match(native.note, /^Node 24\.0\.0 \(\/opt\/node24\/bin\/node\), strategy native: /);
      assert.match(flagged.note, /strategy strip-types: /);
      assert.match(loaded.note, /strategy amaro-loader: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('asks another Node its version in a child process without blocking this thread, and says what to do when it cannot run', async () => {
    const dir = tempDir('slow-node');
    try {
      // A Node that takes half a second to answer (a cold disk, an antivirus scan, a version-manager shim).
      const slow = path.join(dir, 'node');
      writeFileSync(slow, '#!/bin/sh\nsleep 0.5\necho v24.0.0\n', { mode: 0o755 });
      const { value: plan, stallMs } = await longestStall(() =>
        planLaunch(path.join(dir, 'server.mts'), { nodePath: slow, env: { PATH: '/bin' } }),
      );
      assert.equal(plan.strategy, 'native');
      assert.match(plan.note, /^Node 24\.0\.0 \(.*\/node\), strategy native/);
      assert.ok(stallMs < 300, `planning stalled this thread ${stallMs} ms`);
      await assert.rejects(
        () => planLaunch(path.join(dir, 'server.mts'), { nodePath: path.join(dir, 'missing-node'), env: {} }),
        (e: unknown) =>
          e instanceof MtlsError &&
          e.code === 'E_NODE' &&
          /cannot run .*missing-node --version: .*Set mtls\.server\.nodePath \(or --node\)/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back to this runtime when node is not on PATH', async () => {
    const plan = await planLaunch('/x/server.ts', { env: { PATH: '/nonexistent' }, loaderPath: __filename });
    assert.equal(plan.command, process.execPath);
    assert.match(plan.note, /no node on PATH\), strategy /);
    assert.equal(plan.env['ELECTRON_RUN_AS_NODE'], undefined, 'plain Node outside VS Code: nothing to mark');
  });
});
