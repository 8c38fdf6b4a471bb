import * as vscode from 'vscode';

/** Read-only documents with the proposed file, for the diff editor's right side. */
export class UpdatePreviewProvider implements vscode.TextDocumentContentProvider {
  static readonly scheme = 'mtls-server-update';
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly closing = vscode.workspace.onDidCloseTextDocument((d) => {
    if (d.uri.scheme === UpdatePreviewProvider.scheme) this.texts.delete(d.uri.toString());
  });

  /** A URI showing `text` as "<name> (template N)". */
  show(file: string, version: number, text: string): vscode.Uri {
    const uri = vscode.Uri.from({
      scheme: UpdatePreviewProvider.scheme,
      path: `${file}`,
      query: `template-${version}`,
    });
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.closing.dispose();
    this.changed.dispose();
    this.texts.clear();
  }
}
