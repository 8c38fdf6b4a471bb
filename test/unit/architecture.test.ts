import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import {
  coreFolderGraph,
  cycles,
  exportUse,
  importGraph,
  parse,
  root,
  topLevelNames,
  tsFiles,
} from './architecture-support';

test('src/core and src/cli never import vscode (they run outside the editor)', () => {
  const offenders = [...tsFiles(path.join(root, 'src/core')), ...tsFiles(path.join(root, 'src/cli'))].filter((f) =>
    /(from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\))/.test(
      fs.readFileSync(f, 'utf8'),
    ),
  );
  assert.deepEqual(
    offenders.map((f) => path.relative(root, f)),
    [],
  );
  assert.ok(tsFiles(path.join(root, 'src/core')).length > 5, 'the scan found the core sources');
});

test('the extension spells command, view, context key, setting and status bar ids only in ids.ts', () => {
  const files = tsFiles(path.join(root, 'src/extension')).filter((f) => path.basename(f) !== 'ids.ts');
  // Comments may name a setting ("limit set by mtls.decodeTimeoutMs"); code takes the id from ids.ts.
  const code = (f: string) =>
    fs
      .readFileSync(f, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
  const spelled = files.flatMap((f) =>
    [...code(f).matchAll(/['"`](mtls(?:\.[A-Za-z][\w.]*)?)['"`]/g)].map((m) => `${path.relative(root, f)}: ${m[1]}`),
  );
  assert.deepEqual(spelled, []);
  assert.ok(files.length > 20, 'the scan found the extension sources');
});

test('every contributed command is in the mTLS category and has an id in ids.ts', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    contributes: { commands: { command: string; category?: string }[] };
    activationEvents: string[];
  };
  const ids = fs.readFileSync(path.join(root, 'src/extension/ids.ts'), 'utf8');
  for (const c of pkg.contributes.commands) {
    assert.equal(c.category, 'mTLS', c.command);
    assert.ok(ids.includes(`'${c.command}'`), `${c.command} missing from ids.ts`);
  }
  assert.ok(!pkg.activationEvents.includes('*'), 'no eager activation');
});

const srcFiles = tsFiles(path.join(root, 'src'));
const graph = importGraph(srcFiles);
const shown = (files: string[][]): string[] =>
  files.map((c) =>
    c
      .map((f) => path.relative(root, f))
      .sort()
      .join(' ⇄ '),
  );

test('no import cycle among the src files (value, type and dynamic imports)', () => {
  assert.ok(srcFiles.length > 100, 'the scan found the sources');
  const edge = (from: string, to: string): boolean =>
    graph.get(path.join(root, from))?.has(path.join(root, to)) === true;
  assert.ok(
    edge('src/extension/commands/registerCommands.ts', 'src/extension/commands/generate/generateChain.ts'),
    'import() of ./x.js',
  );
  assert.ok(edge('src/server/auth.mts', 'src/server/config.mts'), 'import type of ./x.mts');
  assert.ok(edge('src/core/http/serverLog.ts', 'src/core/http/handshakeTypes.ts'), 'import type without an extension');
  assert.ok(edge('src/extension/views/nodes.ts', 'src/core/x509/index.ts'), 'a folder, through its index.ts');
  assert.deepEqual(shown(cycles(graph)), []);
});

test("no import cycle among src/core's folders (a file directly in src/core is a node of its own)", () => {
  const folders = coreFolderGraph(graph);
  assert.ok(
    folders.has('x509') && folders.get('x509')!.has('asn1'),
    'the folder graph has the decoder on the DER codec',
  );
  assert.deepEqual(
    cycles(folders).map((c) => c.sort().join(' ⇄ ')),
    [],
  );
});

test('no src file is over 400 lines', () => {
  const long = srcFiles
    .map((f) => ({ file: path.relative(root, f), lines: fs.readFileSync(f, 'utf8').split('\n').length - 1 }))
    .filter((f) => f.lines > 400);
  assert.deepEqual(long, []);
});

test('one Platform: only core/webhook/platform.ts defines it (src/server keeps its own, it cannot import core)', () => {
  const defining = srcFiles
    .filter((f) => !f.startsWith(path.join(root, 'src/server') + path.sep))
    .filter((f) => topLevelNames(parse(f)).some((n) => n === 'Platform' || n === 'allPlatforms'))
    .map((f) => path.relative(root, f));
  assert.deepEqual(defining, ['src/core/webhook/platform.ts']);
});

test('no CLI command file imports another: what several share is in src/cli (options.ts, credentialOptions.ts, kit.ts)', () => {
  const commands = path.join(root, 'src/cli/commands');
  const inCommands = (f: string): boolean => path.dirname(f) === commands && path.basename(f) !== 'index.ts';
  const crossings = [...graph].flatMap(([f, targets]) =>
    inCommands(f) ? [...targets].filter(inCommands).map((t) => `${path.basename(f)} → ${path.basename(t)}`) : [],
  );
  assert.ok([...graph.keys()].filter(inCommands).length > 10, 'the scan found the command files');
  assert.deepEqual(crossings, []);
});

test('test/unit mirrors src: every folder but support/ is a folder of src/core, or of src/cli and src/server (cli/, server/)', () => {
  const unit = path.join(root, 'test/unit');
  const folders = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .flatMap((e) => {
        const rel = path.relative(unit, path.join(dir, e.name));
        return rel === 'support' ? [] : [rel, ...folders(path.join(dir, e.name))];
      });
  const source = (rel: string): string =>
    path.join(root, ['cli', 'server'].includes(rel.split(path.sep)[0]) ? 'src' : 'src/core', rel);
  const found = folders(unit);
  assert.ok(
    found.includes('http') && found.includes('cli') && found.includes('server'),
    'the scan found the test folders',
  );
  assert.deepEqual(
    found
      .filter((rel) => !(fs.existsSync(source(rel)) && fs.statSync(source(rel)).isDirectory()))
      .map((rel) => `test/unit/${rel}`),
    [],
  );
});

// Exports something outside this repository's code calls; every other exported value must be imported by another
// file of src/, test/ or bench/.
const calledFromOutside: Readonly<Record<string, string>> = {
  'src/extension/extension.ts#activate': 'VS Code calls it when the extension activates (package.json main)',
  'src/extension/extension.ts#deactivate': 'VS Code calls it when the extension stops',
  'src/core/scaffold/ts-loader.mts#load':
    "Node's module hooks call it (module.register) to strip the types of a .mts file",
};

test('every exported value in src is imported by another file (re-exports through index.ts count only when used)', () => {
  // src/server/ is the user's mtls-server/ folder: its exports are that folder's interface to the user's own code
  // (and tests load some of its modules by URL), so this repository's use is no measure of them.
  const server = path.join(root, 'src/server') + path.sep;
  const others = [
    ...tsFiles(path.join(root, 'test')).filter((f) => !f.startsWith(path.join(root, 'test/fixtures') + path.sep)),
    ...tsFiles(path.join(root, 'bench')),
  ];
  const { exports: exported, used } = exportUse([...srcFiles, ...others]);
  const unused = exported
    .filter(
      (e) => e.value && srcFiles.includes(e.file) && !e.file.startsWith(server) && !used.has(`${e.file}#${e.name}`),
    )
    .map((e) => `${path.relative(root, e.file)}#${e.name}`)
    .filter((k) => !(k in calledFromOutside));
  assert.ok(exported.filter((e) => e.from !== undefined).length > 50, 'the scan followed the re-exports');
  assert.deepEqual(unused, []);
  for (const k of Object.keys(calledFromOutside))
    assert.ok(
      exported.some((e) => `${path.relative(root, e.file)}#${e.name}` === k),
      `${k} is still exported`,
    );
});

test('every mtls.* setting the extension reads has its default in package.json, and only there', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    contributes: {
      configuration:
        { properties: Record<string, { default?: unknown }> } | { properties: Record<string, { default?: unknown }> }[];
    };
  };
  const configuration = pkg.contributes.configuration;
  const contributed = Object.assign(
    {},
    ...(Array.isArray(configuration) ? configuration : [configuration]).map((c) => c.properties),
  ) as Record<string, { default?: unknown }>;
  // The ids: ids.ts's Settings object (section + key names).
  const ids = parse(path.join(root, 'src/extension/ids.ts'));
  const keys = new Map<string, string>();
  ids.forEachChild((n) => {
    if (!ts.isVariableStatement(n)) return;
    for (const d of n.declarationList.declarations) {
      const init = d.initializer && ts.isAsExpression(d.initializer) ? d.initializer.expression : d.initializer;
      if (!ts.isIdentifier(d.name) || d.name.text !== 'Settings' || !init || !ts.isObjectLiteralExpression(init))
        continue;
      for (const p of init.properties)
        if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && ts.isStringLiteral(p.initializer))
          keys.set(p.name.text, p.initializer.text);
    }
  });
  const section = keys.get('section');
  assert.equal(section, 'mtls');
  // What the settings module reads, and that no read repeats a default.
  const settings = parse(path.join(root, 'src/extension/platform/settings.ts'));
  const read = new Set<string>();
  const withDefault: string[] = [];
  const visit = (n: ts.Node): void => {
    if (
      ts.isPropertyAccessExpression(n) &&
      ts.isIdentifier(n.expression) &&
      n.expression.text === 'Settings' &&
      n.name.text !== 'section'
    ) {
      const key = keys.get(n.name.text);
      assert.ok(key !== undefined, `Settings.${n.name.text} is not in ids.ts`);
      read.add(`${section}.${key}`);
    }
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      n.expression.name.text === 'get' &&
      n.arguments.length > 1
    )
      withDefault.push(n.getText());
    ts.forEachChild(n, visit);
  };
  visit(settings);
  assert.ok(read.size >= 10, 'the scan found the settings read');
  assert.deepEqual(withDefault, [], 'a default passed to get() repeats package.json');
  // Settings named as text elsewhere (affectsConfiguration('mtls.x')).
  for (const f of tsFiles(path.join(root, 'src/extension'))) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/affectsConfiguration\('(mtls\.[\w.]+)'\)/g)) read.add(m[1]);
  }
  for (const key of read) {
    assert.ok(key in contributed, `${key} is read but not in package.json contributes.configuration`);
    assert.ok('default' in contributed[key], `${key} has no default in package.json`);
  }
  for (const key of keys.values())
    if (key !== section)
      assert.ok(
        read.has(`${section}.${key}`),
        `${section}.${key} is in ids.ts but the settings module does not read it`,
      );
});

/** The folders CONTRIBUTING.md's folder map names under src/, nesting read from the indentation. */
function mappedSourceFolders(): Set<string> {
  const text = fs.readFileSync(path.join(root, 'CONTRIBUTING.md'), 'utf8');
  const block = /## Folder map\n+```\n([\s\S]*?)\n```/.exec(text)?.[1] ?? '';
  const found = new Set<string>();
  const parents: string[] = [];
  for (const line of block.split('\n')) {
    // A folder line: indentation, then one or more `name/` before the description (two spaces or more).
    const m = /^( *)((?:[\w.-]+\/)+(?: (?:[\w.-]+\/))*)(?: {2,}|$)/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 2;
    const names = (m[2] ?? '').trim().split(/ +/);
    parents.length = depth;
    for (const name of names) {
      const full = path.posix.join(...parents, name.replace(/\/$/, ''));
      found.add(full);
    }
    if (names.length === 1) parents[depth] = (names[0] ?? '').replace(/\/$/, '');
  }
  return new Set([...found].filter((f) => f === 'src' || f.startsWith('src/')));
}

test("CONTRIBUTING.md's folder map names every folder under src/, and no folder that is not there", () => {
  const actual = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) {
        const p = path.join(dir, e.name);
        actual.add(path.relative(root, p).split(path.sep).join('/'));
        walk(p);
      }
  };
  walk(path.join(root, 'src'));
  const mapped = mappedSourceFolders();
  assert.ok(mapped.has('src/core/asn1') && mapped.has('src/extension/commands/send'), 'the map was read');
  assert.deepEqual([...actual].filter((f) => !mapped.has(f)).sort(), [], 'folders missing from the map');
  assert.deepEqual([...mapped].filter((f) => !actual.has(f)).sort(), [], 'folders in the map that do not exist');
});
