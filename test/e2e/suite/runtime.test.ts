// What a user gets on this VS Code and the Node it runs on: server.mts free of Problems once @types/node is
// added (in a folder where `npm init -y` was run), and the server on VS Code's own runtime when no `node`
// is on PATH.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunningServer } from '../../../src/extension/server/serverManager';
import { ws, run, freePort, until } from './support';

const repo = path.resolve(__dirname, '..', '..', '..', '..');
// What `npm init -y` (npm 11) writes: the folder state in which the server used to crash on Node 22+.
const npmInitPackageJson = {
  name: 'typed',
  version: '1.0.0',
  description: '',
  main: 'index.js',
  scripts: { test: 'echo "Error: no test specified" && exit 1' },
  keywords: [],
  author: '',
  license: 'ISC',
  type: 'commonjs',
};
const cx = { detectIntentResponseId: 'e2e-rt', fulfillmentInfo: { tag: 'hello' }, text: 'hi', languageCode: 'en' };

/** POSTs the CX sample to 127.0.0.1:port, presenting the chain's client certificate from `certs`. */
function postCx(port: number, certs: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ca: fs.readFileSync(path.join(certs, 'ca-root-crt.pem')),
        cert: fs.readFileSync(path.join(certs, 'client-crt.pem')),
        key: fs.readFileSync(path.join(certs, 'client-key.pem')),
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(cx));
  });
}

/** How server.mts must run on this extension host's runtime: Electron always through our loader; the plain-Node
 * hosts of the tested code-server builds are Node 20 (loader) and 24 (native stripping). */
function expectedStrategy(): string {
  if (process.versions['electron'] !== undefined) return 'amaro-loader';
  const byMajor: Record<string, string> = { '20': 'amaro-loader', '24': 'native' };
  const expected = byMajor[process.versions.node.split('.')[0]];
  assert.ok(expected, `no expectation for Node ${process.versions.node}`);
  return expected;
}

/** TypeScript's errors for `uri`, as "code message" lines. */
function tsErrors(uri: vscode.Uri): string[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.severity === vscode.DiagnosticSeverity.Error && /^ts$/i.test(d.source ?? ''))
    .map((d) => `${typeof d.code === 'object' ? d.code.value : d.code} ${d.message}`);
}

describe(`runtime on VS Code ${vscode.version} / extension host Node ${process.versions.node}`, () => {
  it('after scaffold and its one offered step (add @types/node), TypeScript reports no problems in server.mts, and the server still runs', async function () {
    this.timeout(240_000);
    const folder = path.join(ws(), 'typed');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'package.json'), `${JSON.stringify(npmInitPackageJson, null, 2)}\n`);
    await run('mtls.generateChain', { folder: 'typed/certs', keyType: 'ec256', overwrite: true, gitignore: false });
    await run('mtls.scaffoldServer', { folder: 'typed', platform: 'all', overwrite: true, open: false });
    const uri = vscode.Uri.file(path.join(folder, 'server.mts'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
    // Before the step: TypeScript is running and does complain (so the empty list below means something): about
    // Node's names, or, with the file's reference to the node types, that those types are not installed yet.
    const before = await until(
      'TypeScript diagnostics for server.mts',
      () => (tsErrors(uri).length ? tsErrors(uri) : undefined),
      120_000,
    );
    assert.ok(
      before.some((e) => /node:|process|Buffer|type definition file for 'node'/.test(e)),
      before.join('\n'),
    );
    // The step, as offered after scaffolding: npm in a terminal. Offline here, so npm installs the copy of
    // @types/node this repository has (packed into a tarball), instead of fetching it from the registry.
    const pack = fs.mkdtempSync(path.join(os.tmpdir(), 'mtls-types-'));
    const packed = await promisify(execFile)(
      'npm',
      ['pack', '--silent', '--pack-destination', pack, path.join(repo, 'node_modules', '@types', 'node')],
      { encoding: 'utf8' },
    );
    const tgz = path.join(pack, packed.stdout.trim().split('\n').pop()!);
    const r = await run<{ command: string }>('mtls.addNodeTypes', { folder: 'typed', package: tgz });
    assert.match(r.command, /^npm install --save-dev .*types-node-.*\.tgz$/);
    assert.ok(
      vscode.window.terminals.some((t) => t.name === `mTLS: ${r.command}`),
      vscode.window.terminals.map((t) => t.name).join(', '),
    );
    const after = await until(
      'no TypeScript errors in server.mts',
      () => (tsErrors(uri).length === 0 ? [] : undefined),
      120_000,
    ).catch(() => tsErrors(uri));
    assert.deepEqual(after, [], 'TypeScript errors remain in server.mts after adding @types/node');
    // The step changed nothing about how Node runs the file: "type" is still what npm init wrote.
    const pkg = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')) as {
      type?: string;
      devDependencies?: Record<string, string>;
    };
    assert.equal(pkg.type, 'commonjs');
    assert.ok(pkg.devDependencies?.['@types/node'], JSON.stringify(pkg));
    // On the extension host's own Node (20 or 24 here), whatever `node` the machine has on PATH.
    const server = await run<RunningServer>('mtls.startServer', {
      file: uri.fsPath,
      port: await freePort(),
      nodePath: process.execPath,
    });
    try {
      assert.equal(server.strategy, expectedStrategy());
      const ok = await postCx(server.port, path.join(folder, 'certs'));
      assert.equal(ok.status, 200, ok.body);
    } finally {
      await run('mtls.stopServer', { file: uri.fsPath });
      fs.rmSync(pack, { recursive: true, force: true });
    }
  });

  it("with no node on PATH, Start Webhook Server runs server.mts on VS Code's own runtime (ELECTRON_RUN_AS_NODE)", async function () {
    this.timeout(120_000);
    await run('mtls.generateChain', { folder: 'bare/certs', keyType: 'ec256', overwrite: true, gitignore: false });
    await run('mtls.scaffoldServer', { folder: 'bare', platform: 'cx', overwrite: true, open: false });
    const file = path.join(ws(), 'bare', 'server.mts');
    const savedPath = process.env['PATH'];
    // Only folders without a `node` executable stay (a user who installed no Node at all).
    process.env['PATH'] = (savedPath ?? '')
      .split(path.delimiter)
      .filter((d) => d && !fs.existsSync(path.join(d, 'node')))
      .join(path.delimiter);
    let server: RunningServer | undefined;
    try {
      server = await run<RunningServer>('mtls.startServer', { file, port: await freePort() });
    } finally {
      process.env['PATH'] = savedPath;
    }
    try {
      // From /proc: the process really is the extension host's own executable, marked as Node.
      assert.equal(fs.readlinkSync(`/proc/${server.pid}/exe`), fs.realpathSync(process.execPath));
      const environ = fs.readFileSync(`/proc/${server.pid}/environ`, 'utf8').split('\0');
      assert.ok(
        environ.includes('ELECTRON_RUN_AS_NODE=1'),
        'ELECTRON_RUN_AS_NODE=1 missing from the server environment',
      );
      assert.equal(server.strategy, expectedStrategy());
      const ok = await postCx(server.port, path.join(ws(), 'bare', 'certs'));
      assert.equal(ok.status, 200, ok.body);
    } finally {
      await run('mtls.stopServer', { file });
    }
  });
});
