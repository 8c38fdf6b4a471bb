// Extension-host side of bench/tree.bench.ts: times the Certificates view's first level on a fresh
// activation (the workspace holds 1,000 certificate files), then a full background decode of them all.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { MtlsWorkbenchApi } from '../../../src/extension/extension';

export async function run(): Promise<void> {
  const t0 = performance.now();
  const api = (await vscode.extensions.getExtension('mtls-workbench.mtls-workbench')!.activate()) as MtlsWorkbenchApi;
  const activated = performance.now();
  const folders = await api.certificateFolders();
  const firstLevel = performance.now();
  const files = folders.reduce((n, f) => n + f.files.length, 0);
  // Everything decoded (background pass): wait until the last file has diagnostics state settled.
  const last = folders[folders.length - 1].files.slice(-1)[0];
  const rows = await api.treeUnder(last);
  const t1 = performance.now();
  fs.writeFileSync(
    process.env.MTLS_E2E_RESULT!,
    JSON.stringify({
      passes: 1,
      failures: 0,
      files,
      folders: folders.length,
      activateMs: activated - t0,
      firstLevelMs: firstLevel - activated,
      lastFileRows: rows.length,
      lastFileMs: t1 - firstLevel,
    }),
  );
}
