#!/usr/bin/env node
// `npm run package:check`: packaging checks that need no Electron download (CI, offline machines).
// 1. electron-builder.yml validates against electron-builder's own schema, and its packaging and hardening settings
//    (asarUnpack, rebuild, fuses hook, targets, exclusions) are there.
// 2. electron-builder assembles the app for this platform (`--dir`, the real file selection, asar and unpacking, the
//    afterPack hook) around a stub Electron: a small file carrying Electron's fuse wire, so the hook's fuses are
//    flipped and read back. Native modules are not rebuilt (Electron's headers cannot be fetched offline): the
//    Node-ABI better-sqlite3 build stands in for the Electron one.
// 3. The assembled package contains what the app needs and none of the devDependencies, tests, benches, sources or
//    maps; every native binary sits outside the asar, and the code paths that load them find the unpacked ones; the
//    main bundle starts under plain Node up to where it needs Electron; the CLI bundle prints the package's version.
// Needs `npm run build` first (npm test builds before it). docs/packaging.md lists what only a connected machine checks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { extractApp, inspectConfig, inspectResources, probeRuntime, REQUIRED_ENTRIES, REQUIRED_FUSES } from './package-check-lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const builderRequire = createRequire(require.resolve('electron-builder'));
const yaml = builderRequire('js-yaml');
const { validateConfiguration } = builderRequire('app-builder-lib/out/util/config/config');
const { DebugLogger } = builderRequire('builder-util');
const { build, Platform } = require('electron-builder');
const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses');
const hook = require('./after-pack.cjs');

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const results = [];
const step = (name, problems, detail = '') => results.push({ name, problems, detail });

const started = Date.now();
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
const config = yaml.load(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));

try {
  await validateConfiguration(structuredClone(config), new DebugLogger(false));
  step('configuration validates against electron-builder schema', []);
} catch (e) {
  step('configuration validates against electron-builder schema', [e.message]);
}
step('packaging and hardening settings in the configuration', inspectConfig(config, hook));

for (const f of REQUIRED_ENTRIES.filter((e) => e.startsWith('out/'))) {
  if (!fs.existsSync(path.join(root, f))) {
    console.error(`package:check: ${f} is missing; run \`npm run build\` first`);
    process.exit(1);
  }
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-pkgcheck-'));
let appDir;
try {
  // a stub Electron distribution: electron-builder copies it and renames the binary; the fuse wire is Electron 45's
  // defaults (RunAsNode on, cookie encryption off, NODE_OPTIONS on, --inspect on, integrity off, asar-only off, ...)
  const dist = path.join(work, 'electron-dist');
  fs.mkdirSync(path.join(dist, 'resources'), { recursive: true });
  const binName = process.platform === 'win32' ? 'electron.exe' : 'electron';
  fs.writeFileSync(path.join(dist, binName), Buffer.concat([Buffer.from('stub electron for package:check\n'), Buffer.from(SENTINEL), Buffer.from([1, 8]), Buffer.from('10110001')]), { mode: 0o755 });
  fs.writeFileSync(path.join(dist, 'LICENSE'), 'stub');
  fs.writeFileSync(path.join(dist, 'version'), require('electron/package.json').version);

  const platform = Platform.current();
  if (platform !== Platform.LINUX) console.error('package:check: assembling is exercised on Linux (CI); on this platform the stub layout may differ');
  const output = path.join(work, 'dist');
  const originalLog = console.log;
  const logLines = [];
  await build({
    targets: platform.createTarget('dir'),
    projectDir: root,
    publish: 'never',
    config: { electronDist: dist, npmRebuild: false, directories: { output, buildResources: 'build' } },
  }).finally(() => (console.log = originalLog));
  void logLines;

  const unpackedDir = fs.readdirSync(output).map((d) => path.join(output, d)).find((d) => fs.statSync(d).isDirectory() && d.endsWith('-unpacked'));
  if (!unpackedDir) throw new Error(`electron-builder left no *-unpacked folder in ${output}`);
  const resources = path.join(unpackedDir, 'resources');
  step('package contents (required entries; no devDependencies, tests, benches, sources, maps; natives unpacked)', inspectResources(resources, lock));

  const exe = fs.readdirSync(unpackedDir).find((f) => f === 'marketpipe' || f === 'MarketPipe.exe');
  const fuseProblems = [];
  if (!exe) fuseProblems.push('no marketpipe executable in the assembled app');
  else {
    const wire = await getCurrentFuseWire(path.join(unpackedDir, exe));
    for (const [name, want] of Object.entries(REQUIRED_FUSES)) {
      const got = wire[FuseV1Options[name]];
      if (got !== (want ? 49 : 48)) fuseProblems.push(`fuse ${name} is ${got === 49 ? 'on' : got === 48 ? 'off' : got} after packaging, expected ${want ? 'on' : 'off'}`);
    }
  }
  step('fuses flipped by the afterPack hook (read back from the packaged binary)', fuseProblems);

  appDir = extractApp(resources);
  const { problems, info } = probeRuntime(resources, appDir, pkg.version);
  step('runtime from the package under plain Node (native loads, main bundle, CLI --version)', problems, info.loaded ? `loaded ${info.loaded.join(', ')}; SQLite ${info.sqlite}, DuckDB ${info.duckdb}; main stops at ${info.main}` : '');
} catch (e) {
  step('assemble the app with electron-builder (--dir, stub Electron)', [e instanceof Error ? e.message : String(e)]);
} finally {
  if (appDir) fs.rmSync(appDir, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
}

console.log('\npackage:check');
for (const r of results) {
  console.log(`  ${r.problems.length === 0 ? 'ok  ' : 'FAIL'} ${r.name}${r.detail ? `\n         ${r.detail}` : ''}`);
  for (const p of r.problems) console.log(`         - ${p}`);
}
const failed = results.filter((r) => r.problems.length > 0).length;
console.log(failed === 0 ? `package:check passed (${((Date.now() - started) / 1000).toFixed(1)} s)` : `package:check FAILED: ${failed} check(s)`);
process.exit(failed === 0 ? 0 : 1);
