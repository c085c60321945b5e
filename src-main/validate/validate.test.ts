import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTmpDir, type TmpDir } from '../testing/tmp';
import type { PartitionKey } from '../lake/layout';
import { sessionFor } from '../calendar';
import { listRules, RULE_IDS, ThresholdsSchema } from './rules';
import { runValidation, type ValidationRunResult } from './run';
import { REPORT_HEADER } from './report';
import { ny, readReport, sessionBars, sessionsBars, writePartition, type Bar, type ReportRow } from './fixtures/lake';

let tmp: TmpDir;
let barsRoot: string;
let reportDir: string;
beforeEach(() => {
  tmp = makeTmpDir('mp-validate-');
  barsRoot = path.join(tmp.dir, 'lake', 'bars');
  reportDir = path.join(tmp.dir, 'reports');
});
afterEach(() => tmp.cleanup());

const NOW = Date.UTC(2024, 6, 1);
const key = (symbol = 'AAA', timeframe: PartitionKey['timeframe'] = '1m', year = 2024): PartitionKey => ({ timeframe, provider: 'fake', feed: 'sim', symbol, year });

async function validate(extra: Partial<Parameters<typeof runValidation>[0]> = {}): Promise<{ r: ValidationRunResult; rows: ReportRow[] }> {
  const r = await runValidation({ barsRoot, reportDir, now: NOW, ...extra });
  return { r, rows: await readReport(r.reportFile) };
}

const rulesOf = (rows: ReportRow[]) => rows.map((x) => `${x.rule}:${x.severity}`).sort();

describe('rule list', () => {
  it('lists every rule once with severity, description and thresholds; thresholds have defaults and are checked', () => {
    const rules = listRules();
    expect(rules.map((r) => r.id)).toEqual([...RULE_IDS]);
    for (const r of rules) {
      expect(r.description.length).toBeGreaterThan(10);
      expect(r.severities).toContain(r.severity);
    }
    expect(rules.find((r) => r.id === 'stale_price')?.values).toEqual({ staleRunBars: 30 });
    expect(listRules({ staleRunBars: 5 }).find((r) => r.id === 'stale_price')?.values).toEqual({ staleRunBars: 5 });
    expect(ThresholdsSchema.safeParse({ staleRunBars: 1 }).success).toBe(false);
    expect(ThresholdsSchema.safeParse({ nope: 1 }).success).toBe(false);
  });
});

describe('validation rules on hand-made partitions', () => {
  it('clean bars: no findings, a header-only report, calendar version and source recorded', async () => {
    await writePartition(barsRoot, key(), sessionsBars('2024-01-02', '2024-01-05'));
    const { r, rows } = await validate();
    expect(r.totalFindings).toBe(0);
    expect(r.barsChecked).toBe(4 * 390);
    expect(r).toMatchObject({ calendarVersion: 'nyse-2026.1', provider: 'fake', feed: 'sim', series: 1 });
    expect(rows).toEqual([]);
    expect(fs.readFileSync(r.reportFile, 'utf8').split('\r\n')[0]).toBe(REPORT_HEADER.join(','));
  });

  it('ohlc_consistency, non_positive_price, negative_volume', async () => {
    const bars = sessionBars('2024-01-02');
    bars[10] = { ...bars[10]!, high: 99 }; // high below open/close
    bars[20] = { ...bars[20]!, low: 100.01 }; // low above open/close
    bars[30] = { ...bars[30]!, open: 0, high: 0, low: 0, close: 0 };
    bars[40] = { ...bars[40]!, volume: -5 };
    bars[41] = { ...bars[41]!, close: Number.NaN };
    await writePartition(barsRoot, key(), bars);
    const { rows } = await validate();
    // the zero bar and the NaN bar also jump from/to 100: price_jump is expected there
    const counted = rulesOf(rows.filter((x) => x.rule !== 'price_jump'));
    expect(counted).toEqual(['negative_volume:error', 'non_positive_price:error', 'non_positive_price:error', 'ohlc_consistency:error', 'ohlc_consistency:error']);
    const ohlc = rows.filter((x) => x.rule === 'ohlc_consistency');
    expect(ohlc[0]!.message).toBe('low 99.95 is above high 99');
    expect(ohlc[1]!.message).toBe('low 100.01 is above min(open, close) 100');
    expect(ohlc[0]!.ts).toBe(new Date(bars[10]!.ts).toISOString().replace('.000Z', 'Z'));
    expect(JSON.parse(ohlc[0]!.observed)).toEqual({ open: 100, high: 99, low: 99.95, close: 100, volume: 100 });
    expect(rows.find((x) => x.rule === 'negative_volume')?.value).toBe(-5);
  });

  it('duplicate_bar: one finding per repeated timestamp within a source', async () => {
    const bars = sessionBars('2024-01-02');
    await writePartition(barsRoot, key(), [...bars, bars[5]!, bars[5]!, bars[6]!]);
    const { rows } = await validate();
    expect(rulesOf(rows)).toEqual(['duplicate_bar:error', 'duplicate_bar:error']);
    expect(rows.map((x) => x.value)).toEqual([3, 2]);
  });

  it('timestamp_alignment: a 1m bar at :30 seconds, a daily bar not at 00:00 New York', async () => {
    const bars = sessionBars('2024-01-02');
    await writePartition(barsRoot, key(), [...bars, { ...bars[100]!, ts: bars[100]!.ts + 30_000 }]);
    const daily: Bar[] = ['2024-01-02', '2024-01-03', '2024-01-04'].map((d) => ({ ts: ny(d, 0, 0), open: 100, high: 101, low: 99, close: 100, volume: 1000 }));
    daily[1] = { ...daily[1]!, ts: Date.UTC(2024, 0, 3) + 5 * 3_600_000 + 3_600_000 }; // 01:00 New York
    await writePartition(barsRoot, key('DDD', '1d'), daily);
    const { rows } = await validate();
    expect(rows.map((x) => [x.symbol, x.timeframe, x.rule, x.value])).toEqual([
      ['AAA', '1m', 'timestamp_alignment', 30],
      ['DDD', '1d', 'timestamp_alignment', 3600],
    ]);
    expect(rows[0]!.ts).toBe('2024-01-02T16:10:30Z');
  });

  it('non_trading_day (weekend, holiday) and outside_trading_hours (early close honoured)', async () => {
    const bars = [
      ...sessionBars('2024-01-02'),
      { ts: ny('2024-01-02', 3, 59), open: 100, high: 100, low: 100, close: 100, volume: 1 }, // before 04:00
      { ts: ny('2024-01-02', 19, 59), open: 100, high: 100, low: 100, close: 100, volume: 1 }, // fine
      { ts: ny('2024-01-02', 20, 0), open: 100, high: 100, low: 100, close: 100, volume: 1 }, // after 20:00
      { ts: ny('2024-01-06', 11, 0), open: 100, high: 100, low: 100, close: 100, volume: 1 }, // Saturday
      { ts: ny('2024-01-15', 11, 0), open: 100, high: 100, low: 100, close: 100, volume: 1 }, // MLK day
    ];
    await writePartition(barsRoot, key(), bars);
    const early = [...sessionBars('2024-07-03'), { ts: ny('2024-07-03', 16, 59), open: 1, high: 1, low: 1, close: 1, volume: 1 }, { ts: ny('2024-07-03', 17, 0), open: 1, high: 1, low: 1, close: 1, volume: 1 }];
    await writePartition(barsRoot, key('EEE'), early.map((b) => ({ ...b, open: 100, high: 100.05, low: 99.95, close: 100 })));
    const { rows } = await validate({ scope: { start: '2024-01-02', end: '2024-01-02', symbols: ['AAA'] } });
    expect(rulesOf(rows)).toEqual(['outside_trading_hours:warning', 'outside_trading_hours:warning']);
    expect(rows[0]!.message).toBe('bar at 03:59 New York, outside 04:00-20:00');
    const all = await validate({ scope: { symbols: ['AAA'] }, now: Date.UTC(2024, 0, 3) });
    expect(all.rows.filter((x) => x.rule === 'non_trading_day').map((x) => x.message)).toEqual([
      'bar on 2024-01-06 Saturday, not a trading day',
      'bar on 2024-01-15 Martin Luther King Jr. Day, not a trading day',
    ]);
    const e = await validate({ scope: { symbols: ['EEE'] }, now: Date.UTC(2024, 6, 10) });
    expect(e.rows.map((x) => [x.rule, x.ts])).toEqual([['outside_trading_hours', '2024-07-03T21:00:00Z']]);
    expect(e.rows[0]!.message).toBe('bar at 17:00 New York, outside 04:00-17:00 (early close)');
  });

  it('missing_session: one finding per trading day without bars in the validated range; warning for thin symbols', async () => {
    await writePartition(barsRoot, key(), [...sessionBars('2024-01-02'), ...sessionBars('2024-01-05')]);
    await writePartition(barsRoot, key('THIN'), [...sessionBars('2024-01-02').slice(0, 60), ...sessionBars('2024-01-05').slice(0, 60)]);
    const { rows } = await validate({ scope: { start: '2024-01-01', end: '2024-01-08' } });
    const missing = rows.filter((x) => x.rule === 'missing_session').map((x) => [x.symbol, x.ts, x.severity]);
    expect(missing).toEqual([
      ['AAA', '2024-01-03T05:00:00Z', 'error'],
      ['AAA', '2024-01-04T05:00:00Z', 'error'],
      ['AAA', '2024-01-08T05:00:00Z', 'error'],
      ['THIN', '2024-01-03T05:00:00Z', 'warning'],
      ['THIN', '2024-01-04T05:00:00Z', 'warning'],
      ['THIN', '2024-01-08T05:00:00Z', 'warning'],
    ]);
    // without a scope, the range is the series' own first to last day; sessions not over yet are not judged
    const own = await validate({ scope: { symbols: ['AAA'] }, now: ny('2024-01-05', 16, 0) });
    expect(own.rows.map((x) => x.ts)).toEqual(['2024-01-03T05:00:00Z', '2024-01-04T05:00:00Z']);
  });

  it('intraday_gap: graded by the share missing, info only for thin symbols, points at the first missing bar', async () => {
    const day = sessionBars('2024-01-02');
    const drop = (from: number, count: number) => day.filter((_, i) => i < from || i >= from + count);
    await writePartition(barsRoot, key('G1'), drop(100, 10));
    await writePartition(barsRoot, key('G2'), drop(0, 100));
    await writePartition(barsRoot, key('G3'), [...drop(300, 90).slice(0, 100), ...sessionsBars('2024-01-03', '2024-01-04')]); // 290 missing, up to the end
    const thin = [...sessionBars('2024-01-03').slice(0, 100), ...sessionBars('2024-01-04').slice(0, 100), ...drop(0, 300)];
    await writePartition(barsRoot, key('G4'), thin);
    const { rows } = await validate();
    const gaps = rows.filter((x) => x.rule === 'intraday_gap').map((x) => [x.symbol, x.severity, x.value, x.ts]);
    expect(gaps).toEqual([
      ['G1', 'info', 10, '2024-01-02T16:10:00Z'],
      ['G2', 'warning', 100, '2024-01-02T14:30:00Z'],
      ['G3', 'error', 290, '2024-01-02T16:10:00Z'],
      ['G4', 'info', 300, '2024-01-02T14:30:00Z'],
      ['G4', 'info', 290, '2024-01-03T16:10:00Z'],
      ['G4', 'info', 290, '2024-01-04T16:10:00Z'],
    ]);
    expect(rows.find((x) => x.symbol === 'G1')!.message).toBe('10 of 390 regular-session bars missing on 2024-01-02 (2.6%)');
    expect(JSON.parse(rows.find((x) => x.symbol === 'G1')!.observed)).toMatchObject({ expected: 390, present: 380, missing: 10 });
  });

  it('intraday_gap counts an early-close session as 210 minutes', async () => {
    await writePartition(barsRoot, key(), sessionBars('2024-07-03').slice(0, 200));
    const { rows } = await validate({ now: Date.UTC(2024, 6, 10) });
    expect(rows.map((x) => [x.rule, x.value])).toEqual([['intraday_gap', 10]]);
    expect(rows[0]!.message).toContain('10 of 210');
  });

  it('price_jump within and across sessions; possible_split instead of a jump at a 2:1 split', async () => {
    const d1 = sessionBars('2024-01-02', 100);
    const jumped = d1.map((b, i) => (i >= 200 ? { ...b, open: 125, high: 125.05, low: 124.95, close: 125 } : b)); // +25%
    jumped[200] = { ...jumped[200]!, open: 100, low: 99.95 };
    await writePartition(barsRoot, key('J1'), [...jumped, ...sessionBars('2024-01-03', 125)]);
    await writePartition(barsRoot, key('J2'), [...sessionBars('2024-01-02', 100), ...sessionBars('2024-01-03', 55)]); // -45%, ratio 1.82
    await writePartition(barsRoot, key('SPL'), [...sessionBars('2024-01-02', 100), ...sessionBars('2024-01-03', 50.5)]); // ratio 1.98
    await writePartition(barsRoot, key('SMALL'), [...sessionBars('2024-01-02', 100), ...sessionBars('2024-01-03', 70)]); // -30%: below 40%
    const { rows } = await validate();
    expect(rows.map((x) => [x.symbol, x.rule, x.ts])).toEqual([
      ['J1', 'price_jump', '2024-01-02T17:50:00Z'],
      ['J2', 'price_jump', '2024-01-03T14:30:00Z'],
      ['SPL', 'possible_split', '2024-01-03T14:30:00Z'],
    ]);
    expect(rows[0]!.message).toBe('close moved 25% from 100 to 125 (within the session)');
    expect(rows[2]!.value).toBe(2);
  });

  it('stale_price: a run of 30 identical zero-volume bars is one finding; 29 are none', async () => {
    const bars = sessionBars('2024-01-02').map((b, i) => (i >= 50 && i < 80 ? { ...b, high: 100, low: 100, volume: 0 } : b));
    await writePartition(barsRoot, key('ST1'), bars);
    await writePartition(barsRoot, key('ST2'), sessionBars('2024-01-02').map((b, i) => (i >= 50 && i < 79 ? { ...b, high: 100, low: 100, volume: 0 } : b)));
    const { rows } = await validate();
    expect(rows.map((x) => [x.symbol, x.rule, x.ts, x.value])).toEqual([['ST1', 'stale_price', '2024-01-02T15:20:00Z', 30]]);
    expect((await validate({ thresholds: { staleRunBars: 29 } })).rows.map((x) => x.symbol)).toEqual(['ST1', 'ST2']);
  });

  it('future_timestamp: bars after now', async () => {
    await writePartition(barsRoot, key(), sessionBars('2024-01-02'));
    const now = ny('2024-01-02', 15, 59) + 1;
    const { rows } = await validate({ now });
    expect(rows).toEqual([]);
    const later = await validate({ now: ny('2024-01-02', 15, 58) + 1 });
    expect(later.rows.map((x) => [x.rule, x.ts])).toEqual([['future_timestamp', '2024-01-02T20:59:00Z']]);
  });

  it('scope: symbols, dates, provider, feed and timeframe select what is judged', async () => {
    await writePartition(barsRoot, key('AAA'), [...sessionBars('2024-01-02'), { ...sessionBars('2024-01-03')[0]!, volume: -1 }]);
    await writePartition(barsRoot, { ...key('AAA'), provider: 'alpaca', feed: 'iex' }, [{ ...sessionBars('2024-01-02')[0]!, volume: -1 }]);
    expect((await validate({ scope: { provider: 'fake', end: '2024-01-02' } })).r.totalFindings).toBe(0);
    const r = (await validate({ scope: { provider: 'alpaca', feed: 'iex', start: '2024-01-02', end: '2024-01-02' } })).r;
    expect(r.findings.negative_volume.error).toBe(1);
    expect(r).toMatchObject({ provider: 'alpaca', feed: 'iex' });
    const both = (await validate({ scope: { symbols: ['AAA'], timeframe: '1m' } })).r;
    expect(both).toMatchObject({ providers: ['alpaca', 'fake'], feeds: ['iex', 'sim'], provider: 'alpaca,fake' });
    expect((await validate({ scope: { symbols: ['ZZZ'] } })).r).toMatchObject({ series: 0, barsChecked: 0, provider: null });
    await expect(runValidation({ barsRoot, reportDir, scope: { start: '2024-02-01', end: '2024-01-01' } })).rejects.toMatchObject({ code: 'E_BAD_INPUT' });
  });

  it('batches whole series: a tiny batch size gives the same findings', async () => {
    for (const s of ['B1', 'B2', 'B3']) {
      const bars = sessionsBars('2024-01-02', '2024-01-04');
      bars[7] = { ...bars[7]!, volume: -1 };
      await writePartition(barsRoot, key(s), bars.filter((_, i) => i !== 500));
    }
    const one = await validate();
    const many = await validate({ maxBatchRows: 1 });
    expect(many.rows.map((x) => [x.symbol, x.rule, x.ts])).toEqual(one.rows.map((x) => [x.symbol, x.rule, x.ts]));
    expect(one.r.totalFindings).toBe(6);
  });

  it('reads the DST switch right: bars of the days around it are on their own local dates', async () => {
    // 2024-03-08 (EST) and 2024-03-11 (EDT): full sessions, no findings; a bar at 23:30 New York on Sunday 03-10 is a non-trading-day bar
    const bars = [...sessionBars('2024-03-08'), ...sessionBars('2024-03-11'), { ts: ny('2024-03-10', 23, 30), open: 100, high: 100, low: 100, close: 100, volume: 1 }];
    await writePartition(barsRoot, key(), bars);
    const { rows } = await validate();
    expect(rows.map((x) => [x.rule, x.ts, x.message])).toEqual([['non_trading_day', '2024-03-11T03:30:00Z', 'bar on 2024-03-10 Sunday, not a trading day']]);
    expect(sessionFor('2024-03-11')!.regularOpen).toBe(Date.UTC(2024, 2, 11, 13, 30));
  });
});
