import * as vscode from 'vscode';
import * as path from 'node:path';
import type { TypedSettings } from '../platform/settings';

/** A workspace folder path (relative) that holds certificate files. */
export class FolderNode {
  readonly kind = 'folder';
  constructor(
    readonly label: string,
    readonly files: readonly vscode.Uri[],
  ) {}
}

/** One certificate/key file. */
export class FileNode {
  readonly kind = 'file';
  constructor(readonly resourceUri: vscode.Uri) {}
}

export type CertificateNode = FolderNode | FileNode;

/**
 * The "Certificates" view: every file matching `mtls.certificateGlob`, grouped by folder, refreshed when
 * such files change. One EventEmitter drives refresh; children are computed only when expanded.
 */
export class CertificateTreeProvider implements vscode.TreeDataProvider<CertificateNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<CertificateNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private scan: Promise<FolderNode[]> | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: TypedSettings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher(settings.certificateGlob);
    const later = () => this.scheduleRefresh();
    this.disposables.push(
      watcher,
      watcher.onDidCreate(later),
      watcher.onDidDelete(later),
      watcher.onDidChange(later),
      vscode.workspace.onDidChangeWorkspaceFolders(later),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mtls')) later();
      }),
    );
  }

  /** Drops cached scans and redraws (the whole tree, or one node). */
  refresh(node?: CertificateNode): void {
    if (!node) this.scan = undefined;
    this.changed.fire(node);
  }

  /** Folder nodes as currently shown (scans the workspace on first use). */
  async folders(): Promise<FolderNode[]> {
    this.scan ??= this.scanWorkspace();
    return this.scan;
  }

  getTreeItem(node: CertificateNode): vscode.TreeItem {
    if (node instanceof FolderNode) {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `folder:${node.label}`;
      item.iconPath = vscode.ThemeIcon.Folder;
      item.description = `${node.files.length} file${node.files.length === 1 ? '' : 's'}`;
      item.contextValue = 'folder';
      return item;
    }
    const item = new vscode.TreeItem(node.resourceUri, vscode.TreeItemCollapsibleState.None);
    item.id = `file:${node.resourceUri.toString()}`;
    item.iconPath = vscode.ThemeIcon.File;
    item.tooltip = node.resourceUri.fsPath;
    item.contextValue = 'file';
    item.command = { command: 'vscode.open', title: 'Open', arguments: [node.resourceUri] };
    return item;
  }

  async getChildren(node?: CertificateNode): Promise<CertificateNode[]> {
    if (!node) return this.folders();
    if (node instanceof FolderNode) return node.files.map((f) => new FileNode(f));
    return [];
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refresh(), 300);
  }

  private async scanWorkspace(): Promise<FolderNode[]> {
    const started = Date.now();
    const uris = await vscode.workspace.findFiles(this.settings.certificateGlob, this.settings.certificateExclude);
    const byFolder = new Map<string, vscode.Uri[]>();
    for (const uri of uris) {
      const key = folderLabel(path.dirname(uri.fsPath));
      const list = byFolder.get(key) ?? [];
      list.push(uri);
      byFolder.set(key, list);
    }
    const folders = [...byFolder.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, files]) => new FolderNode(label, files.sort((a, b) => a.fsPath.localeCompare(b.fsPath))));
    this.log.debug(`Certificates view: ${uris.length} files in ${folders.length} folders (${Date.now() - started} ms)`);
    return folders;
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    for (const d of this.disposables) d.dispose();
  }
}


/** A folder as the user thinks of it: relative to its workspace folder (named only in multi-root windows). */
function folderLabel(dir: string): string {
  const root = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(dir));
  if (!root) return dir;
  const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  const rel = path.relative(root.uri.fsPath, dir);
  if (rel === '') return multiRoot ? root.name : '.';
  return multiRoot ? `${root.name}/${rel}` : rel.split(path.sep).join('/');
}
