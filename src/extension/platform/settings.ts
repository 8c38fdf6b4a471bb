import * as vscode from 'vscode';
import { Settings } from '../ids';

/** Typed reads of the `mtls.*` settings; defaults mirror package.json. */
export class TypedSettings {
  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(Settings.section);
  }
  get certificatesFolder(): string {
    return this.cfg.get<string>(Settings.certificatesFolder, 'certs');
  }
  get defaultKeyType(): string {
    return this.cfg.get<string>(Settings.defaultKeyType, 'rsa2048');
  }
  get leafValidityDays(): number {
    return this.cfg.get<number>(Settings.leafValidityDays, 397);
  }
  get caValidityDays(): number {
    return this.cfg.get<number>(Settings.caValidityDays, 3650);
  }
  get expiryWarningDays(): number {
    return this.cfg.get<number>(Settings.expiryWarningDays, 30);
  }
  get certificateGlob(): string {
    return this.cfg.get<string>(Settings.certificateGlob, '**/*.{pem,crt,cer,cert,der,key,pub,csr,p12,pfx,p7b,p7c}');
  }
  get certificateExclude(): string {
    return this.cfg.get<string>(Settings.certificateExclude, '**/{node_modules,.git,out,dist,.vscode-test}/**');
  }
  get offerGitignore(): boolean {
    return this.cfg.get<boolean>(Settings.offerGitignore, true);
  }
  get kdfIterations(): number {
    return this.cfg.get<number>(Settings.kdfIterations, 100_000);
  }
  get serverPort(): number {
    return this.cfg.get<number>(Settings.serverPort, 4433);
  }
  /** How long one file may take to decode before it is shown as "not decoded" (at least 100 ms). */
  get decodeTimeoutMs(): number {
    const ms = this.cfg.get<number>(Settings.decodeTimeoutMs, 5000);
    return Number.isFinite(ms) ? Math.max(100, ms) : 5000;
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
