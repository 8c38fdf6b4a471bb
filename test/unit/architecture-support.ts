/**
 * The import graph of src/, read with the TypeScript compiler's own pre-processor: value and type imports,
 * re-exports, `import()` (also in type positions) and `require()`, each relative specifier resolved to a file
 * the way the build does (`./x.js` → x.ts, `./x.mjs` → x.mts, `./dir` → dir/index.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

export const root = path.resolve(__dirname, '../../..');

/** Every .ts / .mts file under `dir`, as absolute paths. */
export function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : /\.m?ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The file a relative specifier written in `from` names, or undefined (a package, a built file, a typo). */
export function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    `${base}.ts`,
    `${base}.mts`,
    path.join(base, 'index.ts'),
  ];
  return candidates.find((c) => /\.m?ts$/.test(c) && fs.existsSync(c) && fs.statSync(c).isFile());
}

/** The relative specifiers a file imports, re-exports, `import()`s or `require()`s. */
export function specifiersOf(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/** file → the src files it imports (absolute paths). */
export function importGraph(files: readonly string[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const f of files) {
    const targets = new Set<string>();
    for (const s of specifiersOf(f)) {
      const t = resolveSpecifier(f, s);
      if (t !== undefined && t !== f) targets.add(t);
    }
    graph.set(f, targets);
  }
  return graph;
}

/** The strongly connected components with more than one node (each is an import cycle), Tarjan's algorithm. */
export function cycles<T>(graph: ReadonlyMap<T, ReadonlySet<T>>): T[][] {
  let next = 0;
  const index = new Map<T, number>();
  const low = new Map<T, number>();
  const stack: T[] = [];
  const onStack = new Set<T>();
  const out: T[][] = [];
  const visit = (v: T): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: T[] = [];
      let w: T;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** The graph of src/core's folders: a file directly in src/core is a node of its own. */
export function coreFolderGraph(files: Map<string, Set<string>>): Map<string, Set<string>> {
  const core = path.join(root, 'src/core');
  const nodeOf = (f: string): string | undefined => {
    const rel = path.relative(core, f);
    return rel.startsWith('..') ? undefined : rel.split(path.sep)[0];
  };
  const folders = new Map<string, Set<string>>();
  for (const [f, targets] of files) {
    const from = nodeOf(f);
    if (from === undefined) continue;
    const edges = folders.get(from) ?? new Set<string>();
    folders.set(from, edges);
    for (const t of targets) {
      const to = nodeOf(t);
      if (to !== undefined && to !== from) edges.add(to);
    }
  }
  return folders;
}

/** The source file as the compiler parses it. */
export function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

/** The names a file declares at its top level (types, interfaces, classes, functions, variables, enums). */
export function topLevelNames(source: ts.SourceFile): string[] {
  return source.statements.flatMap((s) => {
    if (ts.isVariableStatement(s))
      return s.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : []));
    if (ts.isTypeAliasDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isEnumDeclaration(s)) return [s.name.text];
    if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) return [s.name.text];
    return [];
  });
}

/** An exported name of a file: declared there, or re-exported from another file. */
interface ExportEntry {
  readonly file: string;
  readonly name: string;
  /** Set for `export { a as b } from './x'`: the file and name it re-exports. */
  readonly from?: { readonly file: string; readonly name: string };
  /** A value (function, class, variable, enum), not only a type. */
  readonly value: boolean;
}

const hasExport = (n: ts.Node): boolean =>
  ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/**
 * Every file's exports, and which of them another file uses: imported by name (directly or through re-exports
 * such as an index.ts), through `import * as`, `export *`, `import('./x').Name` types, or a dynamic `import()`
 * whose module's members the importing file names.
 */
export function exportUse(files: readonly string[]): { exports: ExportEntry[]; used: Set<string> } {
  const key = (file: string, name: string): string => `${file}#${name}`;
  const exports = new Map<string, ExportEntry>();
  const stars = new Map<string, string[]>();
  const uses: { file: string; name: string; by: string }[] = [];
  for (const file of files) {
    const source = parse(file);
    const add = (name: string, value: boolean, from?: ExportEntry['from']): void => {
      exports.set(key(file, name), { file, name, value, ...(from ? { from } : {}) });
    };
    // `import { a } from './x'; export { a };` re-exports x's a.
    const imported = new Map<string, { file: string; name: string }>();
    for (const s of source.statements) {
      if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier) || !s.importClause?.namedBindings)
        continue;
      const target = resolveSpecifier(file, s.moduleSpecifier.text);
      const bindings = s.importClause.namedBindings;
      if (target !== undefined && ts.isNamedImports(bindings)) {
        for (const e of bindings.elements)
          imported.set(e.name.text, { file: target, name: (e.propertyName ?? e.name).text });
      }
    }
    for (const s of source.statements) {
      if (ts.isExportDeclaration(s)) {
        const target =
          s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier)
            ? resolveSpecifier(file, s.moduleSpecifier.text)
            : undefined;
        if (s.moduleSpecifier && target === undefined) continue;
        if (!s.exportClause) {
          stars.set(file, [...(stars.get(file) ?? []), target!]);
        } else if (ts.isNamedExports(s.exportClause)) {
          for (const e of s.exportClause.elements) {
            const original = (e.propertyName ?? e.name).text;
            const value = !s.isTypeOnly && !e.isTypeOnly;
            const from = target !== undefined ? { file: target, name: original } : imported.get(original);
            add(e.name.text, value, from);
          }
        }
      } else if (hasExport(s)) {
        const value = !ts.isTypeAliasDeclaration(s) && !ts.isInterfaceDeclaration(s);
        for (const name of topLevelNames(ts.factory.updateSourceFile(source, [s]))) add(name, value);
      }
    }
    const dynamic: string[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
        const target = resolveSpecifier(file, n.moduleSpecifier.text);
        const clause = n.importClause;
        if (target !== undefined && clause) {
          if (clause.name) uses.push({ file: target, name: 'default', by: file });
          const bindings = clause.namedBindings;
          if (bindings && ts.isNamespaceImport(bindings)) uses.push({ file: target, name: '*', by: file });
          if (bindings && ts.isNamedImports(bindings))
            for (const e of bindings.elements)
              uses.push({ file: target, name: (e.propertyName ?? e.name).text, by: file });
        }
      } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
        const target = resolveSpecifier(file, n.argument.literal.text);
        if (target !== undefined)
          uses.push({
            file: target,
            name: n.qualifier ? (ts.isIdentifier(n.qualifier) ? n.qualifier.text : n.qualifier.left.getText()) : '*',
            by: file,
          });
      } else if (
        ts.isCallExpression(n) &&
        n.expression.kind === ts.SyntaxKind.ImportKeyword &&
        n.arguments[0] &&
        ts.isStringLiteral(n.arguments[0])
      ) {
        const target = resolveSpecifier(file, n.arguments[0].text);
        if (target !== undefined) dynamic.push(target);
      }
      ts.forEachChild(n, visit);
    };
    visit(source);
    if (dynamic.length > 0) {
      // A dynamically imported module's members are read as properties: count each name the file mentions.
      const mentioned = new Set<string>();
      const names = (n: ts.Node): void => {
        if (ts.isIdentifier(n)) mentioned.add(n.text);
        ts.forEachChild(n, names);
      };
      names(source);
      for (const target of dynamic) for (const name of mentioned) uses.push({ file: target, name, by: file });
    }
  }
  const used = new Set<string>();
  const mark = (file: string, name: string, seen = new Set<string>()): void => {
    if (seen.has(key(file, name))) return;
    seen.add(key(file, name));
    if (name === '*') {
      for (const e of exports.values()) if (e.file === file) mark(file, e.name, seen);
      for (const t of stars.get(file) ?? []) mark(t, '*', seen);
      return;
    }
    const e = exports.get(key(file, name));
    if (e) {
      used.add(key(file, name));
      if (e.from) mark(e.from.file, e.from.name, seen);
    } else {
      for (const t of stars.get(file) ?? []) mark(t, name, seen);
    }
  };
  for (const u of uses) if (u.file !== u.by) mark(u.file, u.name);
  return { exports: [...exports.values()], used: new Set([...used]) };
}
