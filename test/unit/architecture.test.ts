import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : /\.m?ts$/.test(e.name) ? [p] : [];
  });
}

test('src/core and src/cli never import vscode (they run outside the editor)', () => {
  const offenders = [...tsFiles(path.join(root, 'src/core')), ...tsFiles(path.join(root, 'src/cli'))].filter((f) =>
    /(from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\))/.test(fs.readFileSync(f, 'utf8')),
  );
  assert.deepEqual(offenders.map((f) => path.relative(root, f)), []);
  assert.ok(tsFiles(path.join(root, 'src/core')).length > 5, 'the scan found the core sources');
});

test('the extension spells command, view, context key, setting and status bar ids only in ids.ts', () => {
  const files = tsFiles(path.join(root, 'src/extension')).filter((f) => path.basename(f) !== 'ids.ts');
  // Comments may name a setting ("limit set by mtls.decodeTimeoutMs"); code takes the id from ids.ts.
  const code = (f: string) => fs.readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const spelled = files.flatMap((f) => [...code(f).matchAll(/['"`](mtls(?:\.[A-Za-z][\w.]*)?)['"`]/g)].map((m) => `${path.relative(root, f)}: ${m[1]}`));
  assert.deepEqual(spelled, []);
  assert.ok(files.length > 20, 'the scan found the extension sources');
});

test('every contributed command is in the mTLS category and has an id in ids.ts', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const ids = fs.readFileSync(path.join(root, 'src/extension/ids.ts'), 'utf8');
  for (const c of pkg.contributes.commands) {
    assert.equal(c.category, 'mTLS', c.command);
    assert.ok(ids.includes(`'${c.command}'`), `${c.command} missing from ids.ts`);
  }
  assert.ok(!pkg.activationEvents.includes('*'), 'no eager activation');
});
