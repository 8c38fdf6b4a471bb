import * as vscode from 'vscode';
import { LOG_NAME, Views } from './ids';
import { TypedSettings } from './platform/settings';
import { registerCommands } from './commands/registerCommands';
import { CertificateTreeProvider } from './views/certificateTree';

/** What activate() returns: read-only views for other extensions and the extension-host tests. */
export interface MtlsWorkbenchApi {
  /** The Certificates view's first level: folders and the files in each. */
  certificateFolders(): Promise<{ label: string; files: string[] }[]>;
}

/** Wires services and registrations; every disposable goes to the context. */
export function activate(context: vscode.ExtensionContext): MtlsWorkbenchApi {
  const log = vscode.window.createOutputChannel(LOG_NAME, { log: true });
  const settings = new TypedSettings();
  const tree = new CertificateTreeProvider(settings, log);
  context.subscriptions.push(
    log,
    tree,
    vscode.window.registerTreeDataProvider(Views.certificates, tree),
    ...registerCommands({ context, log, settings, tree }),
  );
  log.info(`mTLS Workbench ${String(context.extension.packageJSON.version)} activated`);
  return {
    certificateFolders: async () => (await tree.folders()).map((f) => ({ label: f.label, files: f.files.map((u) => u.fsPath) })),
  };
}

export function deactivate(): void {}
