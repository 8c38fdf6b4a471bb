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

/** What activate() returns: read-only views for other extensions and the extension-host tests. */
export interface MtlsWorkbenchApi {
  /** The Certificates view's first level: folders and the files in each. */
  certificateFolders(): Promise<{ label: string; files: string[] }[]>;
  /** What the Certificates view shows under a file: each child's label/description/contextValue and its children's. */
  treeUnder(file: string): Promise<TreeRow[]>;
  /** The status-bar text while a server runs ("$(server-process) mTLS :4433"), else undefined. */
  serverStatus(): string | undefined;
  /** The Certificates view's row of a file once decoded: description, context value, tooltip (Markdown source). */
  fileRow(file: string): Promise<{ description?: string; contextValue?: string; tooltip?: string } | undefined>;
  /** Decodes waiting or running in the workers: for what the user asked, and for the background pass. */
  pendingDecodes(): { interactive: number; background: number };
  /** Diagnostics (Problems panel) currently shown for a file. */
  diagnostics(file: string): { message: string; severity: string; line: number }[];
  /** Whether the Certificates view is on screen. */
  certificatesViewVisible(): boolean;
  /** How long activate() took, start to return, in milliseconds (the start-up benchmark reads it). */
  readonly activationMs: number;
}

export interface TreeRow {
  label: string;
  description?: string;
  contextValue?: string;
  children: { label: string; description?: string }[];
}

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
  context.subscriptions.push(
    log,
    decoder,
    tree,
    treeView,
    diagnostics,
    decodedDocs,
    servers,
    vscode.workspace.registerTextDocumentContentProvider(DECODED_SCHEME, decodedDocs),
    vscode.languages.registerHoverProvider([{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: DECODED_SCHEME }], new PemHoverProvider(decoder)),
    ...registerCommands({ context, log, settings, tree, treeView, decoder, decodedDocs, servers }),
  );
  const activationMs = performance.now() - started;
  log.info(`mTLS Workbench ${String((context.extension.packageJSON as { version: unknown }).version)} activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs,
    certificateFolders: async () => (await tree.folders()).map((f) => ({ label: f.label, files: f.files.map((u) => u.fsPath) })),
    treeUnder: async (file) => {
      const node = await tree.fileNode(vscode.Uri.file(file));
      if (!node) return [];
      const text = (t: vscode.TreeItem) => (typeof t.label === 'string' ? t.label : (t.label?.label ?? ''));
      const desc = (t: vscode.TreeItem) => (typeof t.description === 'string' ? t.description : undefined);
      return Promise.all(
        (await tree.getChildren(node)).map(async (child) => {
          const item = tree.getTreeItem(child);
          const children = (await tree.getChildren(child)).map((c) => tree.getTreeItem(c));
          return { label: text(item), description: desc(item), contextValue: item.contextValue, children: children.map((c) => ({ label: text(c), description: desc(c) })) };
        }),
      );
    },
    fileRow: async (file) => {
      const node = await tree.fileNode(vscode.Uri.file(file));
      if (!node) return undefined;
      await decoder.decode(node.resourceUri);
      const item = tree.getTreeItem(node);
      const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : item.tooltip;
      return { description: typeof item.description === 'string' ? item.description : undefined, contextValue: item.contextValue, tooltip };
    },
    pendingDecodes: () => decoder.pending(),
    serverStatus: () => servers.statusText(),
    certificatesViewVisible: () => treeView.visible,
    diagnostics: (file) =>
      diagnostics.get(vscode.Uri.file(file)).map((d) => ({ message: d.message, severity: vscode.DiagnosticSeverity[d.severity], line: d.range.start.line })),
  };
}

export function deactivate(): void {}
