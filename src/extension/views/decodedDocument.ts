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

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? 'This decoded view has expired: run "mTLS: Decode Certificate" again.';
  }

  dispose(): void {
    this.changed.dispose();
    this.docs.clear();
  }
}
