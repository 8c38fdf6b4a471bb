// Extension-host side of bench/startup.bench.ts: activates the extension on a fresh host and reports the
// whole activation as the host sees it (reading and evaluating dist/extension.js, then activate()) and
// activate()'s own share, which the extension measures itself.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { MtlsWorkbenchApi } from '../../../src/extension/extension';

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension('mtls-workbench.mtls-workbench');
  if (!ext) throw new Error('mtls-workbench.mtls-workbench is not installed in this host');
  if (ext.isActive) throw new Error('the extension was already active: activation cannot be measured');
  const t0 = performance.now();
  const api = (await ext.activate()) as MtlsWorkbenchApi;
  const totalMs = performance.now() - t0;
  fs.writeFileSync(process.env.MTLS_E2E_RESULT!, JSON.stringify({ passes: 1, failures: 0, totalMs, activateMs: api.activationMs }));
}
