import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileSet, writeOneFile, FilesExistError, SymlinkRefusedError, addToGitignore } from '../../src/core/files';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mtls-files-'));

test('writes a file set with 0600 for secrets and 0644 otherwise, leaving no temporary files', async () => {
  const dir = tmp();
  const r = await writeFileSet(path.join(dir, 'out'), [
    { name: 'a-key.pem', contents: 'k', secret: true },
    { name: 'a-crt.pem', contents: 'c' },
  ]);
  assert.equal(r.written.length, 2);
  assert.equal(fs.statSync(path.join(dir, 'out', 'a-key.pem')).mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.join(dir, 'out', 'a-crt.pem')).mode & 0o777, 0o644);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'out')).sort(), ['a-crt.pem', 'a-key.pem']);
});

test('refuses when any file exists, writing none of the set and keeping the old file', async () => {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'b.pem'), 'old');
  await assert.rejects(
    writeFileSet(dir, [
      { name: 'a.pem', contents: 'new' },
      { name: 'b.pem', contents: 'new' },
    ]),
    FilesExistError,
  );
  assert.equal(fs.readFileSync(path.join(dir, 'b.pem'), 'utf8'), 'old');
  assert.equal(fs.existsSync(path.join(dir, 'a.pem')), false);
  await writeFileSet(dir, [{ name: 'b.pem', contents: 'new' }], { overwrite: true });
  assert.equal(fs.readFileSync(path.join(dir, 'b.pem'), 'utf8'), 'new');
});

test('a failure while staging removes every staged file and names the folder', async () => {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'blocker'), 'a file where a folder is needed');
  await assert.rejects(
    writeFileSet(dir, [
      { name: 'ok.pem', contents: 'x' },
      { name: 'blocker/inner.pem', contents: 'y' },
    ]),
    /Could not write into/,
  );
  assert.deepEqual(fs.readdirSync(dir), ['blocker']);
});

test('addToGitignore appends only missing patterns', async () => {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n*.p12');
  assert.deepEqual(await addToGitignore(dir, ['*-key.pem', '*.p12']), ['*-key.pem']);
  assert.deepEqual(await addToGitignore(dir, ['*-key.pem', '*.p12']), []);
  assert.match(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8'), /^\*\.p12\n# private keys.*\n\*-key\.pem\n$/m);
});

const snapshot = (dir: string) =>
  Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => [
        f,
        fs.statSync(path.join(dir, f)).isDirectory() ? '<dir>' : fs.readFileSync(path.join(dir, f), 'utf8'),
      ]),
  );

test('replacing a set is all or nothing: a folder in the way of the last file rolls back every file already replaced', async () => {
  const dir = tmp();
  const names = [
    'ca-root-crt.pem',
    'ca-root-key.pem',
    'ca-intermediate-crt.pem',
    'ca-intermediate-key.pem',
    'ca-crt.pem',
    'server-key.pem',
    'server-crt.pem',
    'server-fullchain.pem',
    'client-key.pem',
    'client-crt.pem',
    'client-fullchain.pem',
  ];
  await writeFileSet(
    dir,
    names.map((name) => ({ name, contents: `old ${name}`, secret: name.endsWith('-key.pem') })),
  );
  // The eleventh target becomes a folder: ten files are replaced before its rename fails.
  fs.rmSync(path.join(dir, 'client-fullchain.pem'));
  fs.mkdirSync(path.join(dir, 'client-fullchain.pem'));
  fs.writeFileSync(path.join(dir, 'client-fullchain.pem', 'inside'), 'keep me');
  const before = snapshot(dir);
  await assert.rejects(
    writeFileSet(
      dir,
      names.map((name) => ({ name, contents: `new ${name}`, secret: name.endsWith('-key.pem') })),
      { overwrite: true },
    ),
    (e: Error) =>
      /Could not replace .*client-fullchain\.pem \(a folder is in the way\); the 10 files of the set already written were rolled back, so nothing changed\./.test(
        e.message,
      ),
  );
  assert.deepEqual(snapshot(dir), before, 'every old file back, no temporary or backup file left');
  assert.equal(fs.readFileSync(path.join(dir, 'client-fullchain.pem', 'inside'), 'utf8'), 'keep me');
  assert.equal(fs.statSync(path.join(dir, 'ca-root-key.pem')).mode & 0o777, 0o600, 'restored key keeps its mode');
});

test('a folder where a file should go is named as such, not offered for overwriting', async () => {
  const dir = tmp();
  fs.mkdirSync(path.join(dir, 'client.p12'));
  await assert.rejects(
    writeFileSet(dir, [{ name: 'client.p12', contents: 'x', secret: true }]),
    (e: Error) =>
      !(e instanceof FilesExistError) &&
      e.message ===
        `${path.join(dir, 'client.p12')} is a folder; nothing was written. Give the path of a file, not of a folder.`,
  );
  assert.deepEqual(fs.readdirSync(path.join(dir, 'client.p12')), []);
});

test('a successful replace reports what it replaced and leaves no backups', async () => {
  const dir = tmp();
  await writeFileSet(dir, [{ name: 'a.pem', contents: 'old' }]);
  const r = await writeFileSet(
    dir,
    [
      { name: 'a.pem', contents: 'new' },
      { name: 'b.pem', contents: 'new' },
    ],
    { overwrite: true },
  );
  assert.deepEqual(r.replaced, [path.join(dir, 'a.pem')]);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['a.pem', 'b.pem']);
});

test('refuses to write through a symbolic link, even with overwrite, and leaves the link target untouched', async () => {
  const dir = tmp();
  const outside = path.join(tmp(), 'precious');
  fs.writeFileSync(outside, 'precious');
  fs.symlinkSync(outside, path.join(dir, 'ca-crt.pem'));
  for (const overwrite of [false, true]) {
    await assert.rejects(
      writeFileSet(
        dir,
        [
          { name: 'ok.pem', contents: 'x' },
          { name: 'ca-crt.pem', contents: 'evil' },
        ],
        { overwrite },
      ),
      (e: Error) =>
        e instanceof SymlinkRefusedError && /ca-crt\.pem is a symbolic link; nothing was written/.test(e.message),
    );
  }
  assert.equal(fs.readFileSync(outside, 'utf8'), 'precious');
  assert.equal(fs.lstatSync(path.join(dir, 'ca-crt.pem')).isSymbolicLink(), true);
  assert.equal(fs.existsSync(path.join(dir, 'ok.pem')), false);
  // A dangling link is refused too (writing would create its target).
  const dangling = path.join(tmp(), 'nowhere.pem');
  fs.symlinkSync(dangling, path.join(dir, 'dangling.pem'));
  await assert.rejects(
    writeFileSet(dir, [{ name: 'dangling.pem', contents: 'x' }], { overwrite: true }),
    SymlinkRefusedError,
  );
  assert.equal(fs.existsSync(dangling), false);
});

test('refuses a link planted below the folder the user works in: the output folder, or any folder on the way', async () => {
  const root = tmp();
  const elsewhere = tmp();
  fs.symlinkSync(elsewhere, path.join(root, 'certs'));
  await assert.rejects(
    writeFileSet(path.join(root, 'certs'), [{ name: 'a.pem', contents: 'x' }], { within: root }),
    SymlinkRefusedError,
  );
  await assert.rejects(
    writeFileSet(path.join(root, 'certs', 'sub'), [{ name: 'a.pem', contents: 'x' }], { within: root }),
    SymlinkRefusedError,
  );
  await assert.rejects(writeFileSet(root, [{ name: 'certs/a.pem', contents: 'x' }]), SymlinkRefusedError);
  assert.deepEqual(fs.readdirSync(elsewhere), []);
});

test('takes the folder the user works in, and an output folder outside it, as given even when they are links (macOS /tmp)', async () => {
  const real = tmp();
  const parent = tmp();
  const link = path.join(parent, 'tmp');
  fs.symlinkSync(real, link);
  const other = tmp();
  // An output folder named outside the working folder, itself a link: followed.
  await writeFileSet(link, [{ name: 'a.pem', contents: 'a' }], { within: other });
  // The working folder (a workspace opened through a link) as the output folder, and a folder created below it.
  await writeFileSet(link, [{ name: 'b.pem', contents: 'b' }], { within: link });
  await writeFileSet(path.join(link, 'certs'), [{ name: 'c.pem', contents: 'c' }], { within: link });
  assert.equal(fs.readFileSync(path.join(real, 'a.pem'), 'utf8'), 'a');
  assert.equal(fs.readFileSync(path.join(real, 'b.pem'), 'utf8'), 'b');
  assert.equal(fs.readFileSync(path.join(real, 'certs', 'c.pem'), 'utf8'), 'c');
  // The file itself is still never written through a link.
  fs.symlinkSync(path.join(other, 'target.pem'), path.join(real, 'd.pem'));
  await assert.rejects(
    writeFileSet(link, [{ name: 'd.pem', contents: 'd' }], { within: other, overwrite: true }),
    SymlinkRefusedError,
  );
  assert.equal(fs.existsSync(path.join(other, 'target.pem')), false);
});

test('folders it creates are 0755 whatever the umask (never group or world writable)', async () => {
  const dir = tmp();
  const old = process.umask(0o002);
  try {
    await writeFileSet(path.join(dir, 'a', 'b'), [{ name: 'k-key.pem', contents: 'k', secret: true }]);
  } finally {
    process.umask(old);
  }
  assert.equal(fs.statSync(path.join(dir, 'a')).mode & 0o777, 0o755);
  assert.equal(fs.statSync(path.join(dir, 'a', 'b')).mode & 0o777, 0o755);
  assert.equal(fs.statSync(path.join(dir, 'a', 'b', 'k-key.pem')).mode & 0o777, 0o600);
});

test('writeOneFile and addToGitignore refuse a symbolic link', async () => {
  const dir = tmp();
  const target = path.join(tmp(), 'bashrc');
  fs.writeFileSync(target, 'mine');
  fs.symlinkSync(target, path.join(dir, '.gitignore'));
  await assert.rejects(addToGitignore(dir, ['*-key.pem']), SymlinkRefusedError);
  await assert.rejects(writeOneFile(path.join(dir, '.gitignore'), 'x', { overwrite: true }), SymlinkRefusedError);
  assert.equal(fs.readFileSync(target, 'utf8'), 'mine');
});
