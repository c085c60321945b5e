import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../testing/engine';
import { inProcessClient } from '../contract/dispatcher';
import { Engine } from '../engine';
import { makeTmpDir, type TmpDir } from '../testing/tmp';
import { MAX_FINDINGS } from '../contract/chart';
import { REPORT_HEADER } from '../validate/report';

// The chart explorer's requests through the engine's dispatcher: real DuckDB over a lake written by the real writer
// (fake provider), real SQLite for the validation runs, real audit CSV files.

let tmp: TmpDir;
let engine: Engine;
const client = () => inProcessClient(engine.dispatcher);

const JAN2 = Date.parse('2024-01-02T14:30:00Z'); // 09:30 New York, first regular minute of 2024
const FEB1 = Date.parse('2024-02-01T05:00:00Z'); // 00:00 New York

async function ok<T>(p: Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

beforeAll(async () => {
  tmp = makeTmpDir('mp-chart-');
  engine = new Engine({ dataDir: path.join(tmp.dir, 'data'), host: 'test', env: {} });
  const job = await engine.startIngest({ provider: 'fake', symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-31', pipeline: false });
  expect((await engine.waitForJob(job.id)).status).toBe('succeeded');
});
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

describe('chart.extent and chart.symbols', () => {
  it('tells the sources, timeframes and first/last bar of a symbol', async () => {
    const e = await ok(client().request('chart.extent', { symbol: 'aapl' }));
    expect(e.symbol).toBe('AAPL');
    expect(e.sources).toEqual([{ provider: 'fake', feed: 'sim', timeframes: ['1m'], first: JAN2, last: Date.parse('2024-01-31T20:59:00Z') }]);
    expect((await ok(client().request('chart.symbols', {}))).symbols).toEqual(['AAPL']);
  });

  it('answers an empty list for a symbol the lake does not hold', async () => {
    expect((await ok(client().request('chart.extent', { symbol: 'MSFT' }))).sources).toEqual([]);
  });
});

describe('chart.bars', () => {
  it('gives one day of 1m bars as columns when they fit', async () => {
    const b = await ok(client().request('chart.bars', { symbol: 'AAPL', timeframe: '1m', from: JAN2 - 3_600_000, to: JAN2 + 86_400_000 - 3_600_000, maxBars: 1000 }));
    expect(b).toMatchObject({ timeframe: '1m', requested: '1m', origin: 'lake', provider: 'fake', feed: 'sim', truncated: false });
    expect(b.t).toHaveLength(390);
    expect(b.t[0]).toBe(JAN2);
    expect(b.t.every((t, i) => i === 0 || t > b.t[i - 1]!)).toBe(true);
    for (const col of [b.o, b.h, b.l, b.c, b.v]) expect(col).toHaveLength(390);
  });

  it('computes a coarser timeframe with DuckDB when the range holds more than maxBars, aligned to New York', async () => {
    const b = await ok(client().request('chart.bars', { symbol: 'AAPL', timeframe: '1m', from: JAN2, to: FEB1, maxBars: 5000 }));
    // 21 sessions x 390 minutes = 8190 1m bars > 5000; 5m gives 21 x 78 = 1638
    expect(b).toMatchObject({ timeframe: '5m', origin: 'computed', truncated: false });
    expect(b.t).toHaveLength(21 * 78);
    // the same buckets as time_bucket on the New York clock over the 1m bars
    const ref = await queryRows(
      engine,
      `SELECT epoch_ms(time_bucket(INTERVAL 5 MINUTE, ts, 'America/New_York'))::DOUBLE AS t, arg_min(open, ts) AS o, max(high) AS h,
              min(low) AS l, arg_max(close, ts) AS c, sum(volume) AS v FROM bars WHERE symbol = 'AAPL' AND timeframe = '1m'
            GROUP BY 1 ORDER BY 1 LIMIT 3`,
      3,
    );
    ref.forEach((r, i) => expect([b.t[i], b.o[i], b.h[i], b.l[i], b.c[i], b.v[i]]).toEqual(r.map(Number)));
  });

  it('goes to daily bars (regular session, stamped 00:00 New York) when even hours do not fit', async () => {
    const b = await ok(client().request('chart.bars', { symbol: 'AAPL', timeframe: '1m', from: JAN2, to: FEB1, maxBars: 100 }));
    expect(b).toMatchObject({ timeframe: '1d', origin: 'computed' });
    expect(b.t).toHaveLength(21);
    expect(b.t[0]).toBe(Date.parse('2024-01-02T05:00:00Z'));
  });

  it('uses pre-aggregated bars of the lake when they exist', async () => {
    await engine.aggregate({ timeframes: ['1h'] });
    const b = await ok(client().request('chart.bars', { symbol: 'AAPL', timeframe: '1m', from: JAN2, to: FEB1, maxBars: 200 }));
    expect(b).toMatchObject({ timeframe: '1h', origin: 'lake' });
    expect(b.t).toHaveLength(21 * 7); // 09:30-10:00, then 10:00 … 15:00
    const computed = await ok(client().request('chart.bars', { symbol: 'AAPL', timeframe: '30m', from: JAN2, to: FEB1, maxBars: 300 }));
    expect(computed).toMatchObject({ timeframe: '30m', origin: 'computed' });
  });

  it('never answers more than maxBars: the coarsest timeframe is cut and says so', async () => {
    const b = await ok(client().request('chart.bars', { symbol: 'AAPL', timeframe: '1d', from: JAN2, to: FEB1, maxBars: 10 }));
    expect(b).toMatchObject({ timeframe: '1d', truncated: true });
    expect(b.t).toHaveLength(10);
  });

  it('refuses bad input with one clear error', async () => {
    const inverted = await client().request('chart.bars', { symbol: 'AAPL', from: FEB1, to: JAN2 });
    expect(inverted).toMatchObject({ ok: false, error: { code: 'E_BAD_INPUT', message: 'from: from must be before to' } });
    const half = await client().request('chart.bars', { symbol: 'AAPL', from: JAN2, to: FEB1, provider: 'fake' });
    expect(half).toMatchObject({ ok: false, error: { code: 'E_BAD_INPUT' } });
    const huge = await client().request('chart.bars', { symbol: 'AAPL', from: JAN2, to: FEB1, maxBars: 1_000_000 });
    expect(huge).toMatchObject({ ok: false, error: { code: 'E_BAD_INPUT' } });
    const none = await client().request('chart.bars', { symbol: 'MSFT', from: JAN2, to: FEB1 });
    expect(none).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND', message: 'no bars for MSFT in the lake: ingest it first' } });
    const other = await client().request('chart.bars', { symbol: 'AAPL', from: JAN2, to: FEB1, provider: 'alpaca', feed: 'iex' });
    expect(other).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND' } });
  });
});

describe('chart.sessions', () => {
  it('gives regular and extended hours per session from the calendar, early closes included', async () => {
    const s = await ok(client().request('chart.sessions', { from: Date.parse('2024-11-27T12:00:00Z'), to: Date.parse('2024-12-03T00:00:00Z') }));
    expect(s.sessions.map((x) => x.date)).toEqual(['2024-11-27', '2024-11-29', '2024-12-02']);
    const friday = s.sessions[1]!;
    expect(friday).toEqual({
      date: '2024-11-29',
      preOpen: Date.parse('2024-11-29T09:00:00Z'),
      open: Date.parse('2024-11-29T14:30:00Z'),
      close: Date.parse('2024-11-29T18:00:00Z'),
      postClose: Date.parse('2024-11-29T22:00:00Z'),
      earlyClose: true,
    });
    expect(s.sessions[2]!.close).toBe(Date.parse('2024-12-02T21:00:00Z'));
  });

  it('refuses a range of more sessions than one message may carry', async () => {
    const r = await client().request('chart.sessions', { from: Date.parse('1990-01-01'), to: Date.parse('2030-01-01') });
    expect(r).toMatchObject({ ok: false, error: { code: 'E_BAD_INPUT' } });
  });
});

describe('chart.findings', () => {
  it('reads the findings of the recorded audit reports for the symbol and range', async () => {
    expect(await ok(client().request('chart.findings', { symbol: 'AAPL', from: JAN2, to: FEB1 }))).toEqual({
      findings: [],
      truncated: false,
      marks: { t: [], error: [], warning: [], info: [] },
      marksTruncated: false,
      reports: 0,
    });
    // February 1 and 2 are not in the lake: missing sessions, stamped 00:00 New York of the day
    await engine.validate({ scope: { symbols: ['AAPL'], start: '2024-01-02', end: '2024-02-02' } });
    await engine.validate({ scope: { symbols: ['AAPL'], start: '2024-01-02', end: '2024-02-02' } }); // twice: shown once
    const f = await ok(client().request('chart.findings', { symbol: 'AAPL', timeframe: '1m', from: JAN2, to: Date.parse('2024-02-03T00:00:00Z') }));
    expect(f.reports).toBe(2);
    const missing = f.findings.filter((x) => x.rule === 'missing_session');
    expect(missing.map((x) => x.t)).toEqual([Date.parse('2024-02-01T05:00:00Z'), Date.parse('2024-02-02T05:00:00Z')]);
    expect(missing[0]).toMatchObject({ provider: 'fake', feed: 'sim', timeframe: '1m' });
    // the 1h series, judged on demand, adds its own findings; without a timeframe every series' findings come
    await engine.validate({ scope: { symbols: ['AAPL'], start: '2024-01-02', end: '2024-02-02', timeframe: '1h' } });
    const all = await ok(client().request('chart.findings', { symbol: 'AAPL', from: JAN2, to: Date.parse('2024-02-03T00:00:00Z') }));
    expect(all.findings.filter((x) => x.rule === 'missing_session').map((x) => x.timeframe).sort()).toEqual(['1h', '1h', '1m', '1m']);
    const narrow = await ok(client().request('chart.findings', { symbol: 'AAPL', from: JAN2, to: FEB1 }));
    expect(narrow.findings.filter((x) => x.rule === 'missing_session')).toEqual([]);
    expect((await ok(client().request('chart.findings', { symbol: 'MSFT', from: JAN2, to: FEB1 + 86_400_000 * 3 }))).findings).toEqual([]);
  });
  it('counts every finding of the range for the markers, in groups of `per`, beyond the findings it lists', async () => {
    // a recorded run of 2,500 findings of ZZZ, two a minute (two rules), half errors, four in ten warnings, one in ten info
    const n = MAX_FINDINGS + 500;
    const file = path.join(tmp.dir, 'many.csv');
    const sev = (i: number) => (i % 10 < 5 ? 'error' : i % 10 < 9 ? 'warning' : 'info');
    const lines = Array.from({ length: n }, (_, i) =>
      ['ZZZ', '1m', new Date(JAN2 + Math.floor(i / 2) * 60_000).toISOString().replace('.000Z', 'Z'), i % 2 ? 'price_jump' : 'volume_spike', sev(i), `m${i}`, 'fake', 'sim', '', 'nyse', '1', ''].join(','),
    );
    fs.writeFileSync(file, [REPORT_HEADER.join(','), ...lines].join('\r\n') + '\r\n');
    const db = new Database(path.join(tmp.dir, 'data', 'marketpipe.db'));
    db.prepare(`INSERT INTO validation_runs (id, created_at, job_id, scope, thresholds, calendar_version, provider, feed, report_file, series,
      bars_checked, findings_total, counts, elapsed_ms) VALUES ('many', ?, NULL, '{}', '{}', 'nyse', 'fake', 'sim', ?, 1, ?, ?, '{}', 1)`).run(new Date().toISOString(), file, n, n);
    db.close();
    const to = JAN2 + 86_400_000;
    const hourly = await ok(client().request('chart.findings', { symbol: 'ZZZ', from: JAN2, to, per: 3_600_000 }));
    expect(hourly.findings).toHaveLength(MAX_FINDINGS);
    expect(hourly.truncated).toBe(true);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect([sum(hourly.marks.error), sum(hourly.marks.warning), sum(hourly.marks.info)]).toEqual([n / 2, (n * 4) / 10, n / 10]);
    // 1,250 minutes from 14:30 UTC (to 11:19 the next day): 22 hours, each group starting on its hour
    expect(hourly.marks.t).toHaveLength(22);
    expect(hourly.marks.t[0]).toBe(Date.parse('2024-01-02T14:00:00Z'));
    expect(hourly.marks.t.every((t) => t % 3_600_000 === 0)).toBe(true);
    expect(hourly.marksTruncated).toBe(false);
    // by the minute (the default): one group per minute, two findings each
    const minutes = await ok(client().request('chart.findings', { symbol: 'ZZZ', from: JAN2, to }));
    expect(minutes.marks.t).toHaveLength(n / 2);
    expect(minutes.marks.t.every((t, i) => minutes.marks.error[i]! + minutes.marks.warning[i]! + minutes.marks.info[i]! === 2)).toBe(true);
    // a narrower range counts only its own
    const firstHour = await ok(client().request('chart.findings', { symbol: 'ZZZ', from: JAN2, to: JAN2 + 1_800_000, per: 3_600_000 }));
    expect(firstHour.truncated).toBe(false);
    expect(sum([...firstHour.marks.error, ...firstHour.marks.warning, ...firstHour.marks.info])).toBe(60);
    expect(await client().request('chart.findings', { symbol: 'ZZZ', from: JAN2, to, per: 1000 })).toMatchObject({ ok: false, error: { code: 'E_BAD_INPUT' } });
  });
});
