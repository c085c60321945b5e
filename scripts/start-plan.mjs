// The decisions of `npm start` (scripts/start.mjs), as pure functions so they are tested without Electron
// (scripts/start-plan.test.mjs): open the desktop app where it can start, otherwise say in one line why and run web
// mode (`marketpipe serve`), opening the browser only where a desktop is present.

/** A graphical session: always on macOS and Windows; on Linux and the BSDs, an X11 or Wayland display. */
export function hasDisplay(platform, env) {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** electron 45's downloader (@electron/get 5) needs Node 22.12 or newer. */
export function nodeCanDownloadElectron(nodeVersion) {
  const [major, minor] = nodeVersion.replace(/^v/, '').split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 12);
}

/**
 * Before anything is downloaded or built: web mode when asked for (--web, MP_START_WEB=1) or when no window could be
 * shown; 'download' when the Electron binary is missing; otherwise 'electron'.
 */
export function planStart({ platform, env, argv, nodeVersion, electronBinaryPresent }) {
  if (argv.includes('--web') || env.MP_START_WEB === '1') return { mode: 'web', reason: 'web mode requested' };
  if (!hasDisplay(platform, env)) return { mode: 'web', reason: 'no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset)' };
  if (electronBinaryPresent) return { mode: 'electron' };
  if (!nodeCanDownloadElectron(nodeVersion)) return { mode: 'web', reason: `the Electron binary is not installed and its downloader needs Node 22.12+ (this is Node ${nodeVersion.replace(/^v/, '')})` };
  return { mode: 'download' };
}

/** After a download attempt or a failed launch: the one line that says why web mode starts instead. */
export function fallbackReason(stage, detail) {
  const last = String(detail ?? '').trim().split('\n').filter(Boolean).pop() ?? '';
  const why = {
    download: 'the Electron binary could not be downloaded',
    native: 'better-sqlite3 could not be built for Electron (no prebuilt binary and no compiler or headers)',
    launch: 'Electron could not start',
  }[stage];
  return last ? `${why} (${last.slice(0, 160)})` : why;
}

/** The browser opener for this platform, or null where no desktop is present. */
export function browserCommand(platform, env, url) {
  if (!hasDisplay(platform, env)) return null;
  if (platform === 'darwin') return ['open', [url]];
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""', url]];
  return ['xdg-open', [url]];
}

/** The serve command prints "MarketPipe is serving at <url>"; the URL to open, if this line has it. */
export function servedUrl(line) {
  const m = /serving at (\S+)/.exec(line);
  return m ? m[1] : null;
}
