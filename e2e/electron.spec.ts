import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron, expect, test } from '@playwright/test';

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'out', 'main', 'electron.js');
const NAV = ['Universe', 'Ingest', 'Query', 'Chart', 'Validation', 'Metrics', 'Settings'];

/**
 * The Electron binary's path, or why there is none. Asked before `require('electron')`: when the binary is missing,
 * that require tries to download it (impossible here) and then throws.
 */
function electronBinary(): { path: string } | { missing: string } {
  const pkg = path.join(ROOT, 'node_modules', 'electron');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = path.join(pkg, 'path.txt');
  if (!override && !fs.existsSync(pathFile)) {
    return { missing: 'the Electron binary is not installed (node_modules/electron/path.txt is missing; it cannot be downloaded on this machine)' };
  }
  const relative = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : 'electron';
  const expected = override ? path.join(override, relative) : path.join(pkg, 'dist', relative);
  if (!fs.existsSync(expected)) return { missing: `the Electron binary is not installed (${expected} does not exist)` };
  const binary = createRequire(__filename)('electron') as unknown;
  return typeof binary === 'string' ? { path: binary } : { missing: 'require("electron") did not give a path' };
}

const electron = electronBinary();

test.describe('Electron host', () => {
  test.skip('missing' in electron, 'missing' in electron ? electron.missing : '');
  test.skip(!fs.existsSync(MAIN), 'the app is not built: run `npx electron-vite build` first (out/main/electron.js)');

  test('opens a window titled MarketPipe with the six navigation entries', async () => {
    if (!('path' in electron)) return;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-e2e-electron-'));
    const app = await _electron.launch({
      executablePath: electron.path,
      args: [MAIN, '--data-dir', dataDir, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      cwd: ROOT,
    });
    try {
      const win = await app.firstWindow();
      await expect(win).toHaveTitle('MarketPipe');
      const nav = win.getByRole('navigation', { name: 'Main' });
      for (const name of NAV) await expect(nav.getByRole('link', { name, exact: true })).toBeVisible();
      // The preload bridge is the transport: the header shows the engine's data dir.
      await expect(win.getByRole('banner')).toContainText(dataDir);
    } finally {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
