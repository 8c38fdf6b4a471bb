// A unified diff of two texts, for --dry-run and logs. Line-based longest common subsequence after trimming
// the common head and tail: the files are a few hundred lines, so the quadratic table stays small.

/** A text's lines; a last line without its newline is marked, so it differs from the same line with one. */
const noNewline = '\u0000';
function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += noNewline;
  return lines;
}

/** `diff -u`-style text ('' when equal), with `context` unchanged lines around each change. */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  if (oldText === newText) return '';
  const a = oldText === '' ? [] : linesOf(oldText);
  const b = newText === '' ? [] : linesOf(newText);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ma = a.slice(head, a.length - tail);
  const mb = b.slice(head, b.length - tail);
  // lcs[i][j] = LCS length of ma[i..] and mb[j..], in one flat array.
  const w = mb.length + 1;
  const lcs = new Uint32Array((ma.length + 1) * w);
  for (let i = ma.length - 1; i >= 0; i--) {
    for (let j = mb.length - 1; j >= 0; j--) {
      lcs[i * w + j] =
        ma[i] === mb[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  type Op = { kind: ' ' | '-' | '+'; line: string; ai: number; bi: number };
  const ops: Op[] = [];
  for (let k = 0; k < head; k++) ops.push({ kind: ' ', line: a[k], ai: k, bi: k });
  let i = 0;
  let j = 0;
  while (i < ma.length || j < mb.length) {
    if (i < ma.length && j < mb.length && ma[i] === mb[j]) {
      ops.push({ kind: ' ', line: ma[i], ai: head + i, bi: head + j });
      i++;
      j++;
    } else if (j < mb.length && (i === ma.length || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j])) {
      ops.push({ kind: '+', line: mb[j], ai: head + i, bi: head + j });
      j++;
    } else {
      ops.push({ kind: '-', line: ma[i], ai: head + i, bi: head + j });
      i++;
    }
  }
  for (let k = 0; k < tail; k++)
    ops.push({ kind: ' ', line: a[a.length - tail + k], ai: a.length - tail + k, bi: b.length - tail + k });
  const out = [`--- ${oldName}`, `+++ ${newName}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k].kind === ' ') {
      k++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change within reach.
    const from = Math.max(0, k - context);
    let to = k;
    let lastChange = k;
    while (to < ops.length && to - lastChange <= 2 * context) {
      if (ops[to].kind !== ' ') lastChange = to;
      to++;
    }
    to = Math.min(ops.length, lastChange + context + 1);
    const hunk = ops.slice(from, to);
    const aLen = hunk.filter((o) => o.kind !== '+').length;
    const bLen = hunk.filter((o) => o.kind !== '-').length;
    // An empty side starts at line 0 (diff -u's "-0,0" for a new file).
    out.push(
      `@@ -${aLen === 0 ? hunk[0].ai : hunk[0].ai + 1},${aLen} +${bLen === 0 ? hunk[0].bi : hunk[0].bi + 1},${bLen} @@`,
    );
    for (const o of hunk)
      out.push(
        o.line.endsWith(noNewline) ? `${o.kind}${o.line.slice(0, -1)}\n\\ No newline at end of file` : o.kind + o.line,
      );
    k = to;
  }
  return out.join('\n') + '\n';
}
