import { beforeEach, describe, expect, it } from 'vitest';
import type { MetricsLive } from '../../../src-main/contract/schemas';
import { appendBounded, historyRates, jobMarks, LIVE_WINDOW, providersIn, rangeRows, resetZoom, useMetrics, zoomTo } from './metrics';

const sample = (i: number, over: Partial<MetricsLive> = {}): MetricsLive => ({
  at: new Date(1_700_000_000_000 + i * 1000).toISOString(),
  rowsPerSecond: i,
  requestsPerSecond: {},
  errorsPerSecond: {},
  latency: { p50: null, p95: null, p99: null },
  rateLimitWaitsPerSecond: 0,
  validationFindings: 0,
  eventLoopLagSeconds: 0,
  jobsInFlight: 0,
  ...over,
});

describe('metrics store', () => {
  beforeEach(() => useMetrics.setState({ live: [], history: null, historyError: null }));

  it('keeps only the last LIVE_WINDOW samples, oldest first, however long it runs', () => {
    const push = useMetrics.getState().push;
    for (let i = 0; i < LIVE_WINDOW * 12 + 7; i++) push(sample(i));
    const live = useMetrics.getState().live;
    expect(live).toHaveLength(LIVE_WINDOW);
    expect(live[0]!.rowsPerSecond).toBe(LIVE_WINDOW * 11 + 7);
    expect(live.at(-1)!.rowsPerSecond).toBe(LIVE_WINDOW * 12 + 6);
  });

  it('appendBounded never mutates its input', () => {
    const a = [1, 2, 3];
    expect(appendBounded(a, 4, 3)).toEqual([2, 3, 4]);
    expect(appendBounded(a, 4, 10)).toEqual([1, 2, 3, 4]);
    expect(a).toEqual([1, 2, 3]);
  });

  it('providersIn: every provider of the window, sorted, errors-only ones included', () => {
    const live = [sample(0, { requestsPerSecond: { fake: 1 } }), sample(1, { requestsPerSecond: { alpaca: 2 }, errorsPerSecond: { polygon: 1 } })];
    expect(providersIn(live)).toEqual(['alpaca', 'fake', 'polygon']);
  });
});

describe('historyRates', () => {
  const t0 = Date.UTC(2024, 0, 2, 15, 0);
  const at = (min: number) => new Date(t0 + min * 60_000).toISOString();

  it('clamps steps down to 0; the bucket in progress is averaged over the time passed', () => {
    const points = [
      { ts: at(0), value: 120 },
      { ts: at(1), value: -40 }, // a process's rows aged out of the window
      { ts: at(2), value: 0 },
      { ts: at(3), value: 15 }, // 30 s into this bucket: 15/s over 60 s is 30/s over the 30 s passed
    ];
    expect(historyRates(points, 60_000, t0 + 3.5 * 60_000)).toEqual([
      { t: t0, value: 120 },
      { t: t0 + 60_000, value: 0 },
      { t: t0 + 120_000, value: 0 },
      { t: t0 + 180_000, value: 30 },
    ]);
  });

  it('drops unreadable timestamps', () => {
    expect(historyRates([{ ts: 'nope', value: 1 }], 60_000, t0)).toEqual([]);
  });
});

describe('history ranges', () => {
  const t0 = Date.UTC(2024, 0, 2, 15, 0);
  const at = (min: number) => new Date(t0 + min * 60_000).toISOString();

  it('merges every series by bucket; latency is the mean (sum rate / count rate) in ms', () => {
    const rows = rangeRows(
      {
        rows: [{ ts: at(0), value: 100 }],
        requests: [
          { ts: at(0), value: 2 },
          { ts: at(1), value: 4 },
        ],
        latencySum: [{ ts: at(1), value: 2 }],
        latencyCount: [{ ts: at(1), value: 4 }],
        jobs: [{ ts: at(1), value: 1 }],
      },
      60_000,
      t0 + 10 * 60_000,
    );
    expect(rows).toEqual([
      { t: t0, rows: 100, requests: 2, errors: 0, latencyMs: null, waits: 0, findings: 0, jobs: null },
      { t: t0 + 60_000, rows: 0, requests: 4, errors: 0, latencyMs: 500, waits: 0, findings: 0, jobs: 1 },
    ]);
  });

  it('zooms to a dragged span either way; a click is no zoom', () => {
    useMetrics.setState({ zoom: null });
    zoomTo(5000, 2000);
    expect(useMetrics.getState().zoom).toEqual([2000, 5000]);
    resetZoom();
    zoomTo(1000, 1500);
    expect(useMetrics.getState().zoom).toBeNull();
  });

  it('jobs become start and end marks; running ones have no end', () => {
    const job = (id: string, startedAt: string | null, finishedAt: string | null, symbols: string[]) =>
      ({ id, kind: 'ingest', status: finishedAt ? 'succeeded' : 'running', stage: finishedAt ? 'done' : 'fetch', provider: 'fake', feed: 'sim', timeframe: '1m', symbols, start: '2024-01-02', end: '2024-01-03', progress: 0, rowsWritten: 0, createdAt: at(0), startedAt, finishedAt, error: null }) as const;
    expect(jobMarks([job('b', at(5), null, ['A', 'B']), job('a', at(1), at(2), ['AAPL']), job('c', null, null, [])])).toEqual([
      { id: 'a', label: 'fake AAPL', start: t0 + 60_000, end: t0 + 120_000, status: 'succeeded' },
      { id: 'b', label: 'fake 2 symbols', start: t0 + 300_000, end: null, status: 'running' },
    ]);
  });
});
