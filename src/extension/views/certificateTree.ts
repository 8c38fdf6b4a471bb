import * as vscode from 'vscode';
import * as path from 'node:path';
import type { TypedSettings } from '../platform/settings';
import { Commands, Settings, settingId } from '../ids';
import {
  fieldRow,
  fileRow,
  folderDescription,
  itemFields,
  itemRow,
  messageRow,
  type RowIcon,
} from '../../core/certificateView';
import type { Field } from '../../core/certificateFields';
import { DecodeCancelled, type DecodeService } from './decodeService';
import { FieldNode, FileNode, FolderNode, ItemNode, MessageNode, type CertificateNode } from './nodes';

export { type CertificateNode };

const red = new vscode.ThemeColor('list.errorForeground');
const yellow = new vscode.ThemeColor('list.warningForeground');
const themeIcon = (i: RowIcon) =>
  new vscode.ThemeIcon(i.codicon, i.colour === 'error' ? red : i.colour === 'warning' ? yellow : undefined);

/**
 * The "Certificates" view: every file matching `mtls.certificateGlob`, grouped by folder, refreshed when
 * such files change. The first level comes from a file search only (fast for thousands of files); files
 * are decoded lazily when expanded, and in the background (one at a time) for icons and the Problems panel.
 * Decoding happens in worker threads with a deadline, so a hostile file becomes one "not decoded" node
 * and costs the extension host nothing; a refresh cancels the background pass.
 */
export class CertificateTreeProvider implements vscode.TreeDataProvider<CertificateNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<CertificateNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private scan: Promise<FolderNode[]> | undefined;
  private fileNodes = new Map<string, FileNode>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private backgroundRun = 0;
  /** The file watcher for the current `mtls.certificateGlob` and its listeners. */
  private watching: vscode.Disposable[] = [];

  constructor(
    private readonly settings: TypedSettings,
    private readonly log: vscode.LogOutputChannel,
    private readonly decoder: DecodeService,
  ) {
    const later = () => this.scheduleRefresh();
    this.watch();
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders(later),
      vscode.workspace.onDidChangeConfiguration((e) => {
        // A new glob needs a new watcher: the old one would miss files of the new kind created from now on.
        if (e.affectsConfiguration(settingId(Settings.certificateGlob))) this.watch();
        if (e.affectsConfiguration(Settings.section)) later();
      }),
    );
  }

  /** Watches the files `mtls.certificateGlob` matches now (replacing any earlier watcher). */
  private watch(): void {
    for (const d of this.watching) d.dispose();
    const watcher = vscode.workspace.createFileSystemWatcher(this.settings.certificateGlob);
    const later = () => this.scheduleRefresh();
    this.watching = [
      watcher,
      watcher.onDidCreate(later),
      watcher.onDidDelete((uri) => {
        this.decoder.forget(uri);
        later();
      }),
      watcher.onDidChange((uri) => {
        const node = this.fileNodes.get(uri.toString());
        if (node)
          void this.decoder.decode(uri, { background: true }).then(
            () => this.changed.fire(node),
            () => undefined,
          ); // don't wait: redraw when done
      }),
    ];
  }

  /** Drops cached scans and redraws (the whole tree, or one node). The whole tree: pending background decodes are cancelled. */
  refresh(node?: CertificateNode): void {
    if (!node) {
      this.scan = undefined;
      this.backgroundRun++;
      this.decoder.cancelBackground();
    }
    this.changed.fire(node);
  }

  /** Folder nodes as currently shown (scans the workspace on first use). */
  async folders(): Promise<FolderNode[]> {
    this.scan ??= this.scanWorkspace();
    return this.scan;
  }

  /** The node of a file (after a scan), for reveal(). */
  async fileNode(uri: vscode.Uri): Promise<FileNode | undefined> {
    await this.folders();
    return this.fileNodes.get(uri.toString());
  }

  getParent(node: CertificateNode): CertificateNode | undefined {
    return node instanceof FolderNode ? undefined : node.parent;
  }

  getTreeItem(node: CertificateNode): vscode.TreeItem {
    if (node instanceof FolderNode) {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `folder:${node.label}`;
      item.iconPath = vscode.ThemeIcon.Folder;
      item.description = folderDescription(node.files.length);
      item.contextValue = 'folder';
      return item;
    }
    if (node instanceof FileNode) return this.fileItem(node);
    if (node instanceof ItemNode) return this.itemItem(node);
    if (node instanceof FieldNode) {
      const f = node.field;
      const row = fieldRow(f);
      const item = new vscode.TreeItem(
        row.label,
        f.children?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
      );
      item.id = node.id;
      item.description = row.description;
      item.tooltip = row.tooltip;
      item.contextValue = 'field';
      if (row.icon) item.iconPath = themeIcon(row.icon);
      return item;
    }
    const row = messageRow(node.message);
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.tooltip = row.label;
    item.iconPath = themeIcon(row.icon);
    item.contextValue = row.facets.join(':');
    if (row.needsPassphrase && node.resourceUri) {
      item.command = { command: Commands.decodeCertificate, title: 'Enter passphrase', arguments: [node.resourceUri] };
    }
    return item;
  }

  async getChildren(node?: CertificateNode): Promise<CertificateNode[]> {
    if (!node) {
      const folders = await this.folders();
      return folders;
    }
    if (node instanceof FolderNode)
      return node.files.map((f) => this.fileNodes.get(f.toString()) ?? new FileNode(f, node));
    if (node instanceof FileNode) {
      const file = await this.decoder.decode(node.resourceUri);
      return [
        ...file.errors.map(
          (e, i) => new MessageNode(e, `${node.resourceUri.toString()}#error${i}`, node, node.resourceUri),
        ),
        ...file.items.map((it, i) => new ItemNode(node.resourceUri, it, i, file, node)),
      ];
    }
    if (node instanceof ItemNode) {
      const base = `${node.resourceUri.toString()}#${node.index}`;
      const problems = node.item.kind === 'certificate' ? node.item.problems : [];
      return [
        ...problems.map((p, i) => new MessageNode(p, `${base}/p${i}`, node)),
        ...this.fields(node).map((f, i) => new FieldNode(f, `${base}/f${i}`, node)),
      ];
    }
    if (node instanceof FieldNode)
      return (node.field.children ?? []).map((f, i) => new FieldNode(f, `${node.id}/${i}`, node));
    return [];
  }

  /** The item's fields; key ↔ certificate matches are looked up among the files decoded so far. */
  private fields(node: ItemNode): Field[] {
    return itemFields(node.file, node.index, () =>
      this.decoder.all().map(([uri, f]) => [path.basename(uri.fsPath), f] as const),
    );
  }

  private fileItem(node: FileNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.resourceUri, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `file:${node.resourceUri.toString()}`;
    item.tooltip = node.resourceUri.fsPath;
    const file = this.decoder.peek(node.resourceUri);
    let facets: readonly string[] = ['file'];
    if (!file) {
      item.iconPath = vscode.ThemeIcon.File;
    } else {
      const row = fileRow(file);
      item.description = row.description;
      item.iconPath = themeIcon(row.icon);
      // File names and decoder messages are text, never Markdown (a file may be named like a command link).
      const tip = new vscode.MarkdownString('', true);
      tip.appendMarkdown('**');
      tip.appendText(path.basename(node.resourceUri.fsPath));
      tip.appendMarkdown('**');
      for (const paragraph of row.tooltip) {
        tip.appendMarkdown('\n\n');
        tip.appendText(paragraph);
      }
      item.tooltip = tip;
      facets = row.facets;
    }
    item.contextValue = facets.join(':');
    return item;
  }

  private itemItem(node: ItemNode): vscode.TreeItem {
    const row = itemRow(node.item);
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `${node.resourceUri.toString()}#${node.index}`;
    item.description = row.description;
    item.iconPath = themeIcon(row.icon);
    item.tooltip = row.tooltip;
    item.contextValue = row.facets.join(':');
    return item;
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refresh(), 300);
  }

  private async scanWorkspace(): Promise<FolderNode[]> {
    const started = Date.now();
    const uris = await vscode.workspace.findFiles(this.settings.certificateGlob, this.settings.certificateExclude);
    const byFolder = new Map<string, vscode.Uri[]>();
    const labels = new Map<string, string>(); // one label per directory, not per file
    const labelOf = (dir: string) => labels.get(dir) ?? (labels.set(dir, folderLabel(dir)), labels.get(dir)!);
    const searched = Date.now();
    for (const uri of uris) {
      const key = labelOf(path.dirname(uri.fsPath));
      const list = byFolder.get(key) ?? [];
      list.push(uri);
      byFolder.set(key, list);
    }
    const folders = [...byFolder.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([label, files]) =>
          new FolderNode(
            label,
            files.sort((a, b) => a.fsPath.localeCompare(b.fsPath)),
          ),
      );
    this.fileNodes = new Map(folders.flatMap((f) => f.files.map((u) => [u.toString(), new FileNode(u, f)] as const)));
    this.log.info(
      `Certificates view: ${uris.length} files in ${folders.length} folders in ${Date.now() - started} ms (file search ${searched - started} ms)`,
    );
    void this.decodeInBackground(++this.backgroundRun); // don't wait: icons and diagnostics fill in as files decode
    return folders;
  }

  /** Decodes every listed file in the background worker, one at a time, redrawing each file's row. */
  private async decodeInBackground(run: number): Promise<void> {
    for (const node of this.fileNodes.values()) {
      if (run !== this.backgroundRun) return; // a newer scan took over
      try {
        const before = this.decoder.peek(node.resourceUri);
        const after = await this.decoder.decode(node.resourceUri, { background: true });
        if (before === after) continue;
        this.changed.fire(node);
        if (after.errors.some((e) => e.code === 'timeout'))
          this.log.warn(`${node.resourceUri.fsPath}: ${after.errors[0].message}`);
      } catch (e) {
        if (e instanceof DecodeCancelled) return; // refreshed: a new pass starts with the new scan
        this.log.debug(`could not decode ${node.resourceUri.fsPath}: ${(e as Error).message}`);
      }
    }
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.backgroundRun++;
    for (const d of [...this.disposables, ...this.watching]) d.dispose();
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
