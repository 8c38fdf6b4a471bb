import * as vscode from 'vscode';

/**
 * The output side of one pseudoterminal run by the extension (a server, npm): its write and close events, released
 * together when the terminal closes, so each run leaves nothing behind once its terminal is gone.
 */
export class PtyChannel implements vscode.Disposable {
  /** Channels whose terminal is still open (the extension-host tests read it). */
  static open = 0;
  private readonly writes = new vscode.EventEmitter<string>();
  private readonly closes = new vscode.EventEmitter<number | void>();
  private disposed = false;
  readonly onDidWrite = this.writes.event;
  readonly onDidClose = this.closes.event;

  constructor() {
    PtyChannel.open++;
  }

  /** Shows `text` in the terminal (nothing once it is closed). */
  write(text: string): void {
    if (!this.disposed) this.writes.fire(text);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    PtyChannel.open--;
    this.writes.dispose();
    this.closes.dispose();
  }
}
