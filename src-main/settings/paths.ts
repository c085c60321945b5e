import os from 'node:os';
import path from 'node:path';
import { readEnv } from './env';

export const APP_DIR_NAME = 'MarketPipe';

/**
 * The per-user default data dir, shared by the CLI and the desktop app (the Electron host uses this function, not
 * app.getPath('userData'), so both see the same lake). Follows each platform's convention for application data.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || env.APPDATA || path.join(home, 'AppData', 'Local'), APP_DIR_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'marketpipe');
}

/** --data-dir wins, then MP_DATA_DIR, then the per-user default. Resolution touches nothing on disk. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag?.trim() || readEnv(env, 'MP_DATA_DIR')?.trim();
  return path.resolve(chosen || defaultDataDir(env));
}

export interface DataPaths {
  root: string;
  db: string;
  lake: string;
  bars: string;
  tmp: string;
}

export function dataPaths(root: string): DataPaths {
  return {
    root,
    db: path.join(root, 'marketpipe.db'),
    lake: path.join(root, 'lake'),
    bars: path.join(root, 'lake', 'bars'),
    tmp: path.join(root, 'tmp'),
  };
}
