import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../../core/errors';
import { orCancel } from '../guard';

/** Asks for one file (certificate, key…) with an open dialog. */
export async function pickFile(
  title: string,
  filters: Record<string, string[]> = { 'PEM files': ['pem', 'crt', 'cer', 'key'] },
  near?: string,
): Promise<string> {
  const uris = await vscode.window.showOpenDialog({
    title,
    canSelectMany: false,
    filters,
    defaultUri: near ? vscode.Uri.file(path.dirname(near)) : vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return orCancel(uris?.[0]).fsPath;
}

/** The conventional sibling of a certificate file: x-crt.pem → x-key.pem, x.crt → x.key (if it exists). */
export function siblingKey(certFile: string): string | undefined {
  const dir = path.dirname(certFile);
  const base = path.basename(certFile);
  const candidates = [
    base.replace(/-crt\.pem$/, '-key.pem'),
    base.replace(/-fullchain\.pem$/, '-key.pem'),
    base.replace(/\.(crt|cer|pem)$/, '.key'),
    base.replace(/\.pem$/, '-key.pem'),
  ];
  return candidates.map((c) => path.join(dir, c)).find((c) => c !== certFile && fs.existsSync(c));
}

/** An argument object named a CA certificate but not its key, and none lies beside it: nothing to sign with. */
export function caKeyNotFound(caCert: string): InputError {
  return new InputError(
    `No private key found next to ${path.basename(caCert)} in ${path.dirname(caCert)}: pass caKey (the CA's private key file), or run the command from the Command Palette to choose it.`,
  );
}

/** A file argument from a tree node, an explorer Uri, or a string path. */
export function fileFromTarget(target: unknown): string | undefined {
  if (target instanceof vscode.Uri) return target.fsPath;
  if (typeof target === 'string') return target;
  const uri = (target as { resourceUri?: vscode.Uri } | undefined)?.resourceUri;
  return uri?.fsPath;
}
