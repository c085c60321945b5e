import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTmpDir, type TmpDir } from '../../testing/tmp';
import { makeSaveFile, type DialogLike, type SaveDialogOptionsLike } from './save';

// The desktop export against a fake dialog: no electron import, real files.

interface FakeWindow {
  id: number;
}

class FakeDialog implements DialogLike<FakeWindow> {
  readonly calls: { window: FakeWindow; options: SaveDialogOptionsLike }[] = [];
  constructor(private readonly answer: { canceled: boolean; filePath?: string }) {}
  async showSaveDialog(window: FakeWindow, options: SaveDialogOptionsLike) {
    this.calls.push({ window, options });
    return this.answer;
  }
}

let tmp: TmpDir;
let report: string;
beforeEach(() => {
  tmp = makeTmpDir('mp-save-');
  report = path.join(tmp.dir, 'validation-x.csv');
  fs.writeFileSync(report, 'symbol,timeframe,ts,rule,severity,message\n');
});
afterEach(() => tmp.cleanup());

describe('makeSaveFile', () => {
  it('asks where, modal to the window, starting in the default folder with the report name; copies the report there', async () => {
    const target = path.join(tmp.dir, 'chosen.csv');
    const dialog = new FakeDialog({ canceled: false, filePath: target });
    const win = { id: 3 };
    const save = makeSaveFile({ dialog, window: () => win, defaultDir: () => '/home/u/Downloads' });
    expect(await save(report, 'validation-x.csv')).toBe(target);
    expect(dialog.calls).toEqual([
      { window: win, options: { title: 'Export validation report', defaultPath: path.join('/home/u/Downloads', 'validation-x.csv'), filters: [{ name: 'CSV', extensions: ['csv'] }] } },
    ]);
    expect(fs.readFileSync(target, 'utf8')).toBe(fs.readFileSync(report, 'utf8'));
  });

  it('a cancelled dialog copies nothing and says so with null', async () => {
    const copied: string[] = [];
    const save = makeSaveFile({ dialog: new FakeDialog({ canceled: true }), window: () => ({ id: 1 }), defaultDir: () => tmp.dir, copyFile: async (_f, to) => void copied.push(to) });
    expect(await save(report, 'validation-x.csv')).toBeNull();
    expect(copied).toEqual([]);
  });

  it('no window, no dialog; a suggested name never carries a path', async () => {
    const dialog = new FakeDialog({ canceled: true });
    expect(await makeSaveFile({ dialog, window: () => null, defaultDir: () => tmp.dir })(report, 'a.csv')).toBeNull();
    expect(dialog.calls).toEqual([]);
    await makeSaveFile({ dialog, window: () => ({ id: 1 }), defaultDir: () => tmp.dir })(report, '../../etc/pass wd.csv');
    expect(dialog.calls[0]!.options.defaultPath).toBe(path.join(tmp.dir, 'pass_wd.csv'));
  });
});
