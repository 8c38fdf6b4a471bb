import * as vscode from 'vscode';
import { fromFileSystemError, MtlsError } from '../../core/errors';
import { noticeText } from '../../core/markdownText';

/** How loud a notification is. */
export type NoticeSeverity = 'info' | 'warning' | 'error';

/**
 * Shows a notification, the only way the extension does: its text, and a modal's detail, often quote what a
 * server or a file chose (a certificate's SANs in a host-name error, a file name), and VS Code turns
 * `[label](command:…)` in them into a link that runs a command. They are shown as written, never as links.
 */
export function notify(severity: NoticeSeverity, message: string, ...buttons: string[]): Thenable<string | undefined>;
export function notify(
  severity: NoticeSeverity,
  message: string,
  options: vscode.MessageOptions,
  ...buttons: string[]
): Thenable<string | undefined>;
export function notify(
  severity: NoticeSeverity,
  message: string,
  ...rest: (string | vscode.MessageOptions)[]
): Thenable<string | undefined> {
  const show =
    severity === 'info'
      ? vscode.window.showInformationMessage
      : severity === 'warning'
        ? vscode.window.showWarningMessage
        : vscode.window.showErrorMessage;
  const [first, ...others] = rest;
  if (typeof first === 'object') {
    const options = first.detail !== undefined ? { ...first, detail: noticeText(first.detail) } : first;
    return show(noticeText(message), options, ...(others as string[]));
  }
  return show(noticeText(message), ...(rest as string[]));
}

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
export async function showError(
  log: vscode.LogOutputChannel,
  thrown: unknown,
  actions: readonly ErrorAction[] = [],
): Promise<void> {
  const err = fromFileSystemError(thrown);
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof MtlsError) log.warn(`${err.code}: ${message}`);
  else log.error(err instanceof Error ? (err.stack ?? message) : message);
  const shown = actions.slice(0, 2);
  // Messages can quote certificate text or file names: shown as written, never as links.
  const pick = await notify(
    'error',
    err instanceof MtlsError ? message : `mTLS: unexpected error: ${message}`,
    ...shown.map((a) => a.title),
    'Show Log',
  );
  if (pick === 'Show Log') log.show(true);
  const action = shown.find((a) => a.title === pick);
  if (action) await vscode.commands.executeCommand(action.command, ...(action.args ?? []));
}
