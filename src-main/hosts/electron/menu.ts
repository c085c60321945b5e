import type { AppMenuCommand } from '../../contract/app';
import { PAGES } from '../../contract/pages';

// The native application menu as plain data, built from injected actions so it is tested without Electron; main.ts
// hands it to Menu.buildFromTemplate. Page items send the same commands the renderer's own shortcuts run.

export interface MenuItem {
  label?: string;
  role?: 'quit' | 'reload' | 'toggleDevTools' | 'about' | 'copy' | 'paste' | 'cut' | 'selectAll' | 'undo' | 'redo';
  accelerator?: string;
  type?: 'separator';
  click?: () => void;
  submenu?: MenuItem[];
}

export interface MenuDeps {
  isDev: boolean;
  /** a command for the renderer (page switch, shortcut list, export) */
  send(command: AppMenuCommand): void;
  openExternal(url: string): void;
  /** Help › Show logs: the log file in the system's file manager */
  showLogs(): void;
  /** Help › About: app, Electron, DuckDB and SQLite versions */
  showAbout(): void;
}

/** Same order and labels as the renderer's navigation (one list, in the contract). */
export const MENU_PAGES = PAGES;

export const DOCS_URL = 'https://github.com/marketpipe/marketpipe#readme';

export function buildMenuTemplate(d: MenuDeps): MenuItem[] {
  const view: MenuItem[] = [
    ...MENU_PAGES.map((p, i) => ({ label: p.label, accelerator: `CmdOrCtrl+${i + 1}`, click: () => d.send({ action: 'go', page: p.id }) })),
    { type: 'separator' },
    { label: 'Reload', role: 'reload' },
    ...(d.isDev ? [{ label: 'Toggle DevTools', role: 'toggleDevTools' } satisfies MenuItem] : []),
  ];
  return [
    {
      label: 'File',
      submenu: [{ label: 'Export…', accelerator: 'CmdOrCtrl+E', click: () => d.send({ action: 'export' }) }, { type: 'separator' }, { label: 'Quit', role: 'quit' }],
    },
    {
      label: 'Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    },
    { label: 'View', submenu: view },
    {
      label: 'Help',
      submenu: [
        { label: 'Keyboard shortcuts', accelerator: 'CmdOrCtrl+/', click: () => d.send({ action: 'shortcuts' }) },
        { label: 'Documentation', click: () => d.openExternal(DOCS_URL) },
        { type: 'separator' },
        { label: 'Show logs', click: () => d.showLogs() },
        { label: 'About', click: () => d.showAbout() },
      ],
    },
  ];
}
