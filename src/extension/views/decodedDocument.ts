import * as vscode from 'vscode';

export const DECODED_SCHEME = 'mtls-decoded';

/** Read-only documents holding the rendered decode of a file or selection (like `openssl x509 -text`). */
export class DecodedDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly docs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private counter = 0;

  /** Stores `text` under a new read-only URI named after `name`. */
  put(name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: DECODED_SCHEME, path: `/${name}.decoded.txt`, query: String(++this.counter) });
    this.docs.set(uri.toString(), text);
    return uri;
  }

  /**
   * Stores `text` and opens it read-only. `beside`: next to the active editor (or in the active group when
   * there is none). Returns the document's URI as a string (what commands return to their callers).
   */
  async show(name: string, text: string, opts: { preview?: boolean; beside?: boolean } = {}): Promise<string> {
    const uri = this.put(name, text);
    const column = opts.beside ? (vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active) : undefined;
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: opts.preview ?? true, viewColumn: column });
    return uri.toString();
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? 'This decoded view has expired: run "mTLS: Decode Certificate" again.';
  }

  dispose(): void {
    this.changed.dispose();
    this.docs.clear();
  }
}
