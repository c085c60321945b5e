import { beforeEach, describe, expect, it } from 'vitest';
import type { JobTask } from '../../../src-main/contract/schemas';
import { mergeTasks, summarize, useTasks } from './tasks';

const unit = (symbol: string, year: number, days: number, status: JobTask['status'] = 'pending', rows = 0): JobTask => ({
  symbol,
  year,
  start: `${year}-01-02`,
  end: `${year}-12-31`,
  days,
  status,
  rows,
});

describe('tasks store', () => {
  beforeEach(() => useTasks.setState({ open: {}, byJob: {} }));

  it('loads on open and then follows jobs.unit events', () => {
    const s = useTasks.getState();
    s.setOpen('j1', true);
    s.begin('j1');
    expect(useTasks.getState().byJob.j1).toEqual({ state: 'loading', tasks: [], error: null });
    s.loaded('j1', [unit('AAPL', 2023, 250), unit('AAPL', 2024, 252), unit('MSFT', 2024, 252)]);
    s.unit({ jobId: 'j1', symbol: 'AAPL', year: 2024, rows: 98_000 });
    const tasks = useTasks.getState().byJob.j1?.tasks ?? [];
    expect(tasks.map((t) => [t.symbol, t.year, t.status, t.rows])).toEqual([
      ['AAPL', 2023, 'pending', 0],
      ['AAPL', 2024, 'done', 98_000],
      ['MSFT', 2024, 'pending', 0],
    ]);
    expect(useTasks.getState().open).toEqual({ j1: true });
    s.setOpen('j1', false);
    expect(useTasks.getState().open).toEqual({});
  });

  it('keeps a unit event that came before the snapshot it raced with', () => {
    const s = useTasks.getState();
    s.begin('j1');
    s.unit({ jobId: 'j1', symbol: 'MSFT', year: 2024, rows: 1560 });
    // The snapshot was read before MSFT was durable.
    s.loaded('j1', [unit('AAPL', 2024, 4, 'done', 1560), unit('MSFT', 2024, 4)]);
    expect(useTasks.getState().byJob.j1?.tasks.map((t) => [t.symbol, t.status, t.rows])).toEqual([
      ['AAPL', 'done', 1560],
      ['MSFT', 'done', 1560],
    ]);
  });

  it('ignores units of jobs nobody opened, and keeps what it knows while refetching or on error', () => {
    const s = useTasks.getState();
    s.unit({ jobId: 'j9', symbol: 'AAPL', year: 2024, rows: 1 });
    expect(useTasks.getState().byJob).toEqual({});
    s.begin('j1');
    s.loaded('j1', [unit('AAPL', 2024, 4, 'done', 1560)]);
    s.begin('j1');
    expect(useTasks.getState().byJob.j1).toMatchObject({ state: 'loading', tasks: [{ symbol: 'AAPL', status: 'done' }] });
    s.failed('j1', 'E_INTERNAL: boom');
    expect(useTasks.getState().byJob.j1).toMatchObject({ state: 'error', error: 'E_INTERNAL: boom', tasks: [{ symbol: 'AAPL' }] });
  });

  it('a snapshot decides which units exist; done never goes back to pending', () => {
    const known = [unit('AAPL', 2024, 4, 'done', 1560), unit('ZZZ', 2024, 0, 'done', 5)];
    expect(mergeTasks(known, [unit('AAPL', 2024, 4), unit('MSFT', 2024, 4)])).toEqual([unit('AAPL', 2024, 4, 'done', 1560), unit('MSFT', 2024, 4)]);
    expect(mergeTasks([], [unit('AAPL', 2024, 4)])).toEqual([unit('AAPL', 2024, 4)]);
  });
});

describe('summarize', () => {
  it('gives one row per symbol in the job order: units, sessions and rows done, status and percent', () => {
    const rows = summarize(
      ['MSFT', 'AAPL', 'SPY', 'QQQ'],
      [unit('AAPL', 2023, 250, 'done', 97_000), unit('AAPL', 2024, 252), unit('MSFT', 2024, 4, 'done', 1560), unit('SPY', 2024, 4)],
    );
    expect(rows).toEqual([
      { symbol: 'MSFT', units: 1, unitsDone: 1, sessions: 4, sessionsDone: 4, rows: 1560, status: 'done', percent: 100 },
      { symbol: 'AAPL', units: 2, unitsDone: 1, sessions: 502, sessionsDone: 250, rows: 97_000, status: 'partial', percent: (250 / 502) * 100 },
      { symbol: 'SPY', units: 1, unitsDone: 0, sessions: 4, sessionsDone: 0, rows: 0, status: 'pending', percent: 0 },
      // every session of QQQ was in the lake already: no unit
      { symbol: 'QQQ', units: 0, unitsDone: 0, sessions: 0, sessionsDone: 0, rows: 0, status: 'up to date', percent: 100 },
    ]);
  });

  it('lists symbols that only the units know (files that named more symbols)', () => {
    expect(summarize([], [unit('IBM', 2024, 3, 'done', 10)]).map((r) => [r.symbol, r.status])).toEqual([['IBM', 'done']]);
  });

  it('counts the sessions received of units in flight, so a symbol moves before its year is written', () => {
    const tasks = [unit('AAPL', 2023, 250, 'done', 97_500), unit('AAPL', 2024, 250, 'pending', 0), unit('MSFT', 2024, 100, 'pending', 0)];
    const inflight = [
      { symbol: 'AAPL', year: 2024, daysFetched: 125, rows: 48_750 },
      { symbol: 'MSFT', year: 2024, daysFetched: 25, rows: 9750 },
      // a unit already written (its last progress event came after jobs.unit) counts once
      { symbol: 'AAPL', year: 2023, daysFetched: 250, rows: 97_500 },
    ];
    const rows = summarize(['AAPL', 'MSFT'], tasks, inflight);
    // sessions, rows and percent agree: what is written plus what is received of the unit in flight
    expect(rows.map((r) => [r.symbol, r.status, r.sessionsDone, r.rows, r.percent])).toEqual([
      ['AAPL', 'partial', 375, 146_250, 75],
      ['MSFT', 'pending', 25, 9750, 25],
    ]);
    expect(summarize(['MSFT'], tasks.slice(2)).map((r) => r.percent)).toEqual([0]);
  });
});
