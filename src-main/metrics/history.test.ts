import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryMetrics } from './history-collector';
import { DAY_MS, MetricsHistory, startHistorySampler } from './history';
import { asciiPlot, formatNumber } from './plot';
import { EngineMetrics, type MetricSample } from './registry';
import { hasBinary, historyDb, promtoolCheckMetrics, tempDir } from './test-helpers';

let dir: string;
let db: Database.Database;
beforeEach(() => {
  dir = tempDir();
  db = historyDb(dir);
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2024, 0, 2, 14, 30);
const req = (provider: string, value: number): MetricSample => ({ name: 'mp_requests_total', labels: { source: 'rest', provider, feed: 'iex' }, value });

/** A history as one process (pid/proc) would write it, at a controllable clock. */
function proc(pid: number, opts: { alive?: (pid: number) => boolean; retentionMs?: number } = {}) {
  let now = T0;
  const h = new MetricsHistory(db, { pid, proc: `${pid}@1`, now: () => now, alive: opts.alive ?? (() => false), ...(opts.retentionMs ? { retentionMs: opts.retentionMs } : {}) });
  return { h, at: (ms: number) => (now = ms) };
}

describe('MetricsHistory', () => {
  it('records in batches, writing only changed values, and lists names with combined latest values', () => {
    const a = proc(101);
    expect(a.h.record([req('alpaca', 5), req('polygon', 1)], T0)).toBe(2);
    expect(a.h.record([req('alpaca', 5), req('polygon', 1)], T0 + 15_000)).toBe(0);
    expect(a.h.record([req('alpaca', 9), req('polygon', 1)], T0 + 30_000)).toBe(1);
    const b = proc(202);
    b.h.record([req('alpaca', 4)], T0 + 40_000);
    const list = a.h.list();
    expect(list).toEqual([{ name: 'mp_requests_total', series: 2, lastTs: T0 + 40_000, value: 9 + 1 + 4 }]);
    expect(db.prepare('SELECT count(*) AS n FROM metrics_samples').get()).toEqual({ n: 4 });
  });

  it('sums the latest total of every process over time (series), including processes that exited', () => {
    const a = proc(101);
    const b = proc(202);
    a.h.record([req('alpaca', 10)], T0);
    a.h.record([req('alpaca', 30)], T0 + 60_000);
    b.h.record([req('alpaca', 5)], T0 + 90_000); // a second CLI run: starts from zero, adds up
    b.h.record([req('alpaca', 8), req('polygon', 2)], T0 + 120_000);
    expect(a.h.series('mp_requests_total', T0)).toEqual([
      { ts: T0, value: 10 },
      { ts: T0 + 60_000, value: 30 },
      { ts: T0 + 90_000, value: 35 },
      { ts: T0 + 120_000, value: 40 },
    ]);
    // the value at `since` is carried in from before it
    expect(a.h.series('mp_requests_total', T0 + 100_000)).toEqual([
      { ts: T0 + 100_000, value: 35 },
      { ts: T0 + 120_000, value: 40 },
    ]);
    expect(a.h.series('mp_requests_total', T0, { provider: 'polygon' })).toEqual([{ ts: T0 + 120_000, value: 2 }]);
    expect(a.h.series('mp_errors_total', T0)).toEqual([]);
  });

  it('averages counters as a rate per second per bucket, gauges as a mean', () => {
    const a = proc(101);
    a.h.record([req('alpaca', 0), { name: 'mp_queue_length', labels: {}, value: 4 }], T0);
    a.h.record([req('alpaca', 600), { name: 'mp_queue_length', labels: {}, value: 8 }], T0 + 30 * 60_000);
    a.h.record([req('alpaca', 600 + 3600), { name: 'mp_queue_length', labels: {}, value: 2 }], T0 + 90 * 60_000);
    const hour = 3_600_000;
    const since = Math.floor(T0 / hour) * hour;
    const rates = a.h.averages('mp_requests_total', hour, since, {}, since + 2 * hour);
    // T0 is 14:30: the increases land at 15:00 (+600) and 16:00 (+3600)
    expect(rates).toEqual([
      { ts: since, value: 0 },
      { ts: since + hour, value: 600 / 3600 },
      { ts: since + 2 * hour, value: 1 },
    ]);
    // from a later `since`, the total carried in is the baseline, not an increase
    expect(a.h.averages('mp_requests_total', hour, since + hour + 1, {}, since + 2 * hour)).toEqual([
      { ts: since + hour, value: 0 },
      { ts: since + 2 * hour, value: 1 },
    ]);
    a.h.record([{ name: 'mp_queue_length', labels: {}, value: 6 }], T0 + 100 * 60_000);
    expect(a.h.averages('mp_queue_length', hour, since, {}, since + 2 * hour)).toEqual([
      { ts: since, value: 4 },
      { ts: since + hour, value: 8 },
      { ts: since + 2 * hour, value: 4 },
    ]);
    expect(() => a.h.averages('mp_queue_length', 0, since)).toThrow(RangeError);
  });

  it('prunes rows older than the retention window on write', () => {
    const a = proc(101, { retentionMs: 14 * DAY_MS });
    a.h.record([req('alpaca', 1)], T0);
    const b = proc(202, { retentionMs: 14 * DAY_MS });
    b.h.record([req('alpaca', 2)], T0 + 15 * DAY_MS); // the first write of this process prunes
    expect(db.prepare('SELECT count(*) AS n FROM metrics_samples').get()).toEqual({ n: 1 });
    expect(b.h.list()).toEqual([{ name: 'mp_requests_total', series: 1, lastTs: T0 + 15 * DAY_MS, value: 2 }]);
  });

  it('rewrites unchanged values at the hourly heartbeat, so a live process never ages out', () => {
    const a = proc(101);
    expect(a.h.record([req('alpaca', 1)], T0)).toBe(1);
    expect(a.h.record([req('alpaca', 1)], T0 + 30 * 60_000)).toBe(0);
    expect(a.h.record([req('alpaca', 1)], T0 + 61 * 60_000)).toBe(1);
  });

  it('combines timestamps by max and per-process state only over running processes', () => {
    const alive = new Set([101]);
    const a = proc(101, { alive: (p) => alive.has(p) });
    const b = proc(202, { alive: (p) => alive.has(p) });
    a.h.record([{ name: 'mp_jobs_in_flight', labels: {}, value: 1 }, { name: 'mp_last_success_timestamp_seconds', labels: { provider: 'fake', feed: 'sim' }, value: 100 }], T0);
    b.h.record([{ name: 'mp_jobs_in_flight', labels: {}, value: 3 }, { name: 'mp_last_success_timestamp_seconds', labels: { provider: 'fake', feed: 'sim' }, value: 200 }], T0);
    const totals = a.h.totals();
    expect(totals.get('mp_jobs_in_flight')).toEqual([{ labels: {}, value: 1 }]);
    expect(totals.get('mp_last_success_timestamp_seconds')).toEqual([{ labels: { feed: 'sim', provider: 'fake' }, value: 200 }]);
  });

  it('samples an engine periodically and on demand (job end), and stop() takes a last sample', async () => {
    const m = new EngineMetrics({ processMetrics: false });
    const h = new MetricsHistory(db);
    const sampler = startHistorySampler(() => m.snapshot(), h, { intervalMs: 60_000 });
    m.rowsIngested('fake', 'sim', '1m', 390);
    expect(await sampler.sampleNow()).toBeGreaterThan(0);
    m.rowsIngested('fake', 'sim', '1m', 390);
    await sampler.stop();
    m.close();
    expect(h.totals().get('mp_ingest_rows_total')).toEqual([{ labels: { feed: 'sim', provider: 'fake', timeframe: '1m' }, value: 780 }]);
  });
});

describe('the 0004_metrics migration', () => {
  it('applies with the shipped migrations and gives MetricsHistory its tables', async () => {
    const { openDb } = await import('../db/open');
    const { migrate } = await import('../db/migrations');
    const full = openDb(`${dir}/full.db`);
    try {
      expect(migrate(full)).toContain('0004_metrics.sql');
      const h = new MetricsHistory(full);
      h.record([req('alpaca', 2)]);
      expect(h.list().map((l) => l.name)).toEqual(['mp_requests_total']);
    } finally {
      full.close();
    }
  });
});

describe('HistoryMetrics (the standalone server collector)', () => {
  it('serves the summed totals of every process, histograms included, as valid exposition text', async () => {
    const a = new EngineMetrics({ processMetrics: false });
    const b = new EngineMetrics({ processMetrics: false });
    a.requestObserved('alpaca', 'iex', 200, 0.1);
    a.requestObserved('alpaca', 'iex', 200, 0.3);
    b.requestObserved('alpaca', 'iex', 200, 2);
    b.validationFindings('gap', 'warning', 4);
    const ha = new MetricsHistory(db, { pid: 1, proc: '1@1', alive: () => false });
    const hb = new MetricsHistory(db, { pid: 2, proc: '2@1', alive: () => false });
    ha.record(await a.snapshot());
    hb.record(await b.snapshot());
    a.close();
    b.close();
    const served = new HistoryMetrics(new MetricsHistory(db), { cacheMs: 0 });
    try {
      const text = (await served.exposition(false)).body;
      expect(text).toContain('mp_requests_total{feed="iex",provider="alpaca",source="rest"} 3');
      expect(text).toContain('mp_request_latency_seconds_bucket{feed="iex",le="0.5",provider="alpaca",source="rest"} 2');
      expect(text).toContain('mp_request_latency_seconds_bucket{feed="iex",le="+Inf",provider="alpaca",source="rest"} 3');
      expect(text).toContain('mp_request_latency_seconds_count{feed="iex",provider="alpaca",source="rest"} 3');
      expect(text).toContain('mp_validation_errors_total{rule="gap",severity="warning"} 4');
      if (hasBinary('promtool')) expect(promtoolCheckMetrics(text).unexpected).toEqual([]);
      const om = (await served.exposition(true)).body;
      expect(om).toContain('# TYPE mp_requests counter');
      expect(om).toContain('mp_requests_total{feed="iex",provider="alpaca",source="rest"} 3');
      // classic names survive an OpenMetrics render
      expect((await served.exposition(false)).body).toContain('# TYPE mp_requests_total counter');
    } finally {
      served.close();
    }
  });

  it('legacy mode serves only the original families', async () => {
    const served = new HistoryMetrics(new MetricsHistory(db), { legacy: true, processMetrics: false });
    const text = (await served.exposition(true)).body;
    served.close();
    expect(text).toContain('# TYPE mp_requests_total counter');
    expect(text).not.toContain('mp_jobs_in_flight');
    expect(text).not.toContain('mp_last_success_timestamp_seconds');
    expect(text).not.toContain('marketpipe_event_loop_lag_seconds');
  });
});

describe('asciiPlot', () => {
  const fmt = (ts: number) => `t${ts}`;

  it('draws a rising step series with axis labels', () => {
    const out = asciiPlot(
      [
        { ts: 0, value: 0 },
        { ts: 5, value: 5 },
        { ts: 10, value: 10 },
      ],
      { width: 10, height: 3, formatTs: fmt },
    );
    expect(out.split('\n')).toEqual(['10 +         *', ' 5 +    ***** ', ' 0 +****      ', '   +----------', '   t0      t10', '']);
  });

  it('is pure: same input, same output; handles empty, single and flat series', () => {
    const pts = [
      { ts: 1000, value: 3 },
      { ts: 2000, value: 3 },
    ];
    expect(asciiPlot(pts, { width: 8, height: 4, formatTs: fmt })).toBe(asciiPlot(pts, { width: 8, height: 4, formatTs: fmt }));
    expect(asciiPlot([], { width: 8, height: 4 })).toBe('(no data)\n');
    expect(asciiPlot(pts, { width: 8, height: 3, formatTs: fmt }).split('\n')).toEqual(['4.5 +        ', '  3 +********', '1.5 +        ', '    +--------', '    t1000 t2000', '']);
    expect(asciiPlot([{ ts: 5, value: 1 }], { width: 4, height: 3, formatTs: fmt }).split('\n')).toEqual(['1.5 +    ', '  1 +****', '0.5 +    ', '    +----', '    t5', '']);
  });

  it('joins jumps with a vertical stroke and ignores non-finite points', () => {
    const out = asciiPlot(
      [
        { ts: 0, value: 0 },
        { ts: 1, value: Number.NaN },
        { ts: 10, value: 100 },
      ],
      { width: 4, height: 5, formatTs: fmt },
    );
    const rows = out.split('\n');
    expect(rows[0]).toBe('100 +   *');
    expect(rows[1]).toBe('    |   |');
    expect(rows[4]).toBe('  0 +*** ');
  });

  it('formats axis numbers compactly', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(1_234_567)).toBe('1.23M');
    expect(formatNumber(12_345)).toBe('12.35k');
    expect(formatNumber(0.001234)).toBe('0.00123');
    expect(formatNumber(2.5e9)).toBe('2.5G');
  });
});
