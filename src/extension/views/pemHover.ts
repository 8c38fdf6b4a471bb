import * as vscode from 'vscode';
import { findPemBlocks, type PemBlockLocation } from '../../core/x509/pem';
import { summarize } from '../../core/x509/render';
import { itemLabel } from '../../core/certificateFields';
import { fencedCode } from '../../core/markdownText';
import { Commands } from '../ids';
import type { DecodeService } from './decodeService';

/** A document version's PEM blocks, each with its text. */
interface Scan {
  readonly version: number;
  readonly blocks: readonly (Omit<PemBlockLocation, 'startOffset' | 'endOffset'> & { readonly text: string })[];
}

/**
 * Hover over a PEM block in any editor: subject, issuer, validity, SAN and SHA-256 (keys: type and size only).
 * Everything taken from the certificate is text (a code block it cannot close, or escaped), and the only
 * command the hover may run is its own argument-less "Decode…" link.
 */
export class PemHoverProvider implements vscode.HoverProvider, vscode.Disposable {
  /**
   * Each open document's blocks at its current version: the mouse resting over a large file asks for a hover
   * again and again, and copying and scanning its whole text each time would hold up the extension host.
   */
  private readonly scans = new Map<string, Scan>();
  private readonly closing = vscode.workspace.onDidCloseTextDocument((d) => this.scans.delete(d.uri.toString()));
  /** Whole-document scans so far (the extension-host tests read it). */
  scanCount = 0;

  constructor(private readonly decoder: DecodeService) {}

  /** Documents whose scan is kept. */
  get cachedDocuments(): number {
    return this.scans.size;
  }

  async provideHover(
    doc: vscode.TextDocument,
    pos: vscode.Position,
    token: vscode.CancellationToken,
  ): Promise<vscode.Hover | undefined> {
    const block = this.blocksOf(doc).find((b) => pos.line + 1 >= b.startLine && pos.line + 1 <= b.endLine);
    if (!block) return undefined;
    // In the decoding worker, with its deadline: a hostile block costs the editor nothing.
    const decoded = await this.decoder.decodeText(block.text);
    if (token.isCancellationRequested) return undefined;
    const md = new vscode.MarkdownString('', true); // theme icons on before appendText, so it escapes $(…) too
    const item = decoded.items[0];
    if (!item) {
      md.appendMarkdown('**');
      md.appendText(block.type);
      md.appendMarkdown('**: ');
      md.appendText(decoded.errors[0]?.message ?? 'not decodable');
    } else if (item.kind === 'certificate') {
      md.appendMarkdown(fencedCode(summarize(item), 'text'));
      for (const p of item.problems) {
        md.appendMarkdown(`\n\n$(${p.severity === 'error' ? 'error' : 'warning'}) `);
        md.appendText(p.message);
      }
    } else {
      const l = itemLabel(item);
      md.appendMarkdown('**');
      md.appendText(l.label);
      md.appendMarkdown('** — ');
      md.appendText(l.description);
    }
    md.appendMarkdown(`\n\n[Decode…](command:${Commands.decodeCertificate})`);
    md.isTrusted = { enabledCommands: [Commands.decodeCertificate] };
    return new vscode.Hover(md, new vscode.Range(block.startLine - 1, 0, block.endLine - 1, 0));
  }

  private blocksOf(doc: vscode.TextDocument): Scan['blocks'] {
    const key = doc.uri.toString();
    const kept = this.scans.get(key);
    if (kept?.version === doc.version) return kept.blocks;
    const text = doc.getText();
    this.scanCount++;
    // Cheap gate: only documents that contain a PEM boundary at all are scanned for blocks.
    const blocks = text.includes('-----BEGIN ')
      ? findPemBlocks(text).map((b) => ({
          type: b.type,
          startLine: b.startLine,
          endLine: b.endLine,
          text: text.slice(b.startOffset, b.endOffset),
        }))
      : [];
    this.scans.set(key, { version: doc.version, blocks });
    return blocks;
  }

  dispose(): void {
    this.closing.dispose();
    this.scans.clear();
  }
}
