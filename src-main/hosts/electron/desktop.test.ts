import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppMenuCommand } from '../../contract/app';
import { makeTmpDir, type TmpDir } from '../../testing/tmp';
import { guardNavigation, isSafeExternalUrl, type NavigationEventLike } from './externalLinks';
import { buildMenuTemplate, DOCS_URL, type MenuItem } from './menu';
import { clampToDisplays, DEFAULT_WINDOW, readWindowState, writeWindowState } from './windowState';

describe('isSafeExternalUrl', () => {
  it('lets http(s) links with a host through and nothing else', () => {
    for (const ok of ['https://example.com', 'http://example.com/a?b=c#d', 'https://sub.example.org:8443/x']) expect(isSafeExternalUrl(ok), ok).toBe(true);
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,<b>x</b>', 'smb://host/share', 'ms-settings:', 'https://user:pw@example.com', 'not a url', '', 'vbscript:x', 'chrome://settings'])
      expect(isSafeExternalUrl(bad), bad).toBe(false);
  });
});

describe('guardNavigation', () => {
  function fakeContents(url: string) {
    let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
    let navigate: ((e: NavigationEventLike, url: string) => void) | undefined;
    return {
      contents: {
        getURL: () => url,
        on: (_event: 'will-navigate', l: (e: NavigationEventLike, url: string) => void) => (navigate = l),
        setWindowOpenHandler: (h: (d: { url: string }) => { action: 'deny' }) => (openHandler = h),
      },
      open: (u: string) => openHandler!({ url: u }),
      navigate: (u: string) => {
        let prevented = false;
        navigate!({ preventDefault: () => (prevented = true) }, u);
        return prevented;
      },
    };
  }

  it('denies every new window, opening only safe links in the browser; our window never navigates away', () => {
    const opened: string[] = [];
    const f = fakeContents('file:///app/index.html');
    guardNavigation(f.contents, (u) => opened.push(u));
    expect(f.open('https://example.com/docs')).toEqual({ action: 'deny' });
    expect(f.open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(f.navigate('file:///app/index.html')).toBe(false); // a reload
    expect(f.navigate('https://evil.example/')).toBe(true);
    expect(f.navigate('file:///home/me/secret.html')).toBe(true);
    expect(opened).toEqual(['https://example.com/docs', 'https://evil.example/']);
  });
});

describe('window state', () => {
  let tmp: TmpDir;
  beforeEach(() => (tmp = makeTmpDir('mp-win-')));
  afterEach(() => tmp.cleanup());

  it('round-trips through a JSON file, and falls back to the default for a missing or invalid one', () => {
    const file = path.join(tmp.dir, 'sub', 'window-state.json');
    expect(readWindowState(file)).toEqual(DEFAULT_WINDOW);
    writeWindowState(file, { x: 10, y: 20, width: 1000, height: 700, maximized: true });
    expect(readWindowState(file)).toEqual({ x: 10, y: 20, width: 1000, height: 700, maximized: true });
    fs.writeFileSync(file, '{"width": "huge"}');
    expect(readWindowState(file)).toEqual(DEFAULT_WINDOW);
    fs.writeFileSync(file, 'not json');
    expect(readWindowState(file)).toEqual(DEFAULT_WINDOW);
    expect(() => writeWindowState(file, { width: 10, height: 10, maximized: false })).toThrow();
  });

  it('keeps a window on a display that exists now, no larger than it', () => {
    const displays = [
      { x: 0, y: 0, width: 1920, height: 1040 },
      { x: 1920, y: 0, width: 1280, height: 1000 },
    ];
    // on the second display: kept there
    expect(clampToDisplays({ x: 2000, y: 50, width: 1000, height: 700, maximized: false }, displays)).toEqual({ x: 2000, y: 50, width: 1000, height: 700, maximized: false });
    // hanging off the right edge of the second display: pulled back in, and shrunk to fit
    expect(clampToDisplays({ x: 3000, y: 900, width: 1500, height: 700, maximized: false }, displays)).toEqual({ x: 1920, y: 300, width: 1280, height: 700, maximized: false });
    // on a display that was unplugged: no position, the OS centres it on the primary one
    expect(clampToDisplays({ x: 5000, y: 5000, width: 3000, height: 700, maximized: false }, displays)).toEqual({ width: 1920, height: 700, maximized: false });
    expect(clampToDisplays(DEFAULT_WINDOW, displays)).toEqual(DEFAULT_WINDOW);
  });
});

describe('application menu', () => {
  const find = (items: MenuItem[], label: string): MenuItem => {
    const m = items.find((i) => i.label === label);
    if (!m) throw new Error(`no ${label}`);
    return m;
  };

  it('has File, View (pages with accelerators, DevTools in dev only) and Help, wired to renderer commands', () => {
    const sent: AppMenuCommand[] = [];
    const opened: string[] = [];
    const shown: string[] = [];
    const menu = buildMenuTemplate({ isDev: false, send: (c) => sent.push(c), openExternal: (u) => opened.push(u), showLogs: () => shown.push('logs'), showAbout: () => shown.push('about') });
    expect(menu.map((m) => m.label)).toEqual(['File', 'Edit', 'View', 'Help']);
    const file = find(menu, 'File').submenu!;
    expect(file.filter((i) => i.label).map((i) => i.label)).toEqual(['Export…', 'Quit']);
    expect(find(file, 'Quit').role).toBe('quit');
    const view = find(menu, 'View').submenu!;
    expect(view.filter((i) => i.accelerator).map((i) => `${i.label} ${i.accelerator}`)).toEqual([
      'Universe CmdOrCtrl+1',
      'Ingest CmdOrCtrl+2',
      'Query CmdOrCtrl+3',
      'Chart CmdOrCtrl+4',
      'Validation CmdOrCtrl+5',
      'Metrics CmdOrCtrl+6',
      'Settings CmdOrCtrl+7',
    ]);
    expect(view.some((i) => i.role === 'toggleDevTools')).toBe(false);
    expect(find(view, 'Reload').role).toBe('reload');
    find(view, 'Query').click!();
    find(file, 'Export…').click!();
    const help = find(menu, 'Help').submenu!;
    find(help, 'Keyboard shortcuts').click!();
    find(help, 'Documentation').click!();
    expect(sent).toEqual([{ action: 'go', page: 'query' }, { action: 'export' }, { action: 'shortcuts' }]);
    expect(opened).toEqual([DOCS_URL]);
    expect(isSafeExternalUrl(DOCS_URL)).toBe(true);
    expect(help.filter((i) => i.label).map((i) => i.label)).toEqual(['Keyboard shortcuts', 'Documentation', 'Show logs', 'About']);
    find(help, 'Show logs').click!();
    find(help, 'About').click!();
    expect(shown).toEqual(['logs', 'about']);

    const dev = buildMenuTemplate({ isDev: true, send: () => undefined, openExternal: () => undefined, showLogs: () => undefined, showAbout: () => undefined });
    expect(find(dev, 'View').submenu!.some((i) => i.role === 'toggleDevTools')).toBe(true);
  });
});
