import * as vscode from 'vscode';
import { fromFileSystemError, MtlsError } from '../../core/errors';
import { noticeText } from '../../core/markdownText';

/** A button on an error message and what it runs. */
export interface ErrorAction {
  readonly title: string;
  readonly command: string;
  readonly args?: unknown[];
}

/**
 * Shows one error message (what happened + what to do) with at most two actions plus "Show Log", and
 * puts the details in the log. Non-MtlsErrors are unexpected: their stack goes to the log only.
 */
export async function showError(log: vscode.LogOutputChannel, thrown: unknown, actions: readonly ErrorAction[] = []): Promise<void> {
  const err = fromFileSystemError(thrown);
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof MtlsError) log.warn(`${err.code}: ${message}`);
  else log.error(err instanceof Error ? (err.stack ?? message) : message);
  const shown = actions.slice(0, 2);
  // Messages can quote certificate text or file names: shown as written, never as links.
  const pick = await vscode.window.showErrorMessage(noticeText(err instanceof MtlsError ? message : `mTLS: unexpected error: ${message}`), ...shown.map((a) => a.title), 'Show Log');
  if (pick === 'Show Log') log.show(true);
  const action = shown.find((a) => a.title === pick);
  if (action) await vscode.commands.executeCommand(action.command, ...(action.args ?? []));
}
