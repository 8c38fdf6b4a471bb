import * as vscode from 'vscode';

/** Result of a command whose feature has not shipped yet: it says so instead of pretending to work. */
export interface NotAvailableResult {
  readonly available: false;
  readonly message: string;
}

/** A command handler that only reports that `title` is not available in this version. */
export function notAvailable(title: string): () => Promise<NotAvailableResult> {
  return async () => {
    const message = `mTLS: ${title} is not available yet in this version of mTLS Workbench.`;
    void vscode.window.showInformationMessage(message); // don't wait: nothing to act on
    return { available: false, message };
  };
}
