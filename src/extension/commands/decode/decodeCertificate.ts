import * as vscode from 'vscode';
import { notify } from '../../platform/notify';
import * as path from 'node:path';
import { renderText, type DecodedFile } from '../../../core/x509';
import type { CommandDeps } from '../deps';
import { argumentObject, orCancel } from '../guard';
import { fileFromTarget, pickFile } from '../shared/pickFile';
import { workspacePath } from '../shared/workspace';

/** Argument object for mtls.decodeCertificate: a file, or PEM text. */
export interface DecodeArgs {
  file?: string;
  text?: string;
  /** PKCS#12 passphrase (otherwise asked for, interactively). */
  passphrase?: string;
  /** Open the decoded document (default true). */
  open?: boolean;
}

export interface DecodeResult {
  readonly file?: string;
  readonly decoded: DecodedFile;
  /** URI of the read-only decoded document, when opened. */
  readonly document?: string;
}

function isArgs(x: unknown): x is DecodeArgs {
  const a = argumentObject<object>(x);
  return a !== undefined && ('file' in a || 'text' in a);
}

/** The editor's selection when there is one, else its file (or its text when it has no file). */
function fromEditor(): { file?: string; text?: string; name: string } | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const name = path.basename(editor.document.uri.path) || 'selection';
  if (!editor.selection.isEmpty)
    return { text: editor.document.getText(editor.selection), name: `${name} (selection)` };
  if (editor.document.uri.scheme === 'file' && !editor.document.isDirty)
    return { file: editor.document.uri.fsPath, name };
  return { text: editor.document.getText(), name };
}

/** mTLS: Decode Certificate — a file (explorer, tree, editor) or the selected PEM text → a readable document. */
export async function decodeCertificateCommand(deps: CommandDeps, target?: unknown): Promise<DecodeResult> {
  const interactive = !isArgs(target);
  const a: DecodeArgs = isArgs(target) ? target : {};
  const fromTarget = fileFromTarget(target);
  const source =
    a.file !== undefined || a.text !== undefined
      ? { file: a.file, text: a.text, name: a.file ? path.basename(a.file) : 'text' }
      : fromTarget
        ? { file: fromTarget, name: path.basename(fromTarget) }
        : (fromEditor() ?? {
            file: await pickFile('Certificate, key, CSR, PKCS#7 or PKCS#12 file to decode', {
              'Certificates and keys': [
                'pem',
                'crt',
                'cer',
                'cert',
                'der',
                'key',
                'pub',
                'csr',
                'p12',
                'pfx',
                'p7b',
                'p7c',
              ],
              'All files': ['*'],
            }),
            name: '',
          });
  let decoded: DecodedFile;
  let file: string | undefined;
  if (source.file !== undefined) {
    file = workspacePath(source.file);
    const uri = vscode.Uri.file(file);
    if (a.passphrase !== undefined) deps.decoder.setPassphrase(uri, a.passphrase);
    decoded = await deps.decoder.decode(uri);
    if (decoded.needsPassphrase && interactive) {
      const pass = orCancel(
        await vscode.window.showInputBox({
          title: `Passphrase of ${path.basename(file)}`,
          password: true,
          prompt: 'PKCS#12 files are protected by a passphrase (kept in memory for this session only)',
        }),
      );
      deps.decoder.setPassphrase(uri, pass);
      decoded = await deps.decoder.decode(uri);
    }
    const node = await deps.tree.fileNode(uri);
    if (node && deps.treeView.visible) void deps.treeView.reveal(node, { select: true, expand: true }); // don't wait: cosmetic
    deps.tree.refresh(node);
  } else {
    decoded = await deps.decoder.decodeText(source.text ?? '');
  }
  const name = file ? path.basename(file) : source.name || 'selection';
  for (const e of decoded.errors) deps.log.warn(`decode ${name}: ${e.message}`);
  const document =
    a.open !== false ? await deps.decodedDocs.show(name, renderText(decoded), { beside: true }) : undefined;
  if (interactive && decoded.items.length === 0 && decoded.errors[0]) {
    void notify('warning', `mTLS: ${name}: ${decoded.errors[0].message}`);
  }
  return { file, decoded, document };
}
