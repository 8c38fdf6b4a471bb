import * as vscode from 'vscode';
import { LOG_NAME, Views } from './ids';
import { TypedSettings } from './platform/settings';
import { registerCommands } from './commands/registerCommands';
import { CertificateTreeProvider } from './views/certificateTree';
import { DecodeService } from './views/decodeService';
import { CertificateDiagnostics } from './views/diagnostics';
import { PemHoverProvider } from './views/pemHover';
import { DECODED_SCHEME, DecodedDocumentProvider } from './views/decodedDocument';
import { ServerManager } from './server/serverManager';
import { testApi, type MtlsWorkbenchApi } from './testApi';

export type { MtlsWorkbenchApi, TreeRow } from './testApi';

/** Wires services and registrations; every disposable goes to the context. */
export function activate(context: vscode.ExtensionContext): MtlsWorkbenchApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel(LOG_NAME, { log: true });
  const settings = new TypedSettings();
  // The decoder runs in its own bundle, in worker threads (see DecodeService).
  const decoder = new DecodeService(settings, context.asAbsolutePath('dist/decodeWorker.js'));
  const tree = new CertificateTreeProvider(settings, log, decoder);
  const treeView = vscode.window.createTreeView(Views.certificates, { treeDataProvider: tree, showCollapseAll: true });
  const diagnostics = new CertificateDiagnostics(decoder);
  const decodedDocs = new DecodedDocumentProvider();
  const servers = new ServerManager(log);
  const hover = new PemHoverProvider(decoder);
  context.subscriptions.push(
    log,
    decoder,
    tree,
    treeView,
    diagnostics,
    decodedDocs,
    servers,
    vscode.workspace.registerTextDocumentContentProvider(DECODED_SCHEME, decodedDocs),
    hover,
    vscode.languages.registerHoverProvider(
      [{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: DECODED_SCHEME }],
      hover,
    ),
    ...registerCommands({ context, log, settings, tree, treeView, decoder, decodedDocs, servers }),
  );
  const activationMs = performance.now() - started;
  log.info(
    `mTLS Workbench ${String((context.extension.packageJSON as { version: unknown }).version)} activated in ${activationMs.toFixed(1)} ms`,
  );
  return testApi({ activationMs, tree, treeView, decoder, diagnostics, servers, hover, decodedDocs });
}

export function deactivate(): void {}
