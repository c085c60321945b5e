#!/usr/bin/env node
// `npm start`: build, then open the desktop app; where Electron cannot start (no display, its binary not installed
// and not downloadable, better-sqlite3 not buildable for it), say why in one line and run web mode instead, the same
// UI in the browser (`marketpipe serve`). The decisions are in start-plan.mjs.
//   npm start -- --web      web mode on purpose (also MP_START_WEB=1)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { browserCommand, fallbackReason, planStart, servedUrl } from './start-plan.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = path.join(root, 'node_modules', 'electron');
const args = process.argv.slice(2).filter((a) => a !== '--web');
const run = (cmd, argv, opts = {}) => spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', ...opts });

if (run(process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']).status !== 0) process.exit(1);

/** The binary electron's own index.js would return, without its download-on-require side effect. */
function electronBinary() {
  const pathFile = path.join(electronDir, 'path.txt');
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8') : 'electron');
  if (!fs.existsSync(pathFile)) return null;
  const bin = path.join(electronDir, 'dist', fs.readFileSync(pathFile, 'utf8'));
  return fs.existsSync(bin) ? bin : null;
}

function web(reason) {
  console.error(`marketpipe: ${reason}; starting web mode instead (the same UI in your browser)`);
  const child = spawn(process.execPath, [path.join(root, 'bin', 'marketpipe.cjs'), 'serve', ...args], { cwd: root, stdio: ['inherit', 'pipe', 'inherit'] });
  let opened = false;
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    console.log(line);
    const url = servedUrl(line);
    const opener = url && !opened ? browserCommand(process.platform, process.env, url) : null;
    if (opener) {
      opened = true;
      spawn(opener[0], opener[1], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref();
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 1));
}

let plan = planStart({ platform: process.platform, env: process.env, argv: process.argv.slice(2), nodeVersion: process.version, electronBinaryPresent: electronBinary() !== null });
if (plan.mode === 'download') {
  const r = run(process.execPath, [path.join(electronDir, 'install.js')], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  plan = r.status === 0 && electronBinary() ? { mode: 'electron' } : { mode: 'web', reason: fallbackReason('download', r.stderr || r.stdout) };
}
if (plan.mode === 'electron') {
  const native = run(process.execPath, [path.join(root, 'build', 'electron-native.mjs')], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (native.status !== 0) plan = { mode: 'web', reason: fallbackReason('native', native.stderr) };
}
if (plan.mode === 'electron') {
  const started = Date.now();
  const r = run(electronBinary(), ['.', ...args], { stdio: ['inherit', 'inherit', 'pipe'], encoding: 'utf8' });
  if (r.stderr) process.stderr.write(r.stderr);
  // a failure in the first seconds is a start failure (missing system libraries, sandbox): web mode still works
  if (r.status !== 0 && Date.now() - started < 5000) web(fallbackReason('launch', r.stderr || r.error?.message));
  else process.exit(r.status ?? 1);
} else web(plan.reason);
