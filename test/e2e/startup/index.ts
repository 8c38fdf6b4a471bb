// Extension-host side of bench/startup.bench.ts: activates the extension on a fresh host and reports
//  - loadMs: reading, compiling and evaluating dist/extension.js and every module it requires while loading
//    (what VS Code's Running Extensions view calls code loading), timed around Node's CommonJS loader;
//  - activateMs: activate()'s own time, which the extension measures itself;
//  - hostMs: the whole `Extension.activate()` as this test sees it, which adds the host's own work (activation
//    bookkeeping, creating the extension context, messages to the workbench) that no extension controls.
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MtlsWorkbenchApi } from '../../../src/extension/extension';

type Loader = (module: unknown, filename: string) => void;

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension('mtls-workbench.mtls-workbench');
  if (!ext) throw new Error('mtls-workbench.mtls-workbench is not installed in this host');
  if (ext.isActive) throw new Error('the extension was already active: activation cannot be measured');
  const main = path.join(ext.extensionPath, 'dist', 'extension.js');
  const loaders = (Module as unknown as { _extensions: Record<string, Loader> })._extensions;
  const original = loaders['.js'];
  let loadMs: number | undefined;
  loaders['.js'] = function timed(this: unknown, module: unknown, filename: string): void {
    if (filename !== main) return original.call(this, module, filename);
    const t = performance.now();
    try {
      return original.call(this, module, filename);
    } finally {
      loadMs = performance.now() - t;
    }
  };
  const t0 = performance.now();
  let api: MtlsWorkbenchApi;
  try {
    api = (await ext.activate()) as MtlsWorkbenchApi;
  } finally {
    loaders['.js'] = original;
  }
  const hostMs = performance.now() - t0;
  if (loadMs === undefined)
    throw new Error(`the host did not load ${main} through Node's CommonJS loader: code loading was not measured`);
  fs.writeFileSync(
    process.env.MTLS_E2E_RESULT!,
    JSON.stringify({ passes: 1, failures: 0, loadMs, activateMs: api.activationMs, hostMs }),
  );
}
