// markdown-it, the CommonMark renderer the tests read Markdown with, comes with @vscode/vsce and ships no types:
// the part the tests use.
declare module 'markdown-it' {
  class MarkdownIt {
    render(markdown: string): string;
  }
  export = MarkdownIt;
}
