import * as vscode from 'vscode';
import type { CertificateNode, CertificateTreeProvider } from './views/certificateTree';
import type { DecodeService } from './views/decodeService';
import type { CertificateDiagnostics } from './views/diagnostics';
import type { ServerManager } from './server/serverManager';
import type { PemHoverProvider } from './views/pemHover';
import type { DecodedDocumentProvider } from './views/decodedDocument';
import { PtyChannel } from './platform/ptyChannel';

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
  /** What the extension holds per document and per run: the PEM hover's kept scans, decoded results, open terminals. */
  held(): { hoverScans: number; hoverDocuments: number; decodedDocuments: number; terminals: number };
}

export interface TreeRow {
  label: string;
  description?: string;
  contextValue?: string;
  children: { label: string; description?: string }[];
}

/** What the read-only views are read from: the services activate() built. */
export interface TestApiDeps {
  readonly activationMs: number;
  readonly tree: CertificateTreeProvider;
  readonly treeView: vscode.TreeView<CertificateNode>;
  readonly decoder: DecodeService;
  readonly diagnostics: CertificateDiagnostics;
  readonly servers: ServerManager;
  readonly hover: PemHoverProvider;
  readonly decodedDocs: DecodedDocumentProvider;
}

/** The API activate() returns, over the services it built. */
export function testApi({
  activationMs,
  tree,
  treeView,
  decoder,
  diagnostics,
  servers,
  hover,
  decodedDocs,
}: TestApiDeps): MtlsWorkbenchApi {
  return {
    activationMs,
    held: () => ({
      hoverScans: hover.scanCount,
      hoverDocuments: hover.cachedDocuments,
      decodedDocuments: decodedDocs.size,
      terminals: PtyChannel.open,
    }),
    certificateFolders: async () =>
      (await tree.folders()).map((f) => ({ label: f.label, files: f.files.map((u) => u.fsPath) })),
    treeUnder: async (file) => {
      const node = await tree.fileNode(vscode.Uri.file(file));
      if (!node) return [];
      const text = (t: vscode.TreeItem) => (typeof t.label === 'string' ? t.label : (t.label?.label ?? ''));
      const desc = (t: vscode.TreeItem) => (typeof t.description === 'string' ? t.description : undefined);
      return Promise.all(
        (await tree.getChildren(node)).map(async (child) => {
          const item = tree.getTreeItem(child);
          const children = (await tree.getChildren(child)).map((c) => tree.getTreeItem(c));
          return {
            label: text(item),
            description: desc(item),
            contextValue: item.contextValue,
            children: children.map((c) => ({ label: text(c), description: desc(c) })),
          };
        }),
      );
    },
    fileRow: async (file) => {
      const node = await tree.fileNode(vscode.Uri.file(file));
      if (!node) return undefined;
      await decoder.decode(node.resourceUri);
      const item = tree.getTreeItem(node);
      const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : item.tooltip;
      return {
        description: typeof item.description === 'string' ? item.description : undefined,
        contextValue: item.contextValue,
        tooltip,
      };
    },
    pendingDecodes: () => decoder.pending(),
    serverStatus: () => servers.statusText(),
    certificatesViewVisible: () => treeView.visible,
    diagnostics: (file) =>
      diagnostics.get(vscode.Uri.file(file)).map((d) => ({
        message: d.message,
        severity: vscode.DiagnosticSeverity[d.severity],
        line: d.range.start.line,
      })),
  };
}
