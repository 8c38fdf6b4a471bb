/**
 * Putting untrusted text (certificate subjects, SANs, file names) into Markdown without it becoming
 * Markdown: a subject written as `[x](command:…)` must stay text, never a link.
 */

/**
 * A fenced code block that `text` cannot close: the fence is longer than any run of backticks in the
 * text (CommonMark 4.5: a closing fence is at least as long as the opening one, and may be indented).
 */
export function fencedCode(text: string, language = ''): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `\n${fence}${language}\n${text}\n${fence}\n`;
}

/**
 * Text for a VS Code notification, which turns `[label](command:…)` into a clickable link: the link
 * syntax is broken up so the text shows as written.
 */
export function noticeText(text: string): string {
  return text.replace(/\]\(/g, '] (');
}
