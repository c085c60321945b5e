import { beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../client/client';
import type { Transport } from '../client/types';
import { cancelQuery, CHART_MAX_ROWS, cellText, chartSpec, chartTargetColumns, closeTab, loadChartRows, newTab, nextSort, parseTabs, rowText, runQuery, selectTab, setSql, useQuery } from './query';

const col = (name: string, type: string) => ({ name, type });

describe('query page helpers', () => {
  it('charts a result with a time column and numeric columns', () => {
    expect(chartSpec([col('symbol', 'VARCHAR'), col('ts', 'TIMESTAMP WITH TIME ZONE'), col('close', 'DOUBLE'), col('n', 'BIGINT')])).toEqual({ x: 1, ys: [2, 3] });
    expect(chartSpec([col('i', 'BIGINT'), col('x', 'DECIMAL(21,1)')])).toBeNull();
    expect(chartSpec([col('day', 'DATE'), col('s', 'VARCHAR')])).toBeNull();
  });

  it('offers Open chart for rows with a symbol and a time', () => {
    expect(chartTargetColumns([col('Symbol', 'VARCHAR'), col('first', 'TIMESTAMP WITH TIME ZONE'), col('ts', 'TIMESTAMP WITH TIME ZONE')])).toEqual({ symbol: 0, ts: 2 });
    expect(chartTargetColumns([col('symbol', 'VARCHAR'), col('bars', 'BIGINT')])).toBeNull();
  });

  it('cycles the sort asc, desc, none; another column starts at asc', () => {
    expect(nextSort(null, 'x')).toEqual({ column: 'x', dir: 'asc' });
    expect(nextSort({ column: 'x', dir: 'asc' }, 'x')).toEqual({ column: 'x', dir: 'desc' });
    expect(nextSort({ column: 'x', dir: 'desc' }, 'x')).toBeNull();
    expect(nextSort({ column: 'x', dir: 'desc' }, 'y')).toEqual({ column: 'y', dir: 'asc' });
  });

  it('copies cells as shown and rows as tab-separated values', () => {
    expect(cellText(null)).toBe('');
    expect(cellText(1.5)).toBe('1.5');
    expect(cellText(false)).toBe('false');
    expect(rowText(['a\tb', 2, null])).toBe('a b\t2\t');
  });
});

describe('query runs, cancel, errors and tabs', () => {
  function fake(handle: (name: string, arg: Record<string, unknown>) => unknown) {
    const calls: { name: string; arg: Record<string, unknown> }[] = [];
    const transport: Transport = {
      kind: 'memory',
      request: (name, arg) => {
        calls.push({ name, arg: arg as Record<string, unknown> });
        return Promise.resolve(handle(name, arg as Record<string, unknown>));
      },
      onEvent: () => () => {},
      onStatus: () => () => {},
      status: () => 'open',
      close: () => {},
    };
    return { client: createClient(transport), calls };
  }
  const opened = (arg: Record<string, unknown>) => ({ ok: true, value: { queryId: arg.queryId, columns: [col('x', 'INTEGER')], rowCount: 1, elapsedMs: 3, first: { offset: 0, rows: [[1]] } } });
  const side = (name: string) => (name === 'query.history' || name === 'query.saved.list' || name === 'query.schema' ? { ok: true, value: [] } : null);

  beforeEach(() => {
    const tabs = parseTabs(null);
    useQuery.setState({ ...tabs, sql: tabs.tabs[0]!.sql, result: null, error: null, cancelled: null, running: false, runningId: null, errorRange: null, resultTab: null, chart: null });
  });

  it('clears the previous result the moment a run starts, and closes it engine-side', async () => {
    const f = fake((name, arg) => side(name) ?? (name === 'query.open' ? opened(arg) : { ok: true, value: { closed: true } }));
    await runQuery(f.client);
    const first = useQuery.getState().result!;
    expect(first.rowCount).toBe(1);
    let seenDuringRun: unknown = 'unset';
    const g = fake((name) => {
      if (name === 'query.open') seenDuringRun = useQuery.getState().result;
      return side(name) ?? (name === 'query.open' ? { ok: false, error: { code: 'E_QUERY', message: 'Parser Error: syntax error at or near "FRM" LINE 1: SELECT 1 FRM x ^' } } : { ok: true, value: { closed: true } });
    });
    setSql('SELECT 1 FRM x');
    await runQuery(g.client);
    expect(seenDuringRun).toBeNull();
    expect(g.calls.find((c) => c.name === 'query.close')?.arg).toEqual({ queryId: first.queryId });
    const s = useQuery.getState();
    expect(s.result).toBeNull();
    expect(s.error?.code).toBe('E_QUERY');
    expect(s.errorRange).toEqual({ from: 9, to: 12 });
  });

  it('runs the selection, and places its error in the whole text', async () => {
    const f = fake((name) => side(name) ?? { ok: false, error: { code: 'E_QUERY', message: 'Binder Error: Referenced column "nope" not found LINE 1: SELECT nope ^' } });
    setSql('SELECT 1;\nSELECT nope');
    await runQuery(f.client, { text: 'SELECT nope', from: 10 });
    expect(f.calls.find((c) => c.name === 'query.open')?.arg.sql).toBe('SELECT nope');
    expect(useQuery.getState().errorRange).toEqual({ from: 17, to: 21 });
  });

  it('a cancel by the user ends as cancelled, not as an error', async () => {
    let finish: (v: unknown) => void = () => {};
    const f = fake((name) => side(name) ?? (name === 'query.open' ? new Promise((r) => (finish = r)) : { ok: true, value: { cancelled: true } }));
    const running = runQuery(f.client);
    await Promise.resolve();
    expect(useQuery.getState().running).toBe(true);
    expect(useQuery.getState().startedAt).not.toBeNull();
    await cancelQuery(f.client);
    expect(f.calls.some((c) => c.name === 'query.cancel')).toBe(true);
    finish({ ok: false, error: { code: 'E_CANCELLED', message: 'cancelled' } });
    await running;
    const s = useQuery.getState();
    expect(s.error).toBeNull();
    expect(s.cancelled?.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(s.running).toBe(false);
  });

  it('Chart result fetches every row in pages of 1,000, up to the cap', async () => {
    const f = fake((name, arg) => {
      if (name === 'query.open') return { ok: true, value: { queryId: arg.queryId, columns: [col('t', 'TIMESTAMP WITH TIME ZONE'), col('v', 'DOUBLE')], rowCount: 2500, elapsedMs: 1, first: { offset: 0, rows: [] } } };
      if (name === 'query.page') return { ok: true, value: { offset: arg.offset, rows: Array.from({ length: arg.limit as number }, () => ['2024-01-02T14:30:00Z', 1]) } };
      return side(name) ?? { ok: true, value: { closed: true } };
    });
    await runQuery(f.client);
    await loadChartRows(f.client);
    expect(f.calls.filter((c) => c.name === 'query.page').map((c) => [c.arg.offset, c.arg.limit])).toEqual([
      [0, 1000],
      [1000, 1000],
      [2000, 500],
    ]);
    expect(useQuery.getState().chart).toMatchObject({ total: 2500, loading: false });
    expect(useQuery.getState().chart?.rows).toHaveLength(2500);
    expect(CHART_MAX_ROWS).toBe(20_000);
  });

  it('tabs: new, select, close; each keeps its SQL; a stored list is read back, a broken one ignored', () => {
    setSql('SELECT 1');
    newTab('SELECT 2');
    const s = useQuery.getState();
    expect(s.tabs.map((t) => t.name)).toEqual(['Query 1', 'Query 2']);
    expect(s.sql).toBe('SELECT 2');
    selectTab(s.tabs[0]!.id);
    expect(useQuery.getState().sql).toBe('SELECT 1');
    closeTab(s.tabs[0]!.id);
    expect(useQuery.getState().tabs).toHaveLength(1);
    expect(useQuery.getState().sql).toBe('SELECT 2');
    closeTab(useQuery.getState().tabs[0]!.id);
    expect(useQuery.getState().tabs).toHaveLength(1);

    const stored = parseTabs(JSON.stringify({ tabs: [{ id: 'a', name: 'Query 1', sql: 'SELECT 9' }, { id: 'b', name: 'Query 2', sql: 'x' }], activeTab: 'b' }));
    expect(stored.activeTab).toBe('b');
    expect(stored.tabs[0]!.sql).toBe('SELECT 9');
    expect(parseTabs('{not json').tabs).toHaveLength(1);
    expect(parseTabs(JSON.stringify({ tabs: [{ id: 1 }] })).tabs[0]!.name).toBe('Query 1');
  });
});
