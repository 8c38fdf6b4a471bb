// unifiedDiff: what --dry-run prints must be a diff patch(1) applies, whatever the files' ends look like.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { unifiedDiff } from '../../../src/core/scaffold/unifiedDiff';
import { runCommand, tempDir } from '../support/scaffold';

describe('unifiedDiff', () => {
  it('patch(1) turns the old text into the new one: changes at the end, a missing last newline, an empty side', async () => {
    const dir = tempDir('diff');
    try {
      const long = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');
      const cases: [string, string][] = [
        ['a\nb\nc\n', 'a\nB\nc\n'],
        [`${long}\nend();\n`, `${long.replace('line 3\n', '')}\nstart({\n});\n`],
        ['a\nb\n', 'a\nb'],
        ['a\nb', 'a\nb\n'],
        ['', 'x\ny\n'],
        ['x\ny\n', ''],
      ];
      for (const [i, [before, after]] of cases.entries()) {
        const diff = unifiedDiff(before, after, 'old', 'new');
        const oldFile = path.join(dir, `old-${i}`);
        const out = path.join(dir, `new-${i}`);
        writeFileSync(oldFile, before);
        writeFileSync(path.join(dir, `${i}.diff`), diff);
        const r = await runCommand('patch', ['-s', '-o', out, oldFile, path.join(dir, `${i}.diff`)]);
        assert.equal(r.code, 0, `case ${i}: ${r.output}\n${diff}`);
        assert.equal(readFileSync(out, 'utf8'), after, `case ${i}`);
      }
      assert.match(unifiedDiff('a\nb\n', 'a\nb', 'old', 'new'), /^\+b\n\\ No newline at end of file$/m);
      assert.equal(unifiedDiff('same\n', 'same\n', 'old', 'new'), '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
