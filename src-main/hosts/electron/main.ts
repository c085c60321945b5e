import path from 'node:path';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, safeStorage, screen, session, shell } from 'electron';
import pkg from '../../../package.json';
import { Engine } from '../../engine';
import { parseMetricsEnv, readiness, startMetricsServer } from '../../metrics';
import { createLogger } from '../../shared/log';
import { Redactor } from '../../shared/redact';
import { resolveDataDir } from '../../settings/paths';
import { forwardEvents, registerIpc } from './ipc';
import { electronSqliteBinding } from './native';
import { exportChooser, reportSaver, type SaveDialogDeps } from './saveDialog';
import { SafeStorageSecrets } from './secrets';
import { guardNavigation } from './externalLinks';
import { buildMenuTemplate } from './menu';
import { clampToDisplays, readWindowState, WINDOW_STATE_FILE, writeWindowState } from './windowState';

// The desktop host: the engine in the main process, one sandboxed window, the contract over IPC.

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function dataDirFromArgv(argv: string[]): string | undefined {
  const i = argv.indexOf('--data-dir');
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith('--data-dir='))?.slice('--data-dir='.length);
}

async function main() {
  await app.whenReady();
  const log = createLogger({ level: 'info', redactor: Redactor.fromEnv(process.env) });
  const dataDir = resolveDataDir(dataDirFromArgv(process.argv));
  const parent: { win?: BrowserWindow } = {};
  const saveDialog: SaveDialogDeps<BrowserWindow> = {
    show: (w, o) => (w ? dialog.showSaveDialog(w, o) : dialog.showSaveDialog(o)),
    window: () => BrowserWindow.getFocusedWindow() ?? parent.win ?? null,
    defaultDir: () => app.getPath('downloads'),
  };
  const engine = new Engine({
    dataDir,
    secrets: new SafeStorageSecrets(safeStorage, dataDir),
    host: 'electron',
    version: pkg.version,
    log,
    sqliteNativeBinding: electronSqliteBinding(),
    // every export (validation reports, workbench results): one save dialog, modal to our window
    saveFile: reportSaver(saveDialog),
    chooseExportPath: exportChooser(saveDialog),
  });

  const devUrl = process.env.ELECTRON_RENDERER_URL;
  const indexFile = path.join(__dirname, '../renderer/index.html');
  const rendererUrl = devUrl ?? pathToFileURL(indexFile).href;

  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));

  registerIpc(ipcMain, engine.dispatcher, rendererUrl);
  engine.startScheduler();
  engine.startLiveMetrics();
  // the local Prometheus endpoint; a busy port is logged, not fatal: the app is still usable without it
  try {
    const metricsServer = await startMetricsServer({ metrics: engine.metrics, ...parseMetricsEnv(process.env), ready: () => readiness(engine) });
    app.on('will-quit', () => void metricsServer.close());
  } catch (e) {
    log.warn('metrics endpoint not started', { error: e instanceof Error ? e.message : String(e) });
  }

  const stateFile = path.join(app.getPath('userData'), WINDOW_STATE_FILE);
  const saved = clampToDisplays(readWindowState(stateFile), screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow({
    ...(saved.x !== undefined && saved.y !== undefined ? { x: saved.x, y: saved.y } : {}),
    width: saved.width,
    height: saved.height,
    title: 'MarketPipe',
    show: false,
    webPreferences: {
      preload: path.join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  parent.win = win;
  const stopEvents = forwardEvents((l) => engine.bus.subscribe(l), win.webContents);
  win.once('ready-to-show', () => {
    if (saved.maximized) win.maximize();
    win.show();
  });
  // Navigation away from our page and new windows are denied; checked http(s) links open in the user's browser.
  guardNavigation(win.webContents, (url) => void shell.openExternal(url));
  // Menu commands reach the renderer as an engine event, the same path every other push takes.
  const template = buildMenuTemplate({ isDev: devUrl !== undefined, send: (c) => engine.bus.emit('app.menu', c), openExternal: (url) => void shell.openExternal(url) });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  // the normal (unmaximized) bounds, so a maximized window restores to where it was
  win.on('close', () => {
    try {
      writeWindowState(stateFile, { ...win.getNormalBounds(), maximized: win.isMaximized() });
    } catch (e) {
      log.warn('window state not saved', { error: e instanceof Error ? e.message : String(e) });
    }
  });
  win.on('closed', stopEvents);

  if (devUrl) await win.loadURL(devUrl);
  else if (fs.existsSync(indexFile)) await win.loadFile(indexFile);

  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (e) => {
    if (!quitting) {
      e.preventDefault();
      quitting = true;
      void engine.close().finally(() => app.quit());
    }
  });
}

let quitting = false;
void main();
