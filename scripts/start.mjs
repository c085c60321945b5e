#!/usr/bin/env node
// `npm start`: build, make better-sqlite3 for Electron's ABI if needed, then open the desktop app.
// Where Electron's binary cannot be downloaded (offline machines), say so and point at web mode.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

if (run(process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']) !== 0) process.exit(1);

let electronBin;
try {
  electronBin = require('electron'); // the path of the binary; electron 45 downloads it on first use
} catch (e) {
  console.error(`marketpipe: cannot load electron: ${e.message}`);
}
if (electronBin && run(process.execPath, [path.join(root, 'build', 'electron-native.mjs')]) !== 0) {
  console.error('marketpipe: could not build better-sqlite3 for Electron; see the README (Desktop app).');
  process.exit(1);
}
const status = electronBin ? run(electronBin, ['.', ...process.argv.slice(2)]) : 1;
if (status !== 0) {
  console.error('\nmarketpipe: the desktop app could not start (is the Electron binary downloadable here?).');
  console.error('Use web mode instead, the same UI in your browser:  npx marketpipe serve');
  process.exit(status);
}
