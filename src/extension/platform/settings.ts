import * as vscode from 'vscode';
import { Settings } from '../ids';

/**
 * Typed reads of the `mtls.*` settings. Their defaults live in package.json (contributes.configuration) only:
 * VS Code returns the contributed default for a setting nobody set, and a unit test checks that every setting
 * read here has one.
 */
export class TypedSettings {
  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(Settings.section);
  }
  private read<T>(key: string): T {
    return this.cfg.get<T>(key) as T;
  }
  get certificatesFolder(): string {
    return this.read<string>(Settings.certificatesFolder);
  }
  get defaultKeyType(): string {
    return this.read<string>(Settings.defaultKeyType);
  }
  get leafValidityDays(): number {
    return this.read<number>(Settings.leafValidityDays);
  }
  get caValidityDays(): number {
    return this.read<number>(Settings.caValidityDays);
  }
  get expiryWarningDays(): number {
    return this.read<number>(Settings.expiryWarningDays);
  }
  get certificateGlob(): string {
    return this.read<string>(Settings.certificateGlob);
  }
  get certificateExclude(): string {
    return this.read<string>(Settings.certificateExclude);
  }
  get offerGitignore(): boolean {
    return this.read<boolean>(Settings.offerGitignore);
  }
  get kdfIterations(): number {
    return this.read<number>(Settings.kdfIterations);
  }
  get serverPort(): number {
    return this.read<number>(Settings.serverPort);
  }
  /** How long one file may take to decode before it is shown as "not decoded" (at least 100 ms). */
  get decodeTimeoutMs(): number {
    const ms = this.read<number>(Settings.decodeTimeoutMs);
    return Number.isFinite(ms) ? Math.max(100, ms) : this.cfg.inspect<number>(Settings.decodeTimeoutMs)!.defaultValue!;
  }
  /**
   * Machine-scoped: only the user's (or the remote machine's) settings may choose the executable the server
   * runs on, never a workspace's `.vscode/settings.json`, so it is read from those levels explicitly.
   */
  get serverNodePath(): string {
    const i = this.cfg.inspect<string>(Settings.serverNodePath);
    return i?.globalValue ?? i?.defaultValue ?? '';
  }
}
