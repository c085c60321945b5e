import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The layering rules, checked mechanically from the source text (a second wall behind the ESLint rules, which can be
// disabled with a comment). Imports are found by parsing each file with the TypeScript compiler, not by regex, so
// comments and strings do not count and `import type` is told apart from an import that survives compilation.
//
//  1. Only src-main/hosts/electron may import electron at runtime: the engine, CLI and serve host boot in plain Node.
//  2. The renderer reaches into src-main only through src-main/contract/ and src-main/shared/errors, and never
//     imports Node built-ins or electron (it runs in a browser sandbox).
//  3. src-main/contract and everything it imports at runtime are free of Node built-ins and electron: the renderer and
//     the preload bundle them.
//  4. src-common is runtime-neutral (Signal Desktop tags each file's runtime; this folder's tag is "any"): it imports
//     nothing but src-common and zod, and names no Node or DOM global (window, document, process, Buffer, …), so the
//     engine, the CLI and the renderer can all run it.
//  5. The engine reaches outside src-main only into src-common (and its own package.json): never the renderer or the
//     preload, which are its hosts' business. The renderer may use src-common as well as the contract (rule 2).
//  6. In the renderer only state/ modules (and the client itself) send requests to the engine: pages and components
//     render and dispatch actions (zustand's "no store actions" practice), so every engine call has one home.
//  7. Data flows one way: the lake, the calendar and the shared helpers never import a provider, a host, or a CLI
//     module (type imports included), and no engine folder imports a host (tests excepted).

const REPO = path.resolve(__dirname, '..');
const isCommon = (rel: string) => rel === 'src-common' || rel.startsWith('src-common/');

interface ImportRef {
  specifier: string;
  /** erased by the compiler: `import type`, `import { type A }`, `export type … from`, `typeof import('x')` */
  typeOnly: boolean;
  line: number;
}

/** Every module a file refers to: static imports and re-exports, `import x = require()`, require() and import() calls. */
function importsOf(source: string, fileName = 'sample.ts'): ImportRef[] {
  const kind = fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, kind);
  const out: ImportRef[] = [];
  const add = (spec: ts.Node, typeOnly: boolean, at: ts.Node) => {
    if (ts.isStringLiteralLike(spec)) out.push({ specifier: spec.text, typeOnly, line: sf.getLineAndCharacterOfPosition(at.getStart(sf)).line + 1 });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      let typeOnly = false;
      if (clause) {
        const named = clause.namedBindings;
        // `import { type A, type B } from 'x'` is erased too (verbatimModuleSyntax is off); `import {} from 'x'` is not
        const allNamedTypes = !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
        typeOnly = clause.isTypeOnly || (!clause.name && allNamedTypes);
      }
      add(node.moduleSpecifier, typeOnly, node);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const named = node.exportClause;
      const allNamedTypes = !!named && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, node.isTypeOnly || allNamedTypes, node);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly, node);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      const isDynamicImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const first = node.arguments[0];
      if ((isRequire || isDynamicImport) && first) add(first, false, node);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(arg.literal, true, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

interface Source {
  /** path from the repository root, '/' separated */
  rel: string;
  text: string;
}

const isElectron = (spec: string) => spec === 'electron' || spec.startsWith('electron/');
const NODE_BUILTINS = new Set(builtinModules);
const isNodeBuiltin = (spec: string) => spec.startsWith('node:') || NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(spec.split('/')[0]!);

/** A relative specifier resolved to a repo-relative path (no extension added), or undefined for a package. */
function resolveRel(fromRel: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  return path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), spec.replace(/\?.*$/, '')));
}

/** Rule 1. */
function electronViolations(files: Source[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (!f.rel.startsWith('src-main/') || f.rel.startsWith('src-main/hosts/electron/')) continue;
    for (const i of importsOf(f.text, f.rel)) {
      if (isElectron(i.specifier) && !i.typeOnly) out.push(`${f.rel}:${i.line} imports '${i.specifier}' at runtime (use \`import type\`, or move the code to src-main/hosts/electron)`);
    }
  }
  return out;
}

/** Rule 2. Type-only imports count too: the renderer must not even name engine internals. */
function rendererViolations(files: Source[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (!f.rel.startsWith('src-renderer/src/')) continue;
    for (const i of importsOf(f.text, f.rel)) {
      const where = `${f.rel}:${i.line} imports '${i.specifier}'`;
      if (isElectron(i.specifier) || isNodeBuiltin(i.specifier)) {
        if (!i.typeOnly) out.push(`${where}: the renderer runs in a browser sandbox`);
        continue;
      }
      const target = resolveRel(f.rel, i.specifier);
      if (target === undefined) continue;
      if (target === 'src-main' || target.startsWith('src-main/')) {
        const allowed = target.startsWith('src-main/contract/') || target === 'src-main/contract' || /^src-main\/shared\/errors(\.ts)?$/.test(target);
        if (!allowed) out.push(`${where}: the renderer may use only src-main/contract and src-main/shared/errors`);
      } else if (!target.startsWith('src-renderer/') && !isCommon(target)) {
        out.push(`${where}: outside the renderer`);
      }
    }
  }
  return out;
}

/** Rule 3: the contract folder and the transitive closure of its runtime imports inside the repository. */
function contractViolations(files: Source[]): string[] {
  const byRel = new Map(files.map((f) => [f.rel, f]));
  const find = (rel: string): Source | undefined => {
    for (const c of [rel, `${rel}.ts`, `${rel}.tsx`, `${rel}/index.ts`]) {
      const f = byRel.get(c);
      if (f) return f;
    }
    return undefined;
  };
  const out: string[] = [];
  const seen = new Set<string>();
  const queue = files.filter((f) => f.rel.startsWith('src-main/contract/'));
  const via = new Map<string, string>();
  while (queue.length) {
    const f = queue.shift()!;
    if (seen.has(f.rel)) continue;
    seen.add(f.rel);
    const chain = via.has(f.rel) ? ` (reached from the contract via ${via.get(f.rel)})` : '';
    for (const i of importsOf(f.text, f.rel)) {
      const inContract = f.rel.startsWith('src-main/contract/');
      // inside the contract folder even a type import of Node is refused; outside it only what survives compilation
      if ((isNodeBuiltin(i.specifier) || isElectron(i.specifier)) && (inContract || !i.typeOnly)) {
        out.push(`${f.rel}:${i.line} imports '${i.specifier}'${chain}: the contract is shared with the renderer`);
        continue;
      }
      if (i.typeOnly) continue;
      const target = resolveRel(f.rel, i.specifier);
      if (target === undefined) continue;
      const next = find(target);
      if (!next) {
        out.push(`${f.rel}:${i.line} imports '${i.specifier}', which does not resolve to a source file`);
        continue;
      }
      if (!via.has(next.rel)) via.set(next.rel, chain ? `${via.get(f.rel)} -> ${f.rel}` : f.rel);
      queue.push(next);
    }
  }
  return out;
}

/** Globals of a browser page or of Node: naming one ties a file to that runtime. */
const RUNTIME_GLOBALS = new Set([
  'window', 'document', 'navigator', 'location', 'history', 'localStorage', 'sessionStorage', 'fetch', 'XMLHttpRequest', 'WebSocket',
  'Blob', 'File', 'FileReader', 'HTMLElement', 'Element', 'Node', 'Event', 'CustomEvent', 'atob', 'btoa', 'requestAnimationFrame',
  'process', 'Buffer', 'require', 'module', 'exports', '__dirname', '__filename', 'global', 'setImmediate',
]);

/** Identifiers that refer to a global of that name: not property names (`x.window`), keys or the file's own declarations. */
function runtimeGlobalsOf(source: string, fileName: string): { name: string; line: number }[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const declared = new Set<string>();
  const uses: ts.Identifier[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node)) {
      const p = node.parent;
      const isName =
        (ts.isPropertyAccessExpression(p) && p.name === node) ||
        ((ts.isPropertyAssignment(p) || ts.isPropertySignature(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isMethodSignature(p)) && p.name === node) ||
        (ts.isQualifiedName(p) && p.right === node) ||
        ts.isImportSpecifier(p) || ts.isExportSpecifier(p);
      const isDecl =
        ((ts.isVariableDeclaration(p) || ts.isFunctionDeclaration(p) || ts.isParameter(p) || ts.isClassDeclaration(p) || ts.isInterfaceDeclaration(p) || ts.isTypeAliasDeclaration(p) || ts.isBindingElement(p)) &&
          (p as { name?: ts.Node }).name === node) ||
        ts.isImportClause(p) || ts.isNamespaceImport(p);
      if (isDecl) declared.add(node.text);
      else if (!isName) uses.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return uses
    .filter((u) => RUNTIME_GLOBALS.has(u.text) && !declared.has(u.text))
    .map((u) => ({ name: u.text, line: sf.getLineAndCharacterOfPosition(u.getStart(sf)).line + 1 }));
}

/** Rule 4. Tests beside the code may also import vitest (they are not shipped). */
function commonViolations(files: Source[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (!isCommon(f.rel)) continue;
    const isTest = /\.test\.tsx?$/.test(f.rel);
    for (const i of importsOf(f.text, f.rel)) {
      const where = `${f.rel}:${i.line} imports '${i.specifier}'`;
      const target = resolveRel(f.rel, i.specifier);
      if (target !== undefined) {
        if (!isCommon(target)) out.push(`${where}: src-common imports only src-common (and zod)`);
      } else if (!(i.specifier === 'zod' || (isTest && i.specifier === 'vitest'))) {
        out.push(`${where}: src-common imports only src-common and zod`);
      }
    }
    for (const g of runtimeGlobalsOf(f.text, f.rel)) out.push(`${f.rel}:${g.line} names '${g.name}': src-common runs in Node and in the browser alike`);
  }
  return out;
}

/** Lines of `x.request(...)` calls: the client's request method, however the client is named. */
function requestCallsOf(source: string, fileName: string): number[] {
  const kind = fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, kind);
  const out: number[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'request') {
      out.push(sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Rule 6 (tests may call the client as they like). */
function requestCallViolations(files: Source[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (!f.rel.startsWith('src-renderer/src/') || /\.test\.tsx?$/.test(f.rel)) continue;
    if (f.rel.startsWith('src-renderer/src/state/') || f.rel.startsWith('src-renderer/src/client/')) continue;
    for (const line of requestCallsOf(f.text, f.rel)) out.push(`${f.rel}:${line} calls .request(): move the engine call to an action in src-renderer/src/state/`);
  }
  return out;
}

/** Rule 5. */
function engineReachViolations(files: Source[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (!f.rel.startsWith('src-main/')) continue;
    for (const i of importsOf(f.text, f.rel)) {
      const target = resolveRel(f.rel, i.specifier);
      if (target === undefined || target.startsWith('src-main/') || isCommon(target) || target === 'package.json') continue;
      out.push(`${f.rel}:${i.line} imports '${i.specifier}': outside src-main the engine may use only src-common`);
    }
  }
  return out;
}

/** Rule 7: folders that must not reach "upstream" (towards providers) or out to the hosts. */
const FORBIDDEN_IMPORTS: Array<{ from: RegExp; to: RegExp; why: string }> = [
  { from: /^src-main\/(lake|calendar|shared)\//, to: /^src-main\/providers(\/|$)/, why: 'providers feed the lake, not the other way round' },
  { from: /^src-main\/(?!hosts\/)/, to: /^src-main\/hosts(\/|$)/, why: 'the engine knows nothing of its hosts' },
  { from: /^src-main\/(?!metrics\/|hosts\/)/, to: /^src-main\/metrics\/cli(\.ts)?$/, why: 'the metrics CLI module is for the CLI host' },
];

function directionViolations(files: Source[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    // tests may drive a component from the other side (a CLI test of the query engine, a provider's batches)
    if (!f.rel.startsWith('src-main/') || /\.test\.tsx?$/.test(f.rel)) continue;
    for (const i of importsOf(f.text, f.rel)) {
      const target = resolveRel(f.rel, i.specifier);
      if (target === undefined) continue;
      for (const rule of FORBIDDEN_IMPORTS) {
        if (rule.from.test(f.rel) && rule.to.test(target)) out.push(`${f.rel}:${i.line} imports '${i.specifier}': ${rule.why}`);
      }
    }
  }
  return out;
}

function readTree(relDir: string): Source[] {
  const abs = path.join(REPO, relDir);
  return (fs.readdirSync(abs, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((p) => /\.(ts|tsx|mts|cts)$/.test(p) && !p.split(path.sep).includes('node_modules'))
    .map((p) => {
      const rel = path.posix.join(relDir, p.split(path.sep).join('/'));
      return { rel, text: fs.readFileSync(path.join(REPO, rel), 'utf8') };
    })
    .sort((a, b) => a.rel.localeCompare(b.rel));
}

describe('importsOf: the parser the rules stand on', () => {
  const runtime = (src: string) => importsOf(src).filter((i) => !i.typeOnly).map((i) => i.specifier);
  const typeOnly = (src: string) => importsOf(src).filter((i) => i.typeOnly).map((i) => i.specifier);

  it.each([
    [`import { app } from 'electron';`],
    [`import electron from 'electron';`],
    [`import * as electron from 'electron';`],
    [`import 'electron';`],
    [`import { type App, app } from 'electron';`],
    [`import type {} from 'x'; import { app } from 'electron';`],
    [`import Default, { type App } from 'electron';`],
    [`export { app } from 'electron';`],
    [`export * from 'electron';`],
    [`import electron = require('electron');`],
    [`const { app } = require('electron');`],
    [`async function f() { return import('electron'); }`],
    [`function f() {\n  // a comment first\n  return require("electron");\n}`],
  ])('finds a runtime import in %s', (src) => {
    expect(runtime(src)).toContain('electron');
  });

  it.each([
    [`import type { App } from 'electron';`],
    [`import { type App, type BrowserWindow } from 'electron';`],
    [`export type { App } from 'electron';`],
    [`export { type App } from 'electron';`],
    [`type W = typeof import('electron');`],
    [`import type electron = require('electron');`],
  ])('sees a type-only import in %s', (src) => {
    expect(runtime(src)).toEqual([]);
    expect(typeOnly(src)).toEqual(['electron']);
  });

  it('ignores comments and strings', () => {
    const src = `// import { app } from 'electron';\n/* require('electron') */\nconst s = "import { app } from 'electron'";\nconst t = \`require('electron')\`;`;
    expect(importsOf(src)).toEqual([]);
  });

  it('reports the line', () => {
    expect(importsOf(`\n\nimport fs from 'node:fs';`)).toEqual([{ specifier: 'node:fs', typeOnly: false, line: 3 }]);
  });

  it('parses TSX', () => {
    expect(runtime(`import { x } from './y';\nexport const C = () => <div>{x}</div>;`)).toEqual(['./y']);
  });
});

describe('the rules catch violations (on sample trees)', () => {
  it('rule 1: electron in the engine, but not in hosts/electron, and not as a type', () => {
    const files: Source[] = [
      { rel: 'src-main/engine.ts', text: `import type { App } from 'electron';\nexport const x = 1;` },
      { rel: 'src-main/hosts/electron/main.ts', text: `import { app } from 'electron';` },
      { rel: 'src-main/query/service.ts', text: `import fs from 'node:fs';` },
    ];
    expect(electronViolations(files)).toEqual([]);
    const bad = [...files, { rel: 'src-main/lake/writer.ts', text: `import fs from 'node:fs';\nimport { shell } from 'electron';` }];
    expect(electronViolations(bad)).toEqual([expect.stringMatching(/^src-main\/lake\/writer\.ts:2 imports 'electron' at runtime/)]);
    expect(electronViolations([{ rel: 'src-main/hosts/cli/main.ts', text: `const { app } = require('electron/main');` }])).toHaveLength(1);
    expect(electronViolations([{ rel: 'src-main/hosts/serve/server.ts', text: `export async function f() { await import('electron'); }` }])).toHaveLength(1);
  });

  it('rule 2: renderer reaches src-main only through contract and shared/errors', () => {
    const ok: Source[] = [
      { rel: 'src-renderer/src/a.ts', text: `import { WS_PATH } from '../../src-main/contract/channels';\nimport type { Result } from '../../src-main/shared/errors';\nimport { useStore } from 'zustand';\nimport { b } from './b';` },
      { rel: 'src-renderer/src/pages/P.tsx', text: `import { requests } from '../../../src-main/contract';\nimport { fail } from '../../../src-main/shared/errors.ts';` },
    ];
    expect(rendererViolations(ok)).toEqual([]);
    const cases = [
      `import { Engine } from '../../src-main/engine';`,
      `import type { Engine } from '../../src-main/engine';`,
      `import { resolveDataDir } from '../../src-main/settings/paths';`,
      `import { log } from '../../src-main/shared/log';`,
      `import { x } from '../../src-main/contract/../engine';`,
      `import fs from 'node:fs';`,
      `import path from 'path';`,
      `import { ipcRenderer } from 'electron';`,
      `import { x } from '../../src-preload/index';`,
    ];
    for (const text of cases) {
      expect(rendererViolations([{ rel: 'src-renderer/src/a.ts', text }]), text).toHaveLength(1);
    }
  });

  it('rule 3: no Node in the contract, nor in what it imports', () => {
    const clean: Source[] = [
      { rel: 'src-main/contract/contract.ts', text: `import { z } from 'zod';\nimport { ERROR_CODES } from '../shared/errors';\nimport type { Engine } from '../engine';` },
      { rel: 'src-main/shared/errors.ts', text: `export const ERROR_CODES = [];` },
      { rel: 'src-main/engine.ts', text: `import fs from 'node:fs';` },
    ];
    expect(contractViolations(clean)).toEqual([]);

    const direct = [...clean, { rel: 'src-main/contract/paths.ts', text: `import path from 'node:path';` }];
    expect(contractViolations(direct)).toEqual([expect.stringMatching(/^src-main\/contract\/paths\.ts:1 imports 'node:path'/)]);

    const typeOnlyInContract = [...clean, { rel: 'src-main/contract/x.ts', text: `import type { Stats } from 'fs';` }];
    expect(contractViolations(typeOnlyInContract)).toHaveLength(1);

    const transitive: Source[] = [
      { rel: 'src-main/contract/contract.ts', text: `import { ERROR_CODES } from '../shared/errors';` },
      { rel: 'src-main/shared/errors.ts', text: `import { hostname } from 'node:os';\nexport const ERROR_CODES = [hostname()];` },
    ];
    expect(contractViolations(transitive)).toEqual([expect.stringMatching(/^src-main\/shared\/errors\.ts:1 imports 'node:os' \(reached from the contract via src-main\/contract\/contract\.ts\)/)]);

    const unresolved = [{ rel: 'src-main/contract/a.ts', text: `import { b } from './nope';` }];
    expect(contractViolations(unresolved)).toHaveLength(1);
  });
});

describe('rules 4 and 5 catch violations (on sample trees)', () => {
  it('rule 4: src-common imports only src-common and zod, and names no Node or DOM global', () => {
    const ok: Source[] = [
      { rel: 'src-common/a.ts', text: `import { z } from 'zod';\nimport { b } from './b';\nimport type { T } from './t';\nconst o = { window: 1, document: 2 };\nexport const x = o.window + new Date(0).getTime() + z.string().parse('') .length + b;\nexport function f(process: number) { return process; }` },
      { rel: 'src-common/a.test.ts', text: `import { it } from 'vitest';\nimport { x } from './a';\nit('x', () => void x);` },
    ];
    expect(commonViolations(ok)).toEqual([]);
    const cases = [
      `import fs from 'node:fs';`,
      `import path from 'path';`,
      `import { it } from 'vitest';`,
      `import { useStore } from 'zustand';`,
      `import { SymbolSchema } from '../src-main/contract/schemas';`,
      `import type { Engine } from '../src-main/engine';`,
      `import { x } from '../src-renderer/src/format';`,
      `export const w = window.innerWidth;`,
      `export const d = () => document.title;`,
      `export const env = process.env.HOME;`,
      `export const b = Buffer.from('x');`,
      `export const s = typeof sessionStorage;`,
    ];
    for (const text of cases) expect(commonViolations([{ rel: 'src-common/a.ts', text }]), text).toHaveLength(1);
  });

  it('rule 6: only state/ and client/ send requests in the renderer', () => {
    const call = `export async function f(client: Client) { return client.request('jobs.list', {}); }`;
    expect(requestCallViolations([{ rel: 'src-renderer/src/state/jobs.ts', text: call }, { rel: 'src-renderer/src/client/client.ts', text: call }, { rel: 'src-renderer/src/pages/P.test.ts', text: call }])).toEqual([]);
    expect(requestCallViolations([{ rel: 'src-renderer/src/pages/P.tsx', text: call }])).toEqual([expect.stringMatching(/^src-renderer\/src\/pages\/P\.tsx:1 calls \.request\(\)/)]);
    expect(requestCallViolations([{ rel: 'src-renderer/src/chart/c.ts', text: `class C { f() { return this.client.request('chart.bars', {}); } }` }])).toHaveLength(1);
  });

  it('rule 2 lets the renderer use src-common; rule 5 lets the engine use only src-common outside src-main', () => {
    expect(rendererViolations([{ rel: 'src-renderer/src/a.ts', text: `import { splitSymbols } from '../../src-common/symbols';` }])).toEqual([]);
    expect(engineReachViolations([{ rel: 'src-main/hosts/cli/options.ts', text: `export { splitSymbols } from '../../../src-common/symbols';\nimport pkg from '../../../package.json';` }])).toEqual([]);
    expect(engineReachViolations([{ rel: 'src-main/engine.ts', text: `import { formatInt } from '../src-renderer/src/format';` }])).toHaveLength(1);
    expect(engineReachViolations([{ rel: 'src-main/engine.ts', text: `import type { PreloadApi } from '../src-preload/index';` }])).toHaveLength(1);
  });
});

describe('the repository obeys the rules', () => {
  const main = readTree('src-main');
  const renderer = readTree('src-renderer/src');
  const common = readTree('src-common');

  it('found the sources (a scan of nothing proves nothing)', () => {
    expect(main.length).toBeGreaterThan(30);
    expect(renderer.length).toBeGreaterThan(10);
    expect(main.some((f) => f.rel === 'src-main/contract/index.ts')).toBe(true);
    // a live positive control: the Electron host does import electron at runtime, and the parser sees it
    const host = main.find((f) => f.rel === 'src-main/hosts/electron/main.ts');
    expect(host && importsOf(host.text, host.rel).some((i) => i.specifier === 'electron' && !i.typeOnly)).toBe(true);
  });

  it('1. only src-main/hosts/electron imports electron at runtime', () => {
    expect(electronViolations(main)).toEqual([]);
  });

  it('2. the renderer imports from src-main only via contract/ and shared/errors, and no Node or electron', () => {
    expect(rendererViolations(renderer)).toEqual([]);
    // and it does use the contract: the rule is exercised, not vacuous
    expect(renderer.some((f) => importsOf(f.text, f.rel).some((i) => i.specifier.includes('src-main/contract')))).toBe(true);
  });

  it('3. src-main/contract (and what it imports) uses no Node modules', () => {
    expect(contractViolations([...main, ...common])).toEqual([]);
  });

  it('4. src-common is runtime-neutral: only src-common and zod, no Node or DOM globals', () => {
    expect(common.some((f) => f.rel === 'src-common/symbols.ts')).toBe(true);
    expect(commonViolations(common)).toEqual([]);
    // used from both sides, or it is not shared
    expect(renderer.some((f) => importsOf(f.text, f.rel).some((i) => i.specifier.includes('src-common/')))).toBe(true);
    expect(main.some((f) => importsOf(f.text, f.rel).some((i) => i.specifier.includes('src-common/')))).toBe(true);
  });

  it('5. outside src-main the engine reaches only src-common', () => {
    expect(engineReachViolations(main)).toEqual([]);
  });

  it('6. in the renderer only state/ (and the client) sends requests', () => {
    expect(requestCallViolations(renderer)).toEqual([]);
    expect(renderer.some((f) => f.rel.startsWith('src-renderer/src/state/') && requestCallsOf(f.text, f.rel).length > 0)).toBe(true);
  });

  it('7. data flows one way: lake, calendar and shared import no provider; no engine folder imports a host', () => {
    expect(directionViolations(main)).toEqual([]);
    // the rule can fire
    const sample: Source[] = [{ rel: 'src-main/lake/x.ts', text: `import type { Provider } from '../providers/types';\nimport { run } from '../hosts/cli/main';` }];
    expect(directionViolations(sample)).toHaveLength(2);
  });
});
