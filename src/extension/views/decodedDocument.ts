import * as vscode from 'vscode';

export const DECODED_SCHEME = 'mtls-decoded';

/** Read-only documents holding the rendered decode of a file or selection (like `openssl x509 -text`). */
export class DecodedDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly docs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private counter = 0;
  // Each run gets a new URI, so a result whose tab was closed is not shown again: its text goes with the tab (VS Code
  // keeps the document itself open for minutes after), or with the document when that closes first.
  private readonly closing = [
    vscode.window.tabGroups.onDidChangeTabs((e) => {
      for (const tab of e.closed) {
        const uri = tab.input instanceof vscode.TabInputText ? tab.input.uri : undefined;
        if (uri?.scheme === DECODED_SCHEME && !shownInTab(uri)) this.docs.delete(uri.toString());
      }
    }),
    vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.scheme === DECODED_SCHEME) this.docs.delete(d.uri.toString());
    }),
  ];
  // Handshake timelines in a document: the failed step stands out in the theme's error colours, the
  // steps that passed get the theme's "passed" colour (the text alone still says ✔ / ✖ / · for every theme).
  private readonly failedStep = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('inputValidation.errorBackground'),
    overviewRulerColor: new vscode.ThemeColor('editorError.foreground'),
    overviewRulerLane: vscode.OverviewRulerLane.Full,
    fontWeight: 'bold',
  });
  private readonly failedDetail = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('inputValidation.errorBackground'),
  });
  private readonly passedStep = vscode.window.createTextEditorDecorationType({
    color: new vscode.ThemeColor('testing.iconPassed'),
  });

  /** Stores `text` under a new read-only URI named after `name`. */
  put(name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({
      scheme: DECODED_SCHEME,
      path: `/${name}.decoded.txt`,
      query: String(++this.counter),
    });
    this.docs.set(uri.toString(), text);
    return uri;
  }

  /**
   * Stores `text` and opens it read-only. `beside`: next to the active editor (or in the active group when
   * there is none). Returns the document's URI as a string (what commands return to their callers).
   */
  async show(name: string, text: string, opts: { preview?: boolean; beside?: boolean } = {}): Promise<string> {
    const uri = this.put(name, text);
    const column = opts.beside
      ? vscode.window.activeTextEditor
        ? vscode.ViewColumn.Beside
        : vscode.ViewColumn.Active
      : undefined;
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), {
      preview: opts.preview ?? true,
      viewColumn: column,
    });
    this.highlightTimeline(editor);
    return uri.toString();
  }

  /**
   * Marks handshake-step lines ("  ✖ 5  …" and the detail lines under it) with theme colours; a timeline
   * may be indented as a whole (under a readiness row).
   */
  private highlightTimeline(editor: vscode.TextEditor): void {
    const failed: vscode.Range[] = [];
    const details: vscode.Range[] = [];
    const passed: vscode.Range[] = [];
    let inFailed = false;
    let detailIndent = '';
    const doc = editor.document;
    for (let i = 0; i < doc.lineCount; i++) {
      const text = doc.lineAt(i).text;
      const step = /^( *) {2}([✔✖·]) [1-5] {2}/.exec(text);
      if (step) {
        const indent = step[1]?.length ?? 0;
        inFailed = step[2] === '✖';
        detailIndent = ' '.repeat(indent + 7);
        if (inFailed) failed.push(doc.lineAt(i).range);
        if (step[2] === '✔') passed.push(new vscode.Range(i, indent + 2, i, indent + 3));
      } else if (inFailed && text.startsWith(detailIndent) && /\S/.test(text.charAt(detailIndent.length))) {
        details.push(doc.lineAt(i).range);
      } else {
        inFailed = false;
      }
    }
    editor.setDecorations(this.failedStep, failed);
    editor.setDecorations(this.failedDetail, details);
    editor.setDecorations(this.passedStep, passed);
  }

  /** Results held for open documents (the extension-host tests read it). */
  get size(): number {
    return this.docs.size;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? 'This decoded view has expired: run "mTLS: Decode Certificate" again.';
  }

  dispose(): void {
    for (const d of this.closing) d.dispose();
    this.changed.dispose();
    this.failedStep.dispose();
    this.failedDetail.dispose();
    this.passedStep.dispose();
    this.docs.clear();
  }
}

/** Whether a tab still shows `uri` (the same result may be open in two editor groups). */
function shownInTab(uri: vscode.Uri): boolean {
  const key = uri.toString();
  return vscode.window.tabGroups.all.some((g) =>
    g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === key),
  );
}
