import * as vscode from 'vscode';
import type { DecodedFile } from '../../core/x509';
import type { DecodeService } from './decodeService';
import { DIAGNOSTICS_NAME } from '../ids';

/** Mirrors each decoded file's problems and errors into the Problems panel, at the PEM block's line. */
export class CertificateDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTICS_NAME);
  private readonly subscription: vscode.Disposable;

  constructor(decoder: DecodeService) {
    this.subscription = decoder.onDidDecode((uri) => {
      const file = decoder.peek(uri);
      if (file) this.collection.set(uri, toDiagnostics(file));
    });
  }

  /** Current diagnostics of a file (for tests and the decode command). */
  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  dispose(): void {
    this.subscription.dispose();
    this.collection.dispose();
  }
}

function toDiagnostics(file: DecodedFile): vscode.Diagnostic[] {
  const at = (line?: number) => new vscode.Range(Math.max(0, (line ?? 1) - 1), 0, Math.max(0, (line ?? 1) - 1), 200);
  const out: vscode.Diagnostic[] = [];
  for (const e of file.errors) {
    if (e.code === 'needs-passphrase') continue; // not a problem of the file
    const d = new vscode.Diagnostic(at(e.line), e.message, vscode.DiagnosticSeverity.Error);
    d.source = 'mTLS';
    d.code = e.code;
    out.push(d);
  }
  for (const p of file.problems) {
    const item = p.item !== undefined ? file.items[p.item] : undefined;
    const sev =
      p.severity === 'error'
        ? vscode.DiagnosticSeverity.Error
        : p.severity === 'warning'
          ? vscode.DiagnosticSeverity.Warning
          : vscode.DiagnosticSeverity.Information;
    const d = new vscode.Diagnostic(at(item?.source.line), p.message, sev);
    d.source = 'mTLS';
    d.code = p.code;
    out.push(d);
  }
  return out;
}
