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
    if (ts.isVariableStatement(s)) return s.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : []));
    if (ts.isTypeAliasDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isEnumDeclaration(s)) return [s.name.text];
    if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) return [s.name.text];
    return [];
  });
}
