import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inProcessClient } from '../../contract/dispatcher';
import { Engine } from '../../engine';
import { makeTmpDir, type TmpDir } from '../../testing/tmp';
import { saveDialogChooser, type SaveDialogOptionsLike } from './exportDialog';

// The desktop export path with a fake of Electron's save dialog, wired into a real engine as main.ts wires it.

let tmp: TmpDir;
let engine: Engine;
let shown: SaveDialogOptionsLike[];
let answer: { canceled: boolean; filePath?: string };

beforeEach(() => {
  tmp = makeTmpDir('mp-export-dialog-');
  shown = [];
  const chooser = saveDialogChooser(async (o) => {
    shown.push(o);
    return answer;
  }, () => path.join(tmp.dir, 'Downloads'));
  engine = new Engine({ dataDir: path.join(tmp.dir, 'data'), host: 'test', env: {}, chooseExportPath: chooser });
});
afterEach(async () => {
  await engine.close();
  tmp.cleanup();
});

async function openResult(): Promise<string> {
  const r = await inProcessClient(engine.dispatcher).request('query.open', { sql: 'SELECT 1 AS a' });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.queryId;
}

describe('saveDialogChooser', () => {
  it('asks with a default name, a filter for the format and overwrite confirmation, then writes there', async () => {
    const dest = path.join(tmp.dir, 'chosen.csv');
    answer = { canceled: false, filePath: dest };
    const queryId = await openResult();
    const r = await inProcessClient(engine.dispatcher).request('query.export', { queryId, format: 'csv' });
    expect(r).toEqual({ ok: true, value: { status: 'saved', path: dest, bytes: 4, rows: 1 } });
    expect(fs.readFileSync(dest, 'utf8')).toBe('a\n1\n');
    expect(shown).toEqual([
      {
        title: 'Export result as CSV',
        defaultPath: expect.stringMatching(/Downloads\/query-.*\.csv$/),
        filters: [{ name: 'CSV', extensions: ['csv'] }],
        properties: ['showOverwriteConfirmation'],
      },
    ]);
  });

  it('a cancelled dialog writes nothing', async () => {
    answer = { canceled: true };
    const queryId = await openResult();
    const r = await inProcessClient(engine.dispatcher).request('query.export', { queryId, format: 'parquet' });
    expect(r).toEqual({ ok: true, value: { status: 'cancelled' } });
    expect(fs.readdirSync(tmp.dir).sort()).toEqual(['data']);
  });
});
