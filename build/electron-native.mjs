#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into build/native/, beside (not over) the plain-Node build in node_modules
// that the CLI and the tests use. The Electron host passes this file to better-sqlite3's `nativeBinding` option
// (src-main/hosts/electron/native.ts). Run by `npm start`; packaging copies build/native into the app's resources.
// Tries the published prebuilt binary first (prebuild-install), then compiles against Electron's headers (node-gyp).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const electronDir = path.dirname(require.resolve('electron/package.json'));
const electronVersion = JSON.parse(fs.readFileSync(path.join(electronDir, 'package.json'), 'utf8')).version;
const abi = fs.readFileSync(path.join(electronDir, 'abi_version'), 'utf8').trim();
const outDir = path.join(root, 'build', 'native');
const out = path.join(outDir, `better_sqlite3-electron-${abi}.node`);

if (fs.existsSync(out)) process.exit(0);

const src = path.dirname(require.resolve('better-sqlite3/package.json'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-electron-sqlite-'));
fs.cpSync(src, work, { recursive: true, filter: (p) => !p.includes(`${path.sep}build${path.sep}`) && !p.endsWith(`${path.sep}build`) });
const run = (args) => spawnSync(process.execPath, args, { cwd: work, stdio: 'inherit' }).status === 0;
const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');

console.error(`marketpipe: building better-sqlite3 for Electron ${electronVersion} (ABI ${abi})`);
const prebuilt = run([require.resolve('prebuild-install/bin.js'), '--runtime', 'electron', '--target', electronVersion, '--arch', process.arch, '--platform', process.platform]);
if (!prebuilt || !fs.existsSync(built)) {
  const nodeGyp = process.env.npm_config_node_gyp || path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (!run([nodeGyp, 'rebuild', '--release', `--target=${electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'])) {
    console.error('marketpipe: could not get better-sqlite3 for Electron (no prebuilt binary and no compiler/headers)');
    process.exit(1);
  }
}
fs.mkdirSync(outDir, { recursive: true });
fs.copyFileSync(built, out);
fs.rmSync(work, { recursive: true, force: true });
console.error(`marketpipe: wrote ${path.relative(root, out)}`);
