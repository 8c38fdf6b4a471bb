import * as vscode from 'vscode';
import { decodePemText, findPemBlocks, summarize } from '../../core/x509';
import { itemLabel } from '../../core/certificateFields';

/** Hover over a PEM block in any editor: subject, issuer, validity, SAN and SHA-256 (keys: type and size only). */
export class PemHoverProvider implements vscode.HoverProvider {
  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    // Cheap gate: only documents that contain a PEM boundary at all.
    const text = doc.getText();
    if (!text.includes('-----BEGIN ')) return undefined;
    const block = findPemBlocks(text).find((b) => pos.line + 1 >= b.startLine && pos.line + 1 <= b.endLine);
    if (!block) return undefined;
    const decoded = decodePemText(text.slice(block.startOffset, block.endOffset));
    const md = new vscode.MarkdownString();
    const item = decoded.items[0];
    if (!item) {
      md.appendMarkdown(`**${block.type}**: ${decoded.errors[0]?.message ?? 'not decodable'}`);
    } else if (item.kind === 'certificate') {
      md.appendCodeblock(summarize(item), 'text');
      for (const p of item.problems) md.appendMarkdown(`\n\n$(${p.severity === 'error' ? 'error' : 'warning'}) ${p.message}`);
      md.supportThemeIcons = true;
    } else {
      const l = itemLabel(item);
      md.appendMarkdown(`**${l.label}** — ${l.description}`);
    }
    md.appendMarkdown('\n\n[Decode…](command:mtls.decodeCertificate)');
    md.isTrusted = { enabledCommands: ['mtls.decodeCertificate'] };
    return new vscode.Hover(md, new vscode.Range(block.startLine - 1, 0, block.endLine - 1, 0));
  }
}
