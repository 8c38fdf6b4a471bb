import type * as vscode from 'vscode';
import type { TypedSettings } from '../platform/settings';
import type { CertificateTreeProvider } from '../views/certificateTree';

/** What commands need, passed in by activate() (no global service locator). */
export interface CommandDeps {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly settings: TypedSettings;
  readonly tree: CertificateTreeProvider;
}
