import * as vscode from 'vscode';
import { findPemBlocks } from '../../core/x509/pem';
import { summarize } from '../../core/x509/render';
import { itemLabel } from '../../core/certificateFields';
import { fencedCode } from '../../core/markdownText';
import { Commands } from '../ids';
import type { DecodeService } from './decodeService';

/**
 * Hover over a PEM block in any editor: subject, issuer, validity, SAN and SHA-256 (keys: type and size only).
 * Everything taken from the certificate is text (a code block it cannot close, or escaped), and the only
 * command the hover may run is its own argument-less "Decode…" link.
 */
export class PemHoverProvider implements vscode.HoverProvider {
  constructor(private readonly decoder: DecodeService) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    // Cheap gate: only documents that contain a PEM boundary at all.
    const text = doc.getText();
    if (!text.includes('-----BEGIN ')) return undefined;
    const block = findPemBlocks(text).find((b) => pos.line + 1 >= b.startLine && pos.line + 1 <= b.endLine);
    if (!block) return undefined;
    // In the decoding worker, with its deadline: a hostile block costs the editor nothing.
    const decoded = await this.decoder.decodeText(text.slice(block.startOffset, block.endOffset));
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
}
