// Converting a single-file server.ts (every frozen printing of templates 1, 3 and 4) to server.mts +
// mtls-server/: the config block and the handler code carried over byte for byte, the old file kept, and
// anything that cannot be vouched for refused with nothing changed. Then upgrading a server.mts's machinery
// folder: replaced whole against its manifest, server.mts untouched.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import {
  applyUpgrade,
  planUpgrade,
  planUpgradeFile,
  templateVersionOf,
  upgradeDiff,
  UpgradeRefusedError,
} from '../../../src/core/scaffold/upgradeServer';
import { legacyHandlerSpans } from '../../../src/core/scaffold/legacyServer';
import { scaffoldServer } from '../../../src/core/scaffold/scaffoldServer';
import { machineryFiles } from '../../../src/core/scaffold/machineryFiles';
import { findBlock, markers, type BlockSpan } from '../../../src/core/scaffold/template/layout';
import { changesSince, templateVersion } from '../../../src/core/scaffold/template/changelog';
import { repoRoot, snapshot, tempDir } from '../support/scaffold';

const fixturesDir = path.join(repoRoot, 'test', 'fixtures');

/** Every frozen single-file printing: its template version and platforms (from its folder name). */
const printings: { name: string; version: number; platforms: string[]; text: string }[] = [
  'server-v1/server.ts',
  'server-v1/printing-1/es/server.ts',
  'server-v1/printing-2/cx-kore/server.ts',
  'server-v1/printing-3/kore/server.ts',
  'server-v1/printing-4/es-kore/server.ts',
  'server-v3/printing-1/cx/server.ts',
  'server-v3/printing-2/cx-es-kore/server.ts',
  'server-v4/printing-1/cx-es/server.ts',
  'server-v4/printing-2/kore/server.ts',
  ...['cx', 'es', 'kore', 'cx-es', 'cx-kore', 'es-kore', 'cx-es-kore'].map((p) => `server-v4/${p}/server.ts`),
].map((name) => {
  const folder = path.basename(path.dirname(name));
  return {
    name,
    version: Number(/^server-v(\d)/.exec(name)![1]),
    platforms: folder === 'server-v1' ? ['cx', 'es', 'kore'] : folder.split('-'),
    text: readFileSync(path.join(fixturesDir, name), 'utf8'),
  };
});

const v4 = (p: string): string => printings.find((f) => f.name === `server-v4/${p}/server.ts`)!.text;

const interior = (text: string, start: string, end: string): string => {
  const span = findBlock(text, start, end) as BlockSpan;
  assert.equal(typeof span, 'object', `${start} block`);
  return text.slice(span.start, span.end);
};

const importLine = (text: string): string =>
  /^import \{[^}]*\} from '\.\/mtls-server\/index\.mts';$/m.exec(text)?.[0] ?? '';

describe('single-file server.ts → server.mts + mtls-server/', () => {
  let dir: string;
  before(() => {
    dir = tempDir('migrate');
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every frozen printing converts with its config block and handler code byte for byte, importing what its platforms use', () => {
    assert.equal(printings.length, 16);
    for (const f of printings) {
      assert.equal(templateVersionOf(f.text), f.version, f.name);
      const plan = planUpgrade(f.text, 'server.ts');
      assert.deepEqual(
        [plan.kind, plan.fromVersion, plan.toVersion, plan.upToDate],
        ['migrate', f.version, templateVersion, false],
        f.name,
      );
      assert.deepEqual(plan.platforms, f.platforms, f.name);
      assert.deepEqual(plan.changes, changesSince(f.version));
      assert.equal(
        interior(plan.newText, markers.configStart, markers.configEnd),
        interior(f.text, markers.configStart, markers.configEnd),
        `${f.name}: config`,
      );
      const handlers = interior(plan.newText, markers.handlersStart, markers.handlersEnd);
      if (f.version === 1) {
        const spans = legacyHandlerSpans(f.text) as Map<string, BlockSpan>;
        assert.deepEqual([...spans.keys()], f.platforms);
        for (const s of spans.values())
          assert.ok(
            handlers.includes(f.text.slice(s.start, s.end)),
            `${f.name}: handler code kept: ${f.text.slice(s.start, s.start + 40)}`,
          );
      } else {
        assert.equal(handlers, interior(f.text, markers.handlersStart, markers.handlersEnd), `${f.name}: handlers`);
      }
      for (const p of ['cx', 'es', 'kore']) {
        assert.equal(
          importLine(plan.newText).includes(p === 'kore' ? 'type KoreHandler' : `${p}Reply`),
          f.platforms.includes(p),
          `${f.name}: imports for ${p}`,
        );
        assert.equal(
          new RegExp(`^ {2}${p}: `, 'm').test(plan.newText),
          f.platforms.includes(p),
          `${f.name}: ${p} handed to startWebhookServer`,
        );
      }
      assert.doesNotMatch(
        plan.newText,
        /mtls-machinery|mtls-template:|function dispatch/,
        `${f.name}: no old machinery left`,
      );
      assert.ok(plan.newText.split('\n').length < f.text.split('\n').length / 3);
      assert.deepEqual(
        plan.files.map((x) => x.name),
        [
          'server.mts',
          ...machineryFiles().map((m) => `mtls-server/${m.name}`),
          'mtls-server/manifest.json',
          'tsconfig.json',
        ],
      );
      assert.equal(plan.files[0].contents, plan.newText);
      assert.equal(plan.backup, `${path.resolve('server.ts')}.bak-v${f.version}`);
    }
  });

  it('keeps Windows line endings in server.mts; the machinery is written as it is', () => {
    const crlf = v4('cx-es-kore').replace(/\n/g, '\r\n');
    const plan = planUpgrade(crlf);
    assert.equal(plan.newText, planUpgrade(v4('cx-es-kore')).newText.replace(/\n/g, '\r\n'));
    assert.equal(
      interior(plan.newText, markers.configStart, markers.configEnd),
      interior(crlf, markers.configStart, markers.configEnd),
    );
    for (const f of plan.files.slice(1)) assert.ok(!String(f.contents).includes('\r\n'), f.name);
    const v1 = printings[0].text;
    assert.equal(planUpgrade(v1.replace(/\n/g, '\r\n')).newText, planUpgrade(v1).newText.replace(/\n/g, '\r\n'));
  });

  it('imports what carried-over code uses from the machinery and Node, hands over only the fallbacks there are, and names what is gone', () => {
    const kore = v4('kore').replace(
      'const koreHandler: KoreHandler = (body) => ({',
      "function audit(req: IncomingMessage): void {\n  log('kore call from ' + String(req.socket.remoteAddress));\n}\n\nconst koreHandler: KoreHandler = (body, req) => ({\n  audited: audit(req),\n  fail: body['bad'] ? (() => { throw new HttpError(400, 'bad'); })() : false,",
    );
    const plan = planUpgrade(kore);
    assert.match(importLine(plan.newText), /\{ startWebhookServer, type KoreHandler, HttpError \}/);
    assert.match(plan.newText, /^import type \{ IncomingMessage \} from 'node:http';$/m);
    assert.equal(plan.notes.length, 1, plan.notes.join('\n'));
    assert.match(
      plan.notes[0],
      /^Your code uses log, which the old file's machinery declared and server\.mts does not have/,
    );
    // Without those uses: no extra import, no note; the object key "fail:" is not a use of the old fail().
    assert.doesNotMatch(planUpgrade(v4('kore')).newText, /HttpError \}|node:http/);
    assert.deepEqual(planUpgrade(v4('kore')).notes, []);
    // A handlers block without cxFallback: the call hands over the table only.
    const noFallback = v4('cx').replace(/\/\/ For a tag with no entry above\.\nfunction cxFallback[\s\S]*?\n}\n/, '');
    assert.notEqual(noFallback, v4('cx'));
    assert.match(planUpgrade(noFallback).newText, /^ {2}cx: \{ handlers: cxHandlers \},$/m);
    assert.match(planUpgrade(v4('cx')).newText, /^ {2}cx: \{ handlers: cxHandlers, fallback: cxFallback \},$/m);
  });

  it('refuses, saying why, when the user parts cannot be told from the machinery or the machinery was edited', () => {
    const current = v4('cx-es-kore');
    const fixture = printings[0].text;
    const cases: [string, string, RegExp][] = [
      [
        'template 1 with an edited machinery',
        fixture.replace('rejectUnauthorized: true,', 'rejectUnauthorized: false,'),
        /differs from what mtls scaffold wrote/,
      ],
      [
        'template 1 with a helper added above a handler table',
        fixture.replace('const esHandlers', 'function helper(): number {\n  return 1;\n}\n\nconst esHandlers'),
        /differs from what mtls scaffold wrote/,
      ],
      [
        'template 4 with an edited machinery',
        current.replace('rejectUnauthorized: true,', 'rejectUnauthorized: false,'),
        /generated part .* was edited/,
      ],
      [
        'template 3 with an edited machinery',
        printings[6].text.replace("minVersion: 'TLSv1.2'", "minVersion: 'TLSv1'"),
        /generated part .* was edited/,
      ],
      ['an edited header', current.replace('// Yours:', '// Mine:'), /generated part .* was edited/],
      [
        'a repeated marker',
        current.replace(markers.handlersEnd, `${markers.handlersEnd}\n${markers.handlersEnd}`),
        /occurs more than once/,
      ],
      ['no handlers end marker', current.replace(markers.handlersEnd, '// end'), /only one of the markers/],
      [
        'an edited template line',
        current.replace(/machinery=sha256:[0-9a-f]+/, 'machinery=sha256:abc'),
        /mtls-template:' line was edited/,
      ],
      [
        'a template that never wrote a single file',
        current.replace(/mtls-template: v\d+/, 'mtls-template: v9'),
        /template 9, which never wrote a single-file server/,
      ],
      [
        'a handler table deleted',
        current.replace(
          'const esHandlers: Record<string, EsHandler> = {',
          'const esTable: Record<string, EsHandler> = {',
        ),
        /no longer declare esHandlers/,
      ],
      ['no config block', 'console.log(1);\n', /no mtls-config block/],
    ];
    for (const [name, text, reason] of cases) {
      assert.throws(
        () => planUpgrade(text, 'server.ts'),
        (e: unknown) =>
          e instanceof UpgradeRefusedError && reason.test(e.message) && /Nothing was changed\.$/.test(e.message),
        name,
      );
    }
  });

  it('applies on disk: server.mts, the machinery and tsconfig.json written, server.ts kept as server.ts.bak-v<N>; converting again is refused', async () => {
    const work = path.join(dir, 'apply');
    mkdirSync(work);
    const file = path.join(work, 'server.ts');
    writeFileSync(file, v4('cx'));
    const plan = await planUpgradeFile(file);
    assert.equal(upgradeDiff(plan).split('\n')[0], '--- server.ts (template 4)');
    const result = await applyUpgrade(plan);
    assert.equal(result.backup, `${file}.bak-v4`);
    assert.deepEqual(readdirSync(work).sort(), ['mtls-server', 'server.mts', 'server.ts.bak-v4', 'tsconfig.json']);
    assert.equal(readFileSync(`${file}.bak-v4`, 'utf8'), v4('cx'));
    assert.equal(readFileSync(path.join(work, 'server.mts'), 'utf8'), plan.newText);
    assert.equal(result.written.length, plan.files.length);
    // The folder is now current: its machinery is up to date.
    const again = await planUpgradeFile(work);
    assert.deepEqual([again.kind, again.upToDate], ['machinery', true]);
    // The old file put back and converted again: refused, nothing changed.
    writeFileSync(file, v4('cx'));
    const before = snapshot(work);
    await assert.rejects(
      planUpgradeFile(file),
      (e: unknown) =>
        e instanceof UpgradeRefusedError &&
        /server\.mts and .*mtls-server already exist \(converted before\?\)/.test(e.message),
    );
    assert.deepEqual(snapshot(work), before);
  });

  it('keeps an existing tsconfig.json (the plan says what it needs), a second backup does not replace the first, and a file changed after planning is refused', async () => {
    const work = path.join(dir, 'tsconfig');
    mkdirSync(work);
    const file = path.join(work, 'server.ts');
    writeFileSync(file, printings[0].text);
    writeFileSync(path.join(work, 'tsconfig.json'), '{}\n');
    writeFileSync(`${file}.bak-v1`, 'an older backup\n');
    const plan = await planUpgradeFile(file);
    assert.ok(!plan.files.some((f) => f.name === 'tsconfig.json'));
    assert.match(plan.notes[0] ?? '', /tsconfig\.json already exists and was left as it is/);
    writeFileSync(file, `${printings[0].text}// touched\n`);
    const before = snapshot(work);
    await assert.rejects(applyUpgrade(plan), /changed since the upgrade was prepared/);
    assert.deepEqual(snapshot(work), before);
    writeFileSync(file, printings[0].text);
    const done = await applyUpgrade(plan);
    assert.equal(done.backup, `${file}.bak-v1-2`);
    assert.equal(readFileSync(`${file}.bak-v1`, 'utf8'), 'an older backup\n');
    assert.equal(readFileSync(path.join(work, 'tsconfig.json'), 'utf8'), '{}\n');
    assert.equal(existsSync(file), false);
  });

  it('an edited template-4 machinery is refused on disk and nothing changes', async () => {
    const work = path.join(dir, 'edited');
    mkdirSync(work);
    const file = path.join(work, 'server.ts');
    writeFileSync(file, v4('es').replace("minVersion: 'TLSv1.2'", "minVersion: 'TLSv1'"));
    const before = snapshot(work);
    await assert.rejects(
      planUpgradeFile(file),
      (e: unknown) =>
        e instanceof UpgradeRefusedError && /generated part .* was edited.*Nothing was changed\./.test(e.message),
    );
    assert.deepEqual(snapshot(work), before);
  });
});

describe('server.mts: the mtls-server/ folder replaced against its manifest', () => {
  let dir: string;
  before(() => {
    dir = tempDir('machinery');
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A scaffolded folder whose machinery is an older printing: one file changed, one gone, one retired file kept in the manifest. */
  async function olderFolder(
    name: string,
    version = templateVersion,
  ): Promise<{ work: string; mts: string; old: Record<string, string> }> {
    const work = path.join(dir, name);
    const mts = await scaffoldServer(work, { platform: 'cx' });
    const folder = path.join(work, 'mtls-server');
    const files = machineryFiles();
    const old: Record<string, string> = {};
    for (const f of files) old[f.name] = f.contents;
    old['log.mts'] = `${old['log.mts']}// printed by an older mTLS Workbench\n`;
    delete old['httpError.mts'];
    old['retired.mts'] = 'export const retired = true;\n';
    rmSync(folder, { recursive: true });
    mkdirSync(folder);
    for (const [n, t] of Object.entries(old)) writeFileSync(path.join(folder, n), t);
    const digests = Object.fromEntries(
      Object.entries(old).map(([n, t]) => [n, createHash('sha256').update(t).digest('hex')]),
    );
    writeFileSync(
      path.join(folder, 'manifest.json'),
      `${JSON.stringify({ template: version, files: digests }, null, 2)}\n`,
    );
    return { work, mts, old };
  }

  it('a current folder is already current, also checked out with Windows line endings', async () => {
    const work = path.join(dir, 'current');
    const mts = await scaffoldServer(work, { platform: 'es' });
    for (const target of [mts, work, path.join(work, 'mtls-server')]) {
      const plan = await planUpgradeFile(target);
      assert.deepEqual(
        [plan.kind, plan.upToDate, plan.fromVersion, plan.changes.length],
        ['machinery', true, templateVersion, 0],
        target,
      );
      assert.deepEqual((await applyUpgrade(plan)).written, []);
    }
    // The user's file under another name is recognised by its import of the machinery.
    const renamed = path.join(work, 'app.mts');
    writeFileSync(renamed, readFileSync(mts));
    assert.deepEqual(await planUpgradeFile(renamed).then((p) => [p.kind, p.file, p.upToDate]), [
      'machinery',
      renamed,
      true,
    ]);
    rmSync(renamed);
    for (const f of machineryFiles())
      writeFileSync(path.join(work, 'mtls-server', f.name), f.contents.replace(/\n/g, '\r\n'));
    assert.equal((await planUpgradeFile(mts)).upToDate, true);
  });

  it('replaces only the machinery: the old folder kept as mtls-server.bak-v<N>, server.mts and everything else untouched', async () => {
    const { work, mts, old } = await olderFolder('older', templateVersion - 1);
    writeFileSync(mts, `${readFileSync(mts, 'utf8')}// my own line\n`);
    const mine = readFileSync(mts);
    const plan = await planUpgradeFile(mts);
    assert.deepEqual([plan.kind, plan.fromVersion, plan.upToDate], ['machinery', templateVersion - 1, false]);
    assert.deepEqual(plan.changes, changesSince(templateVersion - 1));
    assert.deepEqual(plan.machinery.map((c) => `${c.change} ${c.name}`).sort(), [
      'added httpError.mts',
      'changed log.mts',
      'removed retired.mts',
    ]);
    assert.match(
      upgradeDiff(plan),
      /^--- mtls-server\/log\.mts \(template \d+\)\n\+\+\+ mtls-server\/log\.mts \(template \d+\)\n@@ .* @@\n(?: .*\n)*-\/\/ printed by an older mTLS Workbench$/m,
    );
    const result = await applyUpgrade(plan);
    assert.equal(result.backup, path.join(work, `mtls-server.bak-v${templateVersion - 1}`));
    assert.deepEqual(readFileSync(mts), mine);
    const now = snapshot(path.join(work, 'mtls-server'));
    assert.deepEqual(Object.keys(now).sort(), [...machineryFiles().map((f) => f.name), 'manifest.json'].sort());
    for (const f of machineryFiles())
      assert.equal(readFileSync(path.join(work, 'mtls-server', f.name), 'utf8'), f.contents);
    for (const [n, t] of Object.entries(old))
      assert.equal(readFileSync(path.join(result.backup, n), 'utf8'), t, `backup ${n}`);
    assert.deepEqual(readdirSync(work).sort(), [
      'mtls-server',
      `mtls-server.bak-v${templateVersion - 1}`,
      'server.mts',
      'tsconfig.json',
    ]);
    assert.equal((await planUpgradeFile(mts)).upToDate, true);
  });

  it('different files of the same template version: the backup gets a time stamp', async () => {
    const { work, mts } = await olderFolder('same');
    const plan = await planUpgradeFile(mts);
    assert.equal(plan.fromVersion, templateVersion);
    assert.match(plan.changes[0] ?? '', /changed within template \d+: httpError\.mts, log\.mts, retired\.mts/);
    const result = await applyUpgrade(plan);
    assert.match(
      path.basename(result.backup ?? ''),
      new RegExp(`^mtls-server\\.bak-v${templateVersion}-\\d{8}T\\d{6}Z$`),
    );
    assert.ok(statSync(path.join(work, 'mtls-server', 'httpError.mts')).isFile());
  });

  it('refuses an edited, missing or extra machinery file, a missing or damaged manifest and a newer template; nothing changes', async () => {
    const work = path.join(dir, 'refused');
    const mts = await scaffoldServer(work, { platform: 'kore' });
    const folder = path.join(work, 'mtls-server');
    const pristine = path.join(dir, 'pristine');
    cpSync(folder, pristine, { recursive: true });
    const cases: [string, () => void, RegExp][] = [
      [
        'an edited file',
        () =>
          writeFileSync(
            path.join(folder, 'start.mts'),
            readFileSync(path.join(folder, 'start.mts'), 'utf8').replace(
              'rejectUnauthorized: true',
              'rejectUnauthorized: false',
            ),
          ),
        /\(edited: start\.mts\)/,
      ],
      ['a missing file', () => rmSync(path.join(folder, 'auth.mts')), /\(missing: auth\.mts\)/],
      ['an extra file', () => writeFileSync(path.join(folder, 'mine.mts'), 'export {};\n'), /\(not ours: mine\.mts\)/],
      ['no manifest', () => rmSync(path.join(folder, 'manifest.json')), /manifest\.json is missing or not JSON/],
      [
        'a damaged manifest',
        () => writeFileSync(path.join(folder, 'manifest.json'), '{"template":"5"}'),
        /does not have the template number/,
      ],
      [
        'a manifest naming a file outside the folder',
        () => {
          const m = JSON.parse(readFileSync(path.join(pristine, 'manifest.json'), 'utf8')) as {
            files: Record<string, string>;
          };
          m.files['../server.mts'] = createHash('sha256').update(readFileSync(mts)).digest('hex');
          writeFileSync(path.join(folder, 'manifest.json'), JSON.stringify(m));
        },
        /\(missing: \.\.\/server\.mts\)/,
      ],
      [
        'a newer template',
        () =>
          writeFileSync(
            path.join(folder, 'manifest.json'),
            JSON.stringify({
              ...JSON.parse(readFileSync(path.join(pristine, 'manifest.json'), 'utf8')),
              template: templateVersion + 1,
            }),
          ),
        /newer than this mTLS Workbench writes/,
      ],
    ];
    for (const [name, damage, reason] of cases) {
      rmSync(folder, { recursive: true, force: true });
      cpSync(pristine, folder, { recursive: true });
      damage();
      const before = snapshot(work);
      await assert.rejects(
        planUpgradeFile(mts),
        (e: unknown) =>
          e instanceof UpgradeRefusedError && reason.test(e.message) && /Nothing was changed\.$/.test(e.message),
        name,
      );
      assert.deepEqual(snapshot(work), before, name);
    }
  });

  it("following the refusal's advice restores the machinery without touching server.mts; a missing folder is written fresh", async () => {
    const work = path.join(dir, 'advice');
    const mts = await scaffoldServer(work, { platform: 'cx' });
    writeFileSync(mts, readFileSync(mts, 'utf8').replace("'GET /status'", "'GET /mine'"));
    const mine = readFileSync(mts);
    const start = path.join(work, 'mtls-server', 'start.mts');
    writeFileSync(start, readFileSync(start, 'utf8') + '// my edit\n');
    let advice = '';
    await assert.rejects(
      planUpgradeFile(mts),
      (e: unknown) => e instanceof UpgradeRefusedError && (advice = e.message).length > 0,
    );
    const mv = /\(mv ('[^']+'|\S+) ('[^']+'|\S+)\)/.exec(advice);
    assert.ok(mv, `the refusal names the move: ${advice}`);
    assert.doesNotMatch(advice, /--force/, 'no advice that would overwrite server.mts');
    const unquote = (q: string): string => q.replace(/^'|'$/g, '');
    renameSync(unquote(mv[1]), unquote(mv[2]));
    const result = await applyUpgrade(await planUpgradeFile(mts));
    assert.equal(result.backup, undefined, 'nothing to keep: the edited folder is where the user moved it');
    assert.deepEqual(readFileSync(mts), mine, 'server.mts byte for byte');
    assert.equal(readFileSync(start, 'utf8'), machineryFiles().find((f) => f.name === 'start.mts')?.contents);
    assert.match(
      readFileSync(path.join(unquote(mv[2]), 'start.mts'), 'utf8'),
      /\/\/ my edit/,
      'the edited copy is kept where it was moved',
    );
    const again = await planUpgradeFile(mts);
    assert.equal(again.upToDate, true);
  });

  it('a file edited after the plan was made is refused at apply time, the folder unchanged', async () => {
    const { work, mts } = await olderFolder('late');
    const plan = await planUpgradeFile(mts);
    writeFileSync(path.join(work, 'mtls-server', 'start.mts'), '// mine now\n');
    const before = snapshot(work);
    await assert.rejects(
      applyUpgrade(plan),
      (e: unknown) => e instanceof UpgradeRefusedError && /edited: start\.mts/.test(e.message),
    );
    assert.deepEqual(snapshot(work), before);
  });
});
