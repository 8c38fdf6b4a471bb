// Shared by the extension-host suites (not a test file: index.ts loads only *.test.js).
import * as net from 'node:net';
import * as vscode from 'vscode';
import type { MtlsWorkbenchApi } from '../../../src/extension/extension';

/** The test workspace folder. */
export const ws = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;

/** The extension's API (activating it if needed). */
export async function api(): Promise<MtlsWorkbenchApi> {
  return (await vscode.extensions.getExtension('mtls-workbench.mtls-workbench')!.activate()) as MtlsWorkbenchApi;
}

/** executeCommand as a Promise (it returns a Thenable, which assert.rejects does not take). */
export const run = <T>(id: string, args?: unknown): Promise<T> =>
  Promise.resolve(vscode.commands.executeCommand<T>(id, args));

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns a value (or fails after `ms`). */
export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 15_000,
): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
    const v = await probe();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}
