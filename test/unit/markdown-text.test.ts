// Untrusted text in Markdown and notifications, checked with a CommonMark renderer (markdown-it) and the
// link syntax VS Code's notifications recognise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { fencedCode, noticeText } from '../../src/core/markdownText';

const md = new MarkdownIt();
const links = (html: string) => [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]);

const hostile = [
  '[x](command:mtls.showLog)',
  'CN=a\n```\n[x](command:mtls.showLog)\n```',
  'CN=a\n   ```\n[x](command:mtls.showLog)',
  'CN=a\n````````\n[x](command:mtls.showLog)',
  'CN=a\r\n```\r\n<a href="command:mtls.showLog">y</a>',
  'CN=a\n~~~\n[x](command:mtls.showLog)',
];

test('fencedCode: no text can close its fence, so nothing inside becomes a link or HTML', () => {
  for (const text of hostile) {
    const html = md.render(
      `intro\n${fencedCode(`Subject: ${text}`, 'text')}\n[Decode…](command:mtls.decodeCertificate)`,
    );
    assert.deepEqual(links(html), ['command:mtls.decodeCertificate'], `${JSON.stringify(text)} → ${html}`);
    assert.equal((html.match(/<pre>/g) ?? []).length, 1, html);
  }
});

test('fencedCode: a plain summary keeps a three-backtick fence and its text unchanged', () => {
  assert.equal(fencedCode('Subject: CN=x\nIssuer: CN=y', 'text'), '\n```text\nSubject: CN=x\nIssuer: CN=y\n```\n');
  assert.match(fencedCode('a ``` b'), /^\n````\n/);
});

test('noticeText: VS Code notification links are broken up, the words stay', () => {
  // The pattern VS Code's notifications turn into links (src/vs/base/common/linkedText.ts).
  const linked = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
  for (const text of hostile) {
    const shown = noticeText(`mTLS: ${text}: bad certificate`);
    assert.equal(shown.match(linked), null, shown);
    assert.equal(shown.replace(/\] \(/g, ']('), `mTLS: ${text}: bad certificate`);
  }
});
