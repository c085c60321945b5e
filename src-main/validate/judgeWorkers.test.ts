import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedDuplicate } from '../db/duplicates';
import type { PartitionKey } from '../lake/layout';
import { makeTmpDir, type TmpDir } from '../testing/tmp';
import { readReport, sessionBars, sessionsBars, writePartition } from './fixtures/lake';
import { JudgeWorkers } from './judgeWorkers';
import { runValidation } from './run';

// The validate worker thread (validateWorker.ts, bundled from the source tree) gives what a run in the engine's own
// thread gives: the same counts and the same report rows, delivered duplicates (NaN values included) crossing the
// thread boundary intact.

let tmp: TmpDir;
let workers: JudgeWorkers;
beforeEach(() => {
  tmp = makeTmpDir('mp-judge-workers-');
  workers = new JudgeWorkers();
});
afterEach(async () => {
  await workers.close();
  tmp.cleanup();
});

const NOW = Date.UTC(2024, 6, 1);
const key = (symbol: string): PartitionKey => ({ timeframe: '1m', provider: 'fake', feed: 'sim', symbol, year: 2024 });

describe('validation in the validate worker thread', () => {
  it('counts and reports exactly what a run in this thread does', async () => {
    const barsRoot = path.join(tmp.dir, 'lake', 'bars');
    const bad = sessionBars('2024-01-03');
    bad[10] = { ...bad[10]!, high: 99 }; // high below open and close
    bad.splice(100, 30); // an intraday gap
    await writePartition(barsRoot, key('AAA'), [...sessionBars('2024-01-02'), ...bad]);
    await writePartition(barsRoot, key('BBB'), sessionsBars('2024-01-02', '2024-01-05', 50));
    const ts = bad[0]!.ts;
    const values = { open: 100, high: 101, low: 99, close: 100, volume: 10, tradeCount: null, vwap: null };
    const delivered: RecordedDuplicate[] = [
      { provider: 'fake', feed: 'sim', timeframe: '1m', symbol: 'AAA', jobId: 'j1', ts, copy: 1, kept: values, dropped: { ...values, close: Number.NaN }, conflict: true },
    ];
    const opts = { barsRoot, now: NOW, scope: { start: '2024-01-02', end: '2024-01-05' }, deliveredDuplicates: delivered };
    const here = await runValidation({ ...opts, reportDir: path.join(tmp.dir, 'here') });
    const there = await runValidation({ ...opts, reportDir: path.join(tmp.dir, 'there'), judge: (i) => workers.judge(i) });
    expect(here.totalFindings).toBeGreaterThan(0);
    expect(here.findings.duplicate_bar.error).toBe(1);
    const { runId: _a, createdAt: _b, reportFile: _c, elapsedMs: _d, ...sameHere } = here;
    const { runId: _e, createdAt: _f, reportFile: _g, elapsedMs: _h, ...sameThere } = there;
    expect(sameThere).toEqual(sameHere);
    expect(await readReport(there.reportFile)).toEqual(await readReport(here.reportFile));
    // the same thread runs the next one (each run opens and closes its own DuckDB)
    const again = await runValidation({ ...opts, reportDir: path.join(tmp.dir, 'again'), judge: (i) => workers.judge(i) });
    expect(again.findings).toEqual(here.findings);
  });

  it('refuses runs once closed, with a coded error', async () => {
    await workers.close();
    const barsRoot = path.join(tmp.dir, 'lake', 'bars');
    await expect(runValidation({ barsRoot, now: NOW, reportDir: tmp.dir, judge: (i) => workers.judge(i) })).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });
});
