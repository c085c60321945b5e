// The assertions of `npm run package:check` (scripts/package-check.mjs), as functions over a configuration and an
// assembled app's resources folder, so they are tested against deliberately broken fixtures
// (scripts/package-check.test.mjs). Each returns a list of problems: empty means the check passed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar');

/** The entries the app cannot start without. */
// the worker threads' and the query host's entries are loaded by path at run time (shared/workers.ts, query/process.ts), so
// a bundle that lost one would only fail when that thread starts
export const REQUIRED_ENTRIES = ['package.json', 'out/main/electron.js', 'out/main/cli.js', 'out/main/fakeWorker.js', 'out/main/stageWorker.js', 'out/main/validateWorker.js', 'out/main/queryHost.js', 'out/preload/index.js', 'out/renderer/index.html'];

/** What fuses must say, by name (the hook may set more). */
export const REQUIRED_FUSES = {
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableCookieEncryption: true,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
};

export const REQUIRED_ASAR_UNPACK = ['**/node_modules/better-sqlite3/build/Release/*.node', '**/node_modules/@duckdb/node-bindings*/**'];

const NATIVE_RE = /\.(node|so(\.\d+)*|dylib|dll)$/;
// our sources, tests, benches and tooling, and the same kinds of files inside dependencies
const FORBIDDEN = [
  [/\.map$/, 'a source map'],
  [/\.(ts|tsx|mts|cts)$/, 'TypeScript source'],
  [/\.(test|spec)\.[cm]?[jt]sx?$/, 'a test file'],
  [/\/(test|tests|__tests__|bench|benchmark|benchmarks)\//, 'a test or bench folder'],
  [/^\/(src-main|src-preload|src-renderer|e2e|bench|scripts|docs|monitoring|build|migrations|dist|coverage)\//, 'a repository folder that is not part of the app'],
  [/^\/node_modules\/better-sqlite3\/(deps|src)\//, "better-sqlite3's C sources"],
  [/\.(c|cc|cpp|h|hpp|gyp|gypi)$/, 'C/C++ sources or build files'],
];

/** Every file in an asar, from its header: [path starting with '/', unpacked?]. */
export function asarFiles(archive) {
  const out = [];
  const walk = (node, prefix) => {
    for (const [name, entry] of Object.entries(node.files ?? {})) {
      const p = `${prefix}/${name}`;
      if (entry.files) walk(entry, p);
      else out.push([p, Boolean(entry.unpacked)]);
    }
  };
  walk(asar.getRawHeader(archive).header, '');
  return out;
}

const lockName = (key, meta) => meta.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);

/**
 * name@version of every package that only development needs: marked dev in the lockfile, and no production package
 * has the same name and version (electron-builder may hoist a nested production copy to the top level).
 */
export function devOnlyPackages(lock) {
  const entries = Object.entries(lock.packages ?? {}).filter(([key]) => key.startsWith('node_modules/'));
  const prod = new Set(entries.filter(([, m]) => m.dev !== true).map(([k, m]) => `${lockName(k, m)}@${m.version}`));
  return new Set(entries.filter(([, m]) => m.dev === true).map(([k, m]) => `${lockName(k, m)}@${m.version}`).filter((id) => !prod.has(id)));
}

/** name@version of every package folder in the asar (a package.json right under a node_modules/<name>). */
export function packagedPackages(archive, files) {
  const out = new Map();
  for (const [p] of files) {
    if (!/\/node_modules\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(p)) continue;
    try {
      const meta = JSON.parse(asar.extractFile(archive, p.slice(1)).toString('utf8'));
      out.set(`${meta.name}@${meta.version}`, p.slice(1, -'/package.json'.length));
    } catch {
      // an unreadable package.json is not ours to judge here
    }
  }
  return out;
}

/**
 * The contents of an assembled app: required entries present; no dev-only package, test, bench, source map or source
 * file; every native binary marked unpacked in the asar header and present in app.asar.unpacked.
 */
export function inspectResources(resourcesDir, lock) {
  const problems = [];
  const archive = path.join(resourcesDir, 'app.asar');
  if (!fs.existsSync(archive)) return [`no app.asar in ${resourcesDir}`];
  const files = asarFiles(archive);
  const names = new Set(files.map(([p]) => p));
  for (const e of REQUIRED_ENTRIES) if (!names.has(`/${e}`)) problems.push(`missing from the package: ${e}`);

  const unpackedDir = `${archive}.unpacked`;
  for (const [p, unpacked] of files) {
    for (const [re, what] of FORBIDDEN) if (re.test(p)) problems.push(`${what} in the package: ${p}`);
    if (NATIVE_RE.test(p)) {
      if (!unpacked) problems.push(`native binary inside the asar (cannot be loaded from there; add it to asarUnpack): ${p}`);
      else if (!fs.existsSync(path.join(unpackedDir, p))) problems.push(`native binary marked unpacked but missing from app.asar.unpacked: ${p}`);
    }
  }
  const devOnly = devOnlyPackages(lock);
  for (const [id, where] of packagedPackages(archive, files)) {
    if (devOnly.has(id)) problems.push(`development-only dependency in the package: ${id} at ${where}`);
  }
  if (!files.some(([p]) => NATIVE_RE.test(p))) problems.push('no native binary in the package at all (better-sqlite3 and DuckDB need theirs)');
  return problems;
}

/** The electron-builder configuration's packaging and hardening settings. */
export function inspectConfig(config, hook) {
  const problems = [];
  if (config.asar === false) problems.push('asar is off');
  for (const p of REQUIRED_ASAR_UNPACK) if (!(config.asarUnpack ?? []).includes(p)) problems.push(`asarUnpack lacks ${p}`);
  if (config.npmRebuild !== true) problems.push('npmRebuild must be true: better-sqlite3 is rebuilt for the packaged Electron at packaging time');
  if (config.buildDependenciesFromSource !== false) problems.push('buildDependenciesFromSource must be false: prebuilt binaries first');
  if (config.afterPack !== 'scripts/after-pack.cjs') problems.push('afterPack must be scripts/after-pack.cjs (fuses and native binary checks)');
  for (const [name, value] of Object.entries(REQUIRED_FUSES)) {
    if (hook?.FUSES?.[name] !== value) problems.push(`fuse ${name} must be ${value ? 'on' : 'off'} (after-pack FUSES says ${hook?.FUSES?.[name]})`);
  }
  const files = config.files ?? [];
  if (!files.includes('!**/*.map')) problems.push('files must exclude source maps (!**/*.map)');
  const targetNames = (t) => (t ?? []).map((x) => (typeof x === 'string' ? x : x.target));
  const linux = targetNames(config.linux?.target);
  if (!linux.includes('AppImage') || !linux.includes('deb')) problems.push('linux targets must include AppImage and deb');
  const dmg = (config.mac?.target ?? []).find((x) => (typeof x === 'string' ? x : x.target) === 'dmg');
  if (!dmg || !['arm64', 'x64'].every((a) => (dmg.arch ?? []).includes(a))) problems.push('mac target must be dmg for arm64 and x64');
  if (!targetNames(config.win?.target).includes('nsis')) problems.push('win target must include nsis');
  return problems;
}

/** Extracts an asar (unpacked files included) to a fresh temp folder; the caller removes it. */
export function extractApp(resourcesDir) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-pkgcheck-app-'));
  asar.extractAll(path.join(resourcesDir, 'app.asar'), dir);
  return dir;
}

// Run inside the extracted app by plain Node: loads the native modules through their own code paths (bindings for
// better-sqlite3, the platform package lookup for DuckDB) and prints the .node files that were actually loaded.
const NATIVE_PROBE = `
const Module = require('node:module');
const loaded = [];
const orig = Module._extensions['.node'];
Module._extensions['.node'] = function (m, filename) { loaded.push(filename); return orig.call(this, m, filename); };
const Database = require('better-sqlite3');
const db = new Database(':memory:');
const sqlite = db.prepare('select sqlite_version() as v').get().v;
db.close();
const duckdb = require('@duckdb/node-api').version();
process.stdout.write(JSON.stringify({ loaded, sqlite, duckdb }));
`;

// The Electron entry under plain Node, with 'electron' replaced by an object whose first use throws a marker: every
// other module the bundle requires must resolve from the package alone (no devDependency, nothing outside the app).
const MAIN_PROBE = `
const Module = require('node:module');
const origLoad = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'electron') return new Proxy({}, { get(_t, prop) { if (typeof prop === 'symbol' || prop === '__esModule' || prop === 'then') return undefined; const e = new Error('NEEDS_ELECTRON:' + String(prop)); e.code = 'NEEDS_ELECTRON'; throw e; } });
  return origLoad.call(this, request, parent, isMain);
};
try { require('./out/main/electron.js'); process.stdout.write('NO_ELECTRON_NEEDED'); }
catch (e) { process.stdout.write(e && e.code === 'NEEDS_ELECTRON' ? e.message : 'FAILED ' + (e && e.stack || e)); }
`;

function node(cwd, args) {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '', NODE_PATH: '' } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/**
 * In the extracted app: the native binaries the code paths load are the unpacked ones; the main bundle starts up to
 * where it needs Electron; the CLI bundle answers --version with the package's version.
 */
export function probeRuntime(resourcesDir, appDir, version) {
  const problems = [];
  const info = {};
  const archive = path.join(resourcesDir, 'app.asar');
  const unpacked = new Map(asarFiles(archive));

  const n = node(appDir, ['-e', NATIVE_PROBE]);
  if (n.status !== 0) problems.push(`native modules do not load from the package: ${n.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  else {
    const r = JSON.parse(n.stdout);
    info.sqlite = r.sqlite;
    info.duckdb = r.duckdb;
    info.loaded = r.loaded.map((f) => `/${path.relative(appDir, f).split(path.sep).join('/')}`);
    if (info.loaded.length < 2) problems.push(`expected better-sqlite3 and DuckDB binaries to load, got ${info.loaded.join(', ') || 'none'}`);
    for (const f of info.loaded) {
      if (f.startsWith('/..')) problems.push(`a native binary loaded from outside the package: ${f}`);
      else if (unpacked.get(f) !== true) problems.push(`the code loads ${f}, which is not unpacked from the asar`);
    }
  }

  const m = node(appDir, ['-e', MAIN_PROBE]);
  info.main = m.stdout.trim();
  if (!/^NEEDS_ELECTRON:/.test(info.main)) problems.push(`the main bundle does not start under Node up to Electron: ${info.main || m.stderr.trim().split('\n').slice(-3).join(' | ')}`);

  const c = node(appDir, ['-e', "require('./out/main/cli.js').run(['node', 'marketpipe', '--version']).then((code) => (process.exitCode = code))"]);
  info.cliVersion = c.stdout.trim();
  if (c.status !== 0 || info.cliVersion !== version) problems.push(`the packaged CLI bundle's --version printed ${JSON.stringify(info.cliVersion)} (exit ${c.status}), expected ${version}`);
  return { problems, info };
}
