import type { ExportPathChooser } from '../../query/workbench';

// The workbench's save dialog on the desktop, written against a small interface instead of Electron's `dialog`, so
// the wiring runs (and is tested) in plain Node. main.ts passes `(o) => dialog.showSaveDialog(win, o)`.

export interface SaveDialogOptionsLike {
  title: string;
  defaultPath: string;
  filters: { name: string; extensions: string[] }[];
  properties: 'showOverwriteConfirmation'[];
}
export type ShowSaveDialog = (o: SaveDialogOptionsLike) => Promise<{ canceled: boolean; filePath?: string }>;

const FILTERS = {
  csv: [{ name: 'CSV', extensions: ['csv'] }],
  parquet: [{ name: 'Parquet', extensions: ['parquet'] }],
};

/** `defaultDir`: where the dialog opens (the user's Downloads folder, from app.getPath). */
export function saveDialogChooser(show: ShowSaveDialog, defaultDir: () => string): ExportPathChooser {
  return async ({ defaultName, format }) => {
    const r = await show({
      title: format === 'csv' ? 'Export result as CSV' : 'Export result as Parquet',
      defaultPath: `${defaultDir()}/${defaultName}`,
      filters: FILTERS[format],
      properties: ['showOverwriteConfirmation'],
    });
    return r.canceled || !r.filePath ? null : r.filePath;
  };
}
