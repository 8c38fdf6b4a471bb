import * as vscode from 'vscode';
import { MtlsError } from '../../core/errors';
import type { ErrorAction } from './notify';

/**
 * Starting the webhook server runs the workspace's server.mts on a Node executable: code from the folder.
 * In Restricted Mode (an untrusted workspace) that is refused, with a way to trust the folder; decoding
 * and viewing certificates keep working.
 */
class UntrustedWorkspaceError extends MtlsError {
  constructor(what: string) {
    super(
      'E_UNTRUSTED',
      `mTLS: ${what} runs this workspace's server.mts, which Restricted Mode does not allow. Trust the workspace to use it.`,
    );
    this.name = 'UntrustedWorkspaceError';
  }
}

/** Throws UntrustedWorkspaceError unless the workspace is trusted. */
export function requireTrust(what: string): void {
  if (!vscode.workspace.isTrusted) throw new UntrustedWorkspaceError(what);
}

/** The button for that error. */
export function trustActions(err: unknown): ErrorAction[] {
  return err instanceof UntrustedWorkspaceError
    ? [{ title: 'Manage Workspace Trust', command: 'workbench.trust.manage' }]
    : [];
}
