import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileSet, FilesExistError, addToGitignore } from '../../src/core/files';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mtls-files-'));

test('writes a file set with 0600 for secrets and 0644 otherwise, leaving no temporary files', async () => {
  const dir = tmp();
  const r = await writeFileSet(path.join(dir, 'out'), [{ name: 'a-key.pem', contents: 'k', secret: true }, { name: 'a-crt.pem', contents: 'c' }]);
  assert.equal(r.written.length, 2);
  assert.equal(fs.statSync(path.join(dir, 'out', 'a-key.pem')).mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.join(dir, 'out', 'a-crt.pem')).mode & 0o777, 0o644);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'out')).sort(), ['a-crt.pem', 'a-key.pem']);
});

test('refuses when any file exists, writing none of the set and keeping the old file', async () => {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'b.pem'), 'old');
  await assert.rejects(writeFileSet(dir, [{ name: 'a.pem', contents: 'new' }, { name: 'b.pem', contents: 'new' }]), FilesExistError);
  assert.equal(fs.readFileSync(path.join(dir, 'b.pem'), 'utf8'), 'old');
  assert.equal(fs.existsSync(path.join(dir, 'a.pem')), false);
  await writeFileSet(dir, [{ name: 'b.pem', contents: 'new' }], { overwrite: true });
  assert.equal(fs.readFileSync(path.join(dir, 'b.pem'), 'utf8'), 'new');
});

test('a failure while staging removes every staged file and names the folder', async () => {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'blocker'), 'a file where a folder is needed');
  await assert.rejects(writeFileSet(dir, [{ name: 'ok.pem', contents: 'x' }, { name: 'blocker/inner.pem', contents: 'y' }]), /Could not write into/);
  assert.deepEqual(fs.readdirSync(dir), ['blocker']);
});

test('addToGitignore appends only missing patterns', async () => {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n*.p12');
  assert.deepEqual(await addToGitignore(dir, ['*-key.pem', '*.p12']), ['*-key.pem']);
  assert.deepEqual(await addToGitignore(dir, ['*-key.pem', '*.p12']), []);
  assert.match(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8'), /^\*\.p12\n# private keys.*\n\*-key\.pem\n$/m);
});
