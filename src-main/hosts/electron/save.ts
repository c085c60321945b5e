import fs from 'node:fs/promises';
import path from 'node:path';
import type { SaveFileHook } from '../../validate';

// The desktop's "export a report": a native save dialog, then a copy of the report where the user chose. Written
// against small interfaces instead of Electron's dialog and BrowserWindow, so it runs (and is tested) in plain Node.

export interface SaveDialogOptionsLike {
  title: string;
  defaultPath: string;
  filters: { name: string; extensions: string[] }[];
}
export interface DialogLike<W> {
  showSaveDialog(window: W, options: SaveDialogOptionsLike): Promise<{ canceled: boolean; filePath?: string }>;
}

export interface SaveFileDeps<W> {
  dialog: DialogLike<W>;
  /** the window the dialog belongs to (modal to it); null when none is open */
  window(): W | null;
  /** where the dialog starts (Electron: app.getPath('downloads')) */
  defaultDir(): string;
  copyFile?: (from: string, to: string) => Promise<void>;
}

export function makeSaveFile<W>(deps: SaveFileDeps<W>): SaveFileHook {
  const copy = deps.copyFile ?? ((from: string, to: string) => fs.copyFile(from, to));
  return async (source, suggestedName) => {
    const win = deps.window();
    if (win === null) return null;
    // only a plain file name reaches the dialog: the suggestion comes from our own report names, but stay strict
    const name = path.basename(suggestedName).replace(/[^A-Za-z0-9_.-]/g, '_') || 'report.csv';
    const r = await deps.dialog.showSaveDialog(win, {
      title: 'Export validation report',
      defaultPath: path.join(deps.defaultDir(), name),
      filters: [{ name: 'CSV', extensions: ['csv'] }],
    });
    if (r.canceled || !r.filePath) return null;
    await copy(source, r.filePath);
    return r.filePath;
  };
}
