import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExportPathChooser } from '../../query/workbench';
import type { SaveFileHook } from '../../validate';

// Every "save as" of the desktop app (a validation report, a workbench result) goes through one native save dialog:
// modal to our window when one is open, starting in the Downloads folder with a plain file name we suggest, asking
// before it overwrites. Written against a small interface instead of Electron's dialog and BrowserWindow, so it runs
// (and is tested) in plain Node.

export interface SaveDialogOptionsLike {
  title: string;
  defaultPath: string;
  filters: { name: string; extensions: string[] }[];
  properties: 'showOverwriteConfirmation'[];
}

export interface SaveDialogDeps<W> {
  /** Electron: (w, o) => (w ? dialog.showSaveDialog(w, o) : dialog.showSaveDialog(o)) */
  show(window: W | null, options: SaveDialogOptionsLike): Promise<{ canceled: boolean; filePath?: string }>;
  /** the window the dialog is modal to; null when none is open (the dialog then stands alone) */
  window(): W | null;
  /** where the dialog starts (Electron: app.getPath('downloads')) */
  defaultDir(): string;
}

const FILTERS = {
  csv: { name: 'CSV', extensions: ['csv'] },
  parquet: { name: 'Parquet', extensions: ['parquet'] },
};

/** Only a plain file name reaches the dialog: the suggestions are our own names, but stay strict. */
function plainName(suggested: string, fallback: string): string {
  return path.basename(suggested).replace(/[^A-Za-z0-9_.-]/g, '_') || fallback;
}

/** Asks where to save; null when the user cancels. */
export async function askSavePath<W>(deps: SaveDialogDeps<W>, o: { title: string; suggestedName: string; format: keyof typeof FILTERS }): Promise<string | null> {
  const r = await deps.show(deps.window(), {
    title: o.title,
    defaultPath: path.join(deps.defaultDir(), plainName(o.suggestedName, `export.${o.format}`)),
    filters: [FILTERS[o.format]],
    properties: ['showOverwriteConfirmation'],
  });
  return r.canceled || !r.filePath ? null : r.filePath;
}

/** Validation reports: ask where, then copy the report there. */
export function reportSaver<W>(deps: SaveDialogDeps<W> & { copyFile?: (from: string, to: string) => Promise<void> }): SaveFileHook {
  const copy = deps.copyFile ?? ((from: string, to: string) => fs.copyFile(from, to));
  return async (source, suggestedName) => {
    const dest = await askSavePath(deps, { title: 'Export validation report', suggestedName, format: 'csv' });
    if (dest !== null) await copy(source, dest);
    return dest;
  };
}

/** Workbench results: ask where; the engine then writes the export there (DuckDB COPY). */
export function exportChooser<W>(deps: SaveDialogDeps<W>): ExportPathChooser {
  return ({ defaultName, format }) =>
    askSavePath(deps, { title: format === 'csv' ? 'Export result as CSV' : 'Export result as Parquet', suggestedName: defaultName, format });
}
