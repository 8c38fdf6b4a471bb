import * as vscode from 'vscode';
import type { DecodedFile } from '../../core/x509';
import type { OpenedKeyPem } from '../../core/credentials/openedKeyPem';
import type { OpenedPkcs12 } from '../../core/credentials/pkcs12ToPem';
import { DecodeCancelled, IsolatedDecoder, type DecodeInput } from '../../core/decodeWorker/isolatedDecoder';
import type { TypedSettings } from '../platform/settings';
import { Settings, settingId } from '../ids';
import { inputSizeProblem } from '../../core/inputFile';

export { DecodeCancelled };

/**
 * How long opening a PKCS#12 file (or an encrypted key) for a send may take: a file the user chose may ask for up
 * to 10 s of key derivation (pkcs12ToPem's budget), and a busy machine is slower than the estimate.
 */
const PKCS12_OPEN_TIMEOUT_MS = 30_000;

interface Entry {
  readonly mtime: number;
  readonly size: number;
  readonly result: DecodedFile;
}

/**
 * Decodes workspace files on demand and caches the result by modification time, so expanding a node,
 * hovering and the Problems panel share one decode per file version. Decoding runs in worker threads
 * with a deadline (`mtls.decodeTimeoutMs`), never on the extension host's thread: workers for what the
 * user asked for (expanding, the decode command, hovers) and one for the background pass, which a
 * refresh cancels. PKCS#12 passphrases given during this session are remembered in memory only (never
 * stored or logged).
 */
export class DecodeService implements vscode.Disposable {
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, { version: string; result: Promise<DecodedFile> }>();
  private readonly passphrases = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly interactive: IsolatedDecoder;
  private readonly background: IsolatedDecoder;
  private readonly subscription: vscode.Disposable;
  /** Fires after a file was (re)decoded. */
  readonly onDidDecode = this.changed.event;

  constructor(
    private readonly settings: TypedSettings,
    workerScript: string,
  ) {
    const opts = {
      script: workerScript,
      timeoutMs: () => settings.decodeTimeoutMs,
      timeoutHint: 'limit set by mtls.decodeTimeoutMs',
    };
    // Two for what the user asks for: expanding a normal file is not held up behind a hostile one.
    this.interactive = new IsolatedDecoder({ ...opts, concurrency: 2 });
    this.background = new IsolatedDecoder(opts);
    // A longer deadline deserves another try at the files that ran out of time.
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(settingId(Settings.decodeTimeoutMs))) return;
      for (const [k, v] of this.cache) if (v.result.errors.some((x) => x.code === 'timeout')) this.cache.delete(k);
    });
  }

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

  /** Decodes waiting or running, per kind of work. */
  pending(): { interactive: number; background: number } {
    return { interactive: this.interactive.pending, background: this.background.pending };
  }

  /** Stops the background pass: its queued and running decodes reject with DecodeCancelled. */
  cancelBackground(): void {
    this.background.cancelAll();
  }

  /**
   * Decodes a file (cached by mtime and size). Never throws for bad content: errors, including "not
   * decoded: took longer than …", are in the result. `background` work can be cancelled (DecodeCancelled).
   */
  async decode(uri: vscode.Uri, opts: { background?: boolean } = {}): Promise<DecodedFile> {
    const background = opts.background ?? false;
    const key = uri.toString();
    const stat = await vscode.workspace.fs.stat(uri);
    const hit = this.cache.get(key);
    if (hit && hit.mtime === stat.mtime && hit.size === stat.size) return hit.result;
    const passphrase = this.passphrases.get(key);
    // Same file version and passphrase already being decoded: share it (a 5,000-certificate file once, not twice).
    const version = `${stat.mtime}:${stat.size}:${passphrase ?? ''}`;
    const running = this.inflight.get(key);
    if (running && running.version === version) {
      try {
        return await running.result;
      } catch (e) {
        // The background pass was cancelled under us: what the user asked for is decoded anyway.
        if (!(e instanceof DecodeCancelled) || background) throw e;
      }
    }
    const result = this.decodeFile(uri, key, stat, passphrase, background);
    const entry = { version, result };
    this.inflight.set(key, entry);
    try {
      return await result;
    } finally {
      if (this.inflight.get(key) === entry) this.inflight.delete(key);
    }
  }

  /** Decodes a file's bytes that are not the tree's (the readiness check's) in the interactive worker, with the same deadline. */
  decodeBytes(bytes: Uint8Array, opts: { fileName?: string; now?: Date } = {}): Promise<DecodedFile> {
    return this.interactive.decode({ bytes }, { ...opts, expiryWarningDays: this.settings.expiryWarningDays });
  }

  /**
   * Opens a PKCS#12 file for TLS (a send, a probe) in the interactive worker: its key derivation (hundreds of ms at
   * 600,000 iterations, seconds for some files) never runs on the extension host's thread.
   */
  openPkcs12(bytes: Uint8Array, passphrase: string | undefined): Promise<OpenedPkcs12> {
    return this.interactive.openPkcs12(bytes, passphrase, { timeoutMs: PKCS12_OPEN_TIMEOUT_MS });
  }

  /**
   * Opens an encrypted PEM private key for TLS in the interactive worker: its key derivation (most of a second at
   * 2,000,000 PBKDF2 iterations) never runs on the extension host's thread. The plain key comes back in memory only.
   */
  openKeyPem(pem: string, passphrase: string | undefined): Promise<OpenedKeyPem> {
    return this.interactive.openKeyPem(pem, passphrase, { timeoutMs: PKCS12_OPEN_TIMEOUT_MS });
  }

  /** Decodes PEM text (a selection, a hover) in the interactive worker, with the same deadline. */
  decodeText(text: string, fileName?: string): Promise<DecodedFile> {
    return this.interactive.decode({ text }, { fileName, expiryWarningDays: this.settings.expiryWarningDays });
  }

  private async decodeFile(
    uri: vscode.Uri,
    key: string,
    stat: vscode.FileStat,
    passphrase: string | undefined,
    background: boolean,
  ): Promise<DecodedFile> {
    const fileName = uri.path.split('/').pop();
    // The CLI's limits: a FIFO would block the read, a huge file would fill memory before the worker's deadline.
    const refused =
      (stat.type & vscode.FileType.File) === 0
        ? `${fileName} is not a regular file (a FIFO, device or socket): not read`
        : inputSizeProblem(stat.size, fileName ?? uri.fsPath);
    const result = refused
      ? notRead(fileName, refused)
      : await (background ? this.background : this.interactive).decode(
          { bytes: await vscode.workspace.fs.readFile(uri) } satisfies DecodeInput,
          {
            fileName,
            passphrase,
            expiryWarningDays: this.settings.expiryWarningDays,
          },
        );
    this.cache.set(key, { mtime: stat.mtime, size: stat.size, result });
    this.changed.fire(uri);
    return result;
  }

  dispose(): void {
    this.subscription.dispose();
    this.interactive.dispose();
    this.background.dispose();
    this.changed.dispose();
  }
}

/** The result for a file that was not read at all. */
function notRead(fileName: string | undefined, message: string): DecodedFile {
  return {
    ...(fileName !== undefined && { fileName }),
    format: 'unknown',
    items: [],
    errors: [{ code: 'unsupported', message }],
    chain: { links: [], path: [], complete: false, keyMatches: [] },
    problems: [],
  };
}
