import type * as vscode from 'vscode';
import type { TypedSettings } from '../platform/settings';
import type { CertificateNode, CertificateTreeProvider } from '../views/certificateTree';
import type { DecodeService } from '../views/decodeService';
import type { DecodedDocumentProvider } from '../views/decodedDocument';
import type { ServerManager } from '../server/serverManager';

/** What commands need, passed in by activate() (no global service locator). */
export interface CommandDeps {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly settings: TypedSettings;
  readonly tree: CertificateTreeProvider;
  readonly treeView: vscode.TreeView<CertificateNode>;
  readonly decoder: DecodeService;
  readonly decodedDocs: DecodedDocumentProvider;
  readonly servers: ServerManager;
}
