import * as vscode from 'vscode';
import * as path from 'node:path';
import type { TypedSettings } from '../platform/settings';
import { Commands, Settings, settingId } from '../ids';
import type { DecodedFile, DecodedItem } from '../../core/x509';
import { certificateFields, itemLabel, otherItemFields, type Field } from '../../core/certificateFields';
import { DecodeCancelled, type DecodeService } from './decodeService';
import { FieldNode, FileNode, FolderNode, ItemNode, MessageNode, type CertificateNode } from './nodes';

export { FolderNode, FileNode, ItemNode, FieldNode, MessageNode, type CertificateNode };

const red = new vscode.ThemeColor('list.errorForeground');
const yellow = new vscode.ThemeColor('list.warningForeground');

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
        if (node) void this.decoder.decode(uri, { background: true }).then(() => this.changed.fire(node), () => undefined); // don't wait: redraw when done
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
      item.description = `${node.files.length} file${node.files.length === 1 ? '' : 's'}`;
      item.contextValue = 'folder';
      return item;
    }
    if (node instanceof FileNode) return this.fileItem(node);
    if (node instanceof ItemNode) return this.itemItem(node);
    if (node instanceof FieldNode) {
      const f = node.field;
      const item = new vscode.TreeItem(f.label || f.value, f.children?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.description = f.label ? f.value : undefined;
      item.tooltip = `${f.label ? `${f.label}: ` : ''}${f.value}`;
      item.contextValue = 'field';
      if (f.severity) item.iconPath = new vscode.ThemeIcon(f.severity === 'error' ? 'error' : 'warning', f.severity === 'error' ? red : yellow);
      return item;
    }
    const m = node.message;
    const severity = 'severity' in m ? m.severity : 'error';
    const item = new vscode.TreeItem(m.message, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.tooltip = m.message;
    item.iconPath = new vscode.ThemeIcon(severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'info', severity === 'error' ? red : severity === 'warning' ? yellow : undefined);
    item.contextValue = m.code === 'needs-passphrase' ? 'message:passphrase' : 'message';
    if (m.code === 'needs-passphrase' && node.resourceUri) {
      item.command = { command: Commands.decodeCertificate, title: 'Enter passphrase', arguments: [node.resourceUri] };
    }
    return item;
  }

  async getChildren(node?: CertificateNode): Promise<CertificateNode[]> {
    if (!node) {
      const folders = await this.folders();
      return folders;
    }
    if (node instanceof FolderNode) return node.files.map((f) => this.fileNodes.get(f.toString()) ?? new FileNode(f, node));
    if (node instanceof FileNode) {
      const file = await this.decoder.decode(node.resourceUri);
      return [
        ...file.errors.map((e, i) => new MessageNode(e, `${node.resourceUri.toString()}#error${i}`, node, node.resourceUri)),
        ...file.items.map((it, i) => new ItemNode(node.resourceUri, it, i, file, node)),
      ];
    }
    if (node instanceof ItemNode) {
      const base = `${node.resourceUri.toString()}#${node.index}`;
      const problems = node.item.kind === 'certificate' ? node.item.problems : [];
      return [...problems.map((p, i) => new MessageNode(p, `${base}/p${i}`, node)), ...this.fields(node).map((f, i) => new FieldNode(f, `${base}/f${i}`, node))];
    }
    if (node instanceof FieldNode) return (node.field.children ?? []).map((f, i) => new FieldNode(f, `${node.id}/${i}`, node));
    return [];
  }

  private fields(node: ItemNode): Field[] {
    const it = node.item;
    if (it.kind !== 'certificate') {
      const fields = otherItemFields(it);
      const match = it.kind === 'privateKey' && it.spkiSha256 ? this.certificatesWithKey(it.spkiSha256) : [];
      return match.length ? [{ label: 'Matches certificate', value: match.join(', ') }, ...fields] : fields;
    }
    const link = node.file.chain.links.find((l) => l.item === node.index);
    const issuer = link && link.issuer !== null && link.issuer !== node.index ? node.file.items[link.issuer] : undefined;
    const chain: Field[] = issuer && issuer.kind === 'certificate' ? [{ label: 'Issued by (this file)', value: `${itemLabel(issuer).label}${link?.verified ? ' — signature verified' : ' — signature does NOT verify'}`, severity: link?.verified ? undefined : 'error' }] : [];
    const key = this.keysFor(it.publicKey.spkiSha256);
    return [...chain, ...(key.length ? [{ label: 'Private key', value: key.join(', ') }] : []), ...certificateFields(it)];
  }

  /** Files (names) holding a certificate with this public key, among files decoded so far. */
  private certificatesWithKey(spki: string): string[] {
    return this.decoder.all().flatMap(([uri, f]) => (f.items.some((i) => i.kind === 'certificate' && i.publicKey.spkiSha256 === spki) ? [path.basename(uri.fsPath)] : []));
  }

  private keysFor(spki: string): string[] {
    return this.decoder.all().flatMap(([uri, f]) => (f.items.some((i) => i.kind === 'privateKey' && i.spkiSha256 === spki) ? [path.basename(uri.fsPath)] : []));
  }

  private fileItem(node: FileNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.resourceUri, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `file:${node.resourceUri.toString()}`;
    item.tooltip = node.resourceUri.fsPath;
    const file = this.decoder.peek(node.resourceUri);
    const facets = ['file'];
    if (!file) {
      item.iconPath = vscode.ThemeIcon.File;
    } else {
      const s = fileSummary(file);
      item.description = s.text;
      item.iconPath = s.icon;
      // File names and decoder messages are text, never Markdown (a file may be named like a command link).
      const tip = new vscode.MarkdownString('', true);
      tip.appendMarkdown('**');
      tip.appendText(path.basename(node.resourceUri.fsPath));
      tip.appendMarkdown('**\n\n');
      tip.appendText(s.text);
      if (s.worst) {
        tip.appendMarkdown('\n\n');
        tip.appendText(s.worst);
      }
      item.tooltip = tip;
      facets.push(...s.facets);
    }
    item.contextValue = facets.join(':');
    return item;
  }

  private itemItem(node: ItemNode): vscode.TreeItem {
    const it = node.item;
    const { label, description } = itemLabel(it);
    const problems = it.kind === 'certificate' ? it.problems : [];
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `${node.resourceUri.toString()}#${node.index}`;
    item.description = description;
    const worst = problems.find((p) => p.severity === 'error') ?? problems.find((p) => p.severity === 'warning');
    item.iconPath = worst ? new vscode.ThemeIcon(worst.severity === 'error' ? 'error' : 'warning', worst.severity === 'error' ? red : yellow) : itemIcon(it);
    item.tooltip = worst ? `${label} — ${worst.message}` : `${label} (${description})`;
    const facets = ['item', it.kind === 'certificate' ? 'cert' : it.kind];
    if (it.kind === 'certificate') {
      facets.push(it.role);
      if (it.isCa) facets.push('ca');
      if (it.role === 'leaf' && (it.usage === 'client' || it.usage === 'server+client')) facets.push('client');
      if (it.validity === 'expired') facets.push('expired');
    }
    item.contextValue = facets.join(':');
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
      .map(([label, files]) => new FolderNode(label, files.sort((a, b) => a.fsPath.localeCompare(b.fsPath))));
    this.fileNodes = new Map(folders.flatMap((f) => f.files.map((u) => [u.toString(), new FileNode(u, f)] as const)));
    this.log.info(`Certificates view: ${uris.length} files in ${folders.length} folders in ${Date.now() - started} ms (file search ${searched - started} ms)`);
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
        if (after.errors.some((e) => e.code === 'timeout')) this.log.warn(`${node.resourceUri.fsPath}: ${after.errors[0].message}`);
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

function itemIcon(it: DecodedItem): vscode.ThemeIcon {
  switch (it.kind) {
    case 'certificate':
      return new vscode.ThemeIcon(it.isCa ? 'workspace-trusted' : it.usage === 'client' ? 'person' : it.usage === 'server' || it.usage === 'server+client' ? 'server' : 'verified');
    case 'privateKey':
      return new vscode.ThemeIcon('key');
    case 'publicKey':
      return new vscode.ThemeIcon('unlock');
    case 'csr':
      return new vscode.ThemeIcon('git-pull-request-create');
    case 'crl':
      return new vscode.ThemeIcon('list-flat');
  }
}

/** A file row's description, icon and context facets from its decode result. */
function fileSummary(file: DecodedFile): { text: string; icon: vscode.ThemeIcon; facets: string[]; worst?: string } {
  const count = (k: DecodedItem['kind']) => file.items.filter((i) => i.kind === k).length;
  const parts: string[] = [];
  const n = (c: number, one: string) => (c ? parts.push(`${c} ${one}${c === 1 ? '' : 's'}`) : 0);
  n(count('certificate'), 'certificate');
  n(count('privateKey'), 'private key');
  n(count('publicKey'), 'public key');
  n(count('csr'), 'CSR');
  n(count('crl'), 'CRL');
  const facets: string[] = [];
  if (count('certificate')) facets.push('cert');
  if (file.items.some((i) => i.kind === 'certificate' && i.isCa)) facets.push('ca');
  // A file whose leaf is a client certificate: "Use Client Certificate In…" is offered on it.
  const leaf = file.items.find((i) => i.kind === 'certificate');
  if (leaf?.kind === 'certificate' && leaf.role === 'leaf' && (leaf.usage === 'client' || leaf.usage === 'server+client')) facets.push('client');
  if (count('privateKey')) facets.push('key');
  if (file.format === 'pkcs12') facets.push('p12');
  const error = file.errors[0];
  const problem = file.problems.find((p) => p.severity === 'error') ?? file.problems.find((p) => p.severity === 'warning');
  if (error && file.items.length === 0) {
    facets.push('error');
    return { text: error.message, icon: new vscode.ThemeIcon(error.code === 'needs-passphrase' ? 'lock' : 'error', error.code === 'needs-passphrase' ? undefined : red), facets, worst: error.message };
  }
  const text = parts.join(' · ') || 'nothing decodable';
  if (error || problem?.severity === 'error') return { text, icon: new vscode.ThemeIcon('error', red), facets: [...facets, 'problem'], worst: (error ?? problem)?.message };
  if (problem) return { text, icon: new vscode.ThemeIcon('warning', yellow), facets: [...facets, 'problem'], worst: problem.message };
  return { text, icon: count('certificate') ? new vscode.ThemeIcon('verified') : new vscode.ThemeIcon('key'), facets };
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
