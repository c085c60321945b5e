import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inProcessClient } from '../../contract/dispatcher';
import { Engine } from '../../engine';
import { makeTmpDir, type TmpDir } from '../../testing/tmp';
import { exportChooser, reportSaver, type SaveDialogDeps, type SaveDialogOptionsLike } from './saveDialog';

// The desktop's save dialog against a fake of Electron's: no electron import, real files, a real engine for the
// workbench export (wired as main.ts wires it).

interface FakeWindow {
  id: number;
}

let tmp: TmpDir;
let shown: { window: FakeWindow | null; options: SaveDialogOptionsLike }[];
let answer: { canceled: boolean; filePath?: string };
let win: FakeWindow | null;

function deps(): SaveDialogDeps<FakeWindow> {
  return {
    show: async (window, options) => {
      shown.push({ window, options });
      return answer;
    },
    window: () => win,
    defaultDir: () => path.join(tmp.dir, 'Downloads'),
  };
}

beforeEach(() => {
  tmp = makeTmpDir('mp-save-dialog-');
  shown = [];
  answer = { canceled: true };
  win = { id: 3 };
});
afterEach(() => tmp.cleanup());

describe('reportSaver (validation reports)', () => {
  let report: string;
  beforeEach(() => {
    report = path.join(tmp.dir, 'validation-x.csv');
    fs.writeFileSync(report, 'symbol,timeframe,ts,rule,severity,message\n');
  });

  it('asks where, modal to the window, starting in Downloads with the report name; copies the report there', async () => {
    const target = path.join(tmp.dir, 'chosen.csv');
    answer = { canceled: false, filePath: target };
    expect(await reportSaver(deps())(report, 'validation-x.csv')).toBe(target);
    expect(shown).toEqual([
      {
        window: win,
        options: {
          title: 'Export validation report',
          defaultPath: path.join(tmp.dir, 'Downloads', 'validation-x.csv'),
          filters: [{ name: 'CSV', extensions: ['csv'] }],
          properties: ['showOverwriteConfirmation'],
        },
      },
    ]);
    expect(fs.readFileSync(target, 'utf8')).toBe(fs.readFileSync(report, 'utf8'));
  });

  it('a cancelled dialog copies nothing and says so with null', async () => {
    const copied: string[] = [];
    expect(await reportSaver({ ...deps(), copyFile: async (_f, to) => void copied.push(to) })(report, 'validation-x.csv')).toBeNull();
    expect(copied).toEqual([]);
  });

  it('without a window the dialog stands alone; a suggested name never carries a path', async () => {
    win = null;
    await reportSaver(deps())(report, '../../etc/pass wd.csv');
    expect(shown[0]!.window).toBeNull();
    expect(shown[0]!.options.defaultPath).toBe(path.join(tmp.dir, 'Downloads', 'pass_wd.csv'));
  });
});

describe('exportChooser (workbench results)', () => {
  let engine: Engine;
  beforeEach(() => {
    engine = new Engine({ dataDir: path.join(tmp.dir, 'data'), host: 'test', env: {}, chooseExportPath: exportChooser(deps()) });
  });
  afterEach(async () => {
    await engine.close();
  });

  async function openResult(): Promise<string> {
    const r = await inProcessClient(engine.dispatcher).request('query.open', { sql: 'SELECT 1 AS a' });
    if (!r.ok) throw new Error(r.error.message);
    return r.value.queryId;
  }

  it('asks with a default name, a filter for the format and overwrite confirmation, then writes there', async () => {
    const dest = path.join(tmp.dir, 'chosen.csv');
    answer = { canceled: false, filePath: dest };
    const queryId = await openResult();
    const r = await inProcessClient(engine.dispatcher).request('query.export', { queryId, format: 'csv' });
    expect(r).toEqual({ ok: true, value: { status: 'saved', path: dest, bytes: 4, rows: 1 } });
    expect(fs.readFileSync(dest, 'utf8')).toBe('a\n1\n');
    expect(shown).toEqual([
      {
        window: win,
        options: {
          title: 'Export result as CSV',
          defaultPath: expect.stringMatching(/Downloads\/query-.*\.csv$/),
          filters: [{ name: 'CSV', extensions: ['csv'] }],
          properties: ['showOverwriteConfirmation'],
        },
      },
    ]);
  });

  it('a cancelled dialog writes nothing', async () => {
    const queryId = await openResult();
    const r = await inProcessClient(engine.dispatcher).request('query.export', { queryId, format: 'parquet' });
    expect(r).toEqual({ ok: true, value: { status: 'cancelled' } });
    expect(shown[0]!.options.filters).toEqual([{ name: 'Parquet', extensions: ['parquet'] }]);
    expect(fs.readdirSync(tmp.dir).sort()).toEqual(['data']);
  });
});
