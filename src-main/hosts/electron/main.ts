import path from 'node:path';
import fs from 'node:fs';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, screen, session, shell, utilityProcess } from 'electron';
import { utilityLauncher } from './queryProcess';
import { version as duckdbVersion } from '@duckdb/node-api';
import Database from 'better-sqlite3';
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
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler } from './protocol';
import { logFilePath, RotatingLogFile } from './logFile';
import { aboutDetail, safeVersion, type AppVersions } from './about';
import { clampToDisplays, readWindowState, WINDOW_STATE_FILE, writeWindowState } from './windowState';

// The desktop host: the engine in the main process, one sandboxed window, the contract over IPC.

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function dataDirFromArgv(argv: string[]): string | undefined {
  const i = argv.indexOf('--data-dir');
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith('--data-dir='))?.slice('--data-dir='.length);
}

// Must happen before the app is ready: app:// gets a real origin, like https (see protocol.ts).
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

function versions(sqliteBinding: string | undefined): AppVersions {
  return {
    app: pkg.version,
    electron: process.versions.electron ?? 'unknown',
    chrome: process.versions.chrome ?? 'unknown',
    node: process.versions.node,
    duckdb: safeVersion(() => duckdbVersion()),
    sqlite: safeVersion(() => {
      const db = new Database(':memory:', sqliteBinding ? { nativeBinding: sqliteBinding } : {});
      try {
        return String((db.prepare('select sqlite_version() as v').get() as { v: string }).v);
      } finally {
        db.close();
      }
    }),
  };
}

async function main() {
  await app.whenReady();
  const dataDir = resolveDataDir(dataDirFromArgv(process.argv));
  // every record to stderr and to a rotating file in <data dir>/logs, through the same redactor
  const logFile = new RotatingLogFile(logFilePath(dataDir));
  const log = createLogger({
    level: 'info',
    redactor: Redactor.fromEnv(process.env),
    write: (line) => {
      process.stderr.write(line);
      logFile.write(line);
    },
  });
  // crash behaviour: the reason goes to the log the user can attach; a main-process crash says where it is and quits
  process.on('uncaughtException', (e) => {
    log.error('uncaught exception', { error: e.stack ?? e.message });
    dialog.showErrorBox('MarketPipe stopped', `${e.message}\n\nDetails are in ${logFile.file}`);
    app.exit(1);
  });
  process.on('unhandledRejection', (e) => log.error('unhandled rejection', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
  app.on('render-process-gone', (_e, _wc, details) => log.error('renderer process gone', { reason: details.reason, exitCode: details.exitCode }));
  app.on('child-process-gone', (_e, details) => log.error('child process gone', { type: details.type, reason: details.reason, exitCode: details.exitCode }));
  log.info('marketpipe desktop starting', { version: pkg.version, electron: process.versions.electron, dataDir, packaged: app.isPackaged });
  const parent: { win?: BrowserWindow } = {};
  const sqliteBinding = electronSqliteBinding();
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
    sqliteNativeBinding: sqliteBinding,
    // every export (validation reports, workbench results): one save dialog, modal to our window
    saveFile: reportSaver(saveDialog),
    chooseExportPath: exportChooser(saveDialog),
    // user SQL runs in a utility process the engine can end (the RunAsNode fuse rules out forking Electron as Node)
    queryLauncher: utilityLauncher(utilityProcess),
  });

  const devUrl = process.env.ELECTRON_RENDERER_URL;
  const rendererRoot = path.join(__dirname, '../renderer');
  const rendererUrl = devUrl ?? APP_INDEX_URL;
  // the packaged renderer is served from out/renderer only, never through file:// (see protocol.ts)
  protocol.handle(APP_SCHEME, appProtocolHandler({ root: rendererRoot, csp: CSP, readFile: (f) => fs.promises.readFile(f) }));

  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  // no web permission is ever granted: neither asked (requests) nor silently checked (checks)
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  registerIpc(ipcMain, engine.dispatcher, rendererUrl);
  // jobs a dead process left behind: validate and aggregate stages finished now, fetches listed (logged)
  engine.recoverJobs();
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
      // middle-click must not open links in new windows (Electronegativity AUXCLICK_JS_CHECK)
      disableBlinkFeatures: 'Auxclick',
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
  const template = buildMenuTemplate({
    isDev: devUrl !== undefined,
    send: (c) => engine.bus.emit('app.menu', c),
    openExternal: (url) => void shell.openExternal(url),
    showLogs: () => shell.showItemInFolder(logFile.file),
    showAbout: () =>
      void dialog.showMessageBox(win, { type: 'info', title: 'About MarketPipe', message: 'MarketPipe', detail: aboutDetail(versions(sqliteBinding), { dataDir, logFile: logFile.file }), buttons: ['OK'] }),
  });
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

  await win.loadURL(rendererUrl);

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
