#!/usr/bin/env node
// `npm run dist`: installers for this platform (electron-builder.yml), on a machine that can download Electron.
// electron-builder rebuilds better-sqlite3 in node_modules for Electron's ABI (npmRebuild); afterwards it is rebuilt
// for this Node again, whatever happened, so the CLI and the tests keep working in this checkout.
//   npm run dist                   this platform's targets (Linux: AppImage + deb; macOS: dmg arm64 + x64; Windows: nsis)
//   npm run dist -- --linux deb    any electron-builder arguments
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (p) => path.join(root, 'node_modules', ...p.split('/'));
const run = (argv) => spawnSync(process.execPath, argv, { cwd: root, stdio: 'inherit' }).status ?? 1;

let status = run([bin('electron-vite/bin/electron-vite.js'), 'build']);
if (status === 0) status = run([bin('electron-builder/cli.js'), '--publish', 'never', ...process.argv.slice(2)]);
const npm = process.env.npm_execpath;
const restore = npm ? spawnSync(process.execPath, [npm, 'rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit' }).status : spawnSync('npm', ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' }).status;
if (restore !== 0) console.error('marketpipe: could not rebuild better-sqlite3 for Node; run `npm rebuild better-sqlite3` before using the CLI or the tests');
process.exit(status);
