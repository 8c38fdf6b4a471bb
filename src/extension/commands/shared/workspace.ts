import * as vscode from 'vscode';
import * as path from 'node:path';
import { MtlsError } from '../../../core/errors';

/** The first workspace folder, or a clear error for a window without one (saying why the command needs it). */
export function workspaceRoot(
  why = 'mTLS Workbench writes certificates into the workspace (setting mtls.certificatesFolder)',
): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new MtlsError('E_NO_WORKSPACE', `Open a folder first: ${why}.`);
  return folder.uri.fsPath;
}

/**
 * A path argument as the user means it: absolute stays, relative is relative to the workspace folder —
 * never to the extension host's working directory, which the user does not see or choose.
 */
export function workspacePath(p: string): string {
  return path.isAbsolute(p) ? p : path.resolve(workspaceRoot(), p);
}

/** `workspacePath` of an optional argument. */
export function workspacePathOf(p: string | undefined): string | undefined {
  return p === undefined ? undefined : workspacePath(p);
}

/** Resolves a folder argument (absolute, or relative to the workspace) or the configured default. */
export function outputFolder(folder: string | undefined, configured: string): string {
  return workspacePath(folder ?? configured);
}

/** Reads a workspace file argument (absolute or workspace-relative) as text. */
export async function readText(file: string): Promise<string> {
  const p = workspacePath(file);
  try {
    return Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(p))).toString('utf8');
  } catch (e) {
    throw new MtlsError('E_READ', `Cannot read ${p}: ${(e as Error).message}`, { cause: e });
  }
}

/** A path as a person reads it: relative to the workspace when inside it. */
export function displayPath(p: string): string {
  return vscode.workspace.asRelativePath(p, false);
}
