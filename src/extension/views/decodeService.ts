import * as vscode from 'vscode';
import { decodeBytes, type DecodedFile } from '../../core/x509';
import type { TypedSettings } from '../platform/settings';

interface Entry {
  readonly mtime: number;
  readonly size: number;
  readonly result: DecodedFile;
}

/**
 * Decodes workspace files on demand and caches the result by modification time, so expanding a node,
 * hovering and the Problems panel share one decode per file version. PKCS#12 passphrases given during
 * this session are remembered in memory only (never stored or logged).
 */
export class DecodeService {
  private readonly cache = new Map<string, Entry>();
  private readonly passphrases = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a file was (re)decoded. */
  readonly onDidDecode = this.changed.event;

  constructor(private readonly settings: TypedSettings) {}

  /** The cached result when the file has not changed since, without reading it. */
  peek(uri: vscode.Uri): DecodedFile | undefined {
    return this.cache.get(uri.toString())?.result;
  }

  /** Every cached result (for matching keys to certificates across files). */
  all(): [vscode.Uri, DecodedFile][] {
    return [...this.cache.entries()].map(([k, e]) => [vscode.Uri.parse(k), e.result]);
  }

  setPassphrase(uri: vscode.Uri, passphrase: string): void {
    this.passphrases.set(uri.toString(), passphrase);
    this.cache.delete(uri.toString());
  }

  forget(uri: vscode.Uri): void {
    this.cache.delete(uri.toString());
  }

  /** Decodes a file (cached by mtime and size). Never throws for bad content: errors are in the result. */
  async decode(uri: vscode.Uri): Promise<DecodedFile> {
    const key = uri.toString();
    const stat = await vscode.workspace.fs.stat(uri);
    const hit = this.cache.get(key);
    if (hit && hit.mtime === stat.mtime && hit.size === stat.size) return hit.result;
    const bytes = Buffer.from(await vscode.workspace.fs.readFile(uri));
    const result = decodeBytes(bytes, {
      fileName: uri.path.split('/').pop(),
      passphrase: this.passphrases.get(key),
      expiryWarningDays: this.settings.expiryWarningDays,
    });
    this.cache.set(key, { mtime: stat.mtime, size: stat.size, result });
    this.changed.fire(uri);
    return result;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
