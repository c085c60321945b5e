import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { exchangeDate, sessionFor, tradingDays, zonedTimeToUtc } from '../calendar';
import { barsGlob, HIVE_TYPES, partitionFilesOnDisk, sqlString } from '../lake/layout';
import { LakeWriter } from '../lake/writer';
import { emptyBatch } from '../providers/batch';
import { fakeDay } from '../providers/fake';
import { makeTmpDir, type TmpDir } from '../testing/tmp';
import { loadUtcCsv, sessionBars, writePartition, type Bar } from '../validate/fixtures/lake';
import { aggregate } from './aggregate';

let tmp: TmpDir;
let barsRoot: string;
let writer: LakeWriter;
beforeEach(async () => {
  tmp = makeTmpDir('mp-aggregate-');
  barsRoot = path.join(tmp.dir, 'bars');
  writer = await LakeWriter.open(barsRoot);
});
afterEach(async () => {
  await writer.close();
  tmp.cleanup();
});

async function ingestFake(symbol: string, days: string[], scale = 1): Promise<void> {
  const b = emptyBatch(symbol, days.length * 400);
  for (const d of days) b.length += fakeDay(symbol, d, b, b.length);
  for (const c of ['open', 'high', 'low', 'close', 'vwap'] as const) for (let i = 0; i < b.length; i++) b[c][i] = b[c][i]! * scale;
  const from = sessionFor(days[0]!)!.preOpen;
  const to = sessionFor(days.at(-1)!)!.postClose;
  await writer.write({ key: { timeframe: '1m', provider: 'fake', feed: 'sim', symbol, year: 2024 }, batch: b, replaceFrom: from, replaceTo: to });
}

async function query(sql: string): Promise<unknown[][]> {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  try {
    await c.run(`SET TimeZone = 'UTC'`);
    await c.run(`CREATE VIEW bars AS SELECT * FROM read_parquet(${sqlString(barsGlob(barsRoot))}, hive_partitioning = true, hive_types = ${HIVE_TYPES})`);
    return (await c.runAndReadAll(sql)).getRowsJson() as unknown[][];
  } finally {
    c.closeSync();
    inst.closeSync();
  }
}

const COLS = `symbol, ts::VARCHAR, round(open, 6), round(high, 6), round(low, 6), round(close, 6), round(volume, 6), trade_count, round(vwap, 6)`;

/** Independent formulation of an intraday timeframe: ICU time_bucket in New York, FIRST/LAST by ORDER BY. */
const reference = (width: string) => `SELECT symbol, time_bucket(INTERVAL '${width}', ts, 'America/New_York') AS ts,
    first(open ORDER BY ts) AS open, max(high) AS high, min(low) AS low, last(close ORDER BY ts) AS close, sum(volume) AS volume,
    sum(trade_count) AS trade_count, sum(vwap * volume) / nullif(sum(volume), 0) AS vwap
  FROM bars WHERE timeframe = '1m' GROUP BY ALL`;

/** Independent daily bars in JS: group by exchange date, regular session only from the calendar. */
function referenceDaily(rows: unknown[][]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [symbol, rawMs, open, high, low, close, volume] of rows as Array<[string, string, number, number, number, number, number]>) {
    const ms = Number(rawMs);
    const date = exchangeDate(ms);
    const s = sessionFor(date);
    if (!s || ms < s.regularOpen || ms >= s.regularClose) continue;
    const k = `${symbol} ${date}`;
    const cur = out.get(k);
    if (!cur) out.set(k, [open, high, low, close, volume, ms, ms]);
    else {
      if (ms < cur[5]!) {
        cur[0] = open;
        cur[5] = ms;
      }
      if (ms > cur[6]!) {
        cur[3] = close;
        cur[6] = ms;
      }
      cur[1] = Math.max(cur[1]!, high);
      cur[2] = Math.min(cur[2]!, low);
      cur[4]! += volume;
    }
  }
  return out;
}

async function checkAgainstReference(): Promise<void> {
  for (const [tf, width] of [['5m', '5 minutes'], ['15m', '15 minutes'], ['30m', '30 minutes'], ['1h', '1 hour']] as const) {
    const ours = await query(`SELECT ${COLS} FROM bars WHERE timeframe = '${tf}' ORDER BY symbol, ts`);
    const ref = await query(`SELECT ${COLS} FROM (${reference(width)}) ORDER BY symbol, ts`);
    expect(ours.length).toBeGreaterThan(0);
    expect(ours, tf).toEqual(ref);
  }
  const raw = await query(`SELECT symbol, epoch_ms(ts), open, high, low, close, volume FROM bars WHERE timeframe = '1m'`);
  const ref = referenceDaily(raw);
  const daily = await query(`SELECT symbol, epoch_ms(ts), open, high, low, close, volume FROM bars WHERE timeframe = '1d' ORDER BY symbol, ts`);
  expect(daily.length).toBe(ref.size);
  for (const [symbol, rawMs, ...ohlcv] of daily as Array<[string, string, ...number[]]>) {
    const ms = Number(rawMs);
    const date = exchangeDate(ms);
    // stamped 00:00 New York of the session date
    expect(ms).toBe(zonedTimeToUtc(date, 0, 0, 'America/New_York'));
    const r = ref.get(`${symbol} ${date}`)!;
    expect(ohlcv.map((v) => Math.round(v * 1e6) / 1e6)).toEqual(r.slice(0, 5).map((v) => Math.round(v * 1e6) / 1e6));
  }
}

describe('aggregation', () => {
  const days = [...tradingDays('2024-03-07', '2024-03-12'), ...tradingDays('2024-07-02', '2024-07-05')];

  it('matches an independent formulation for every timeframe (DST switch and an early close included)', async () => {
    await ingestFake('AAA', days);
    await ingestFake('BBB', days);
    const r = await aggregate({ barsRoot, writer, timeframes: ['5m', '15m', '30m', '1h', '1d'] });
    expect(r).toMatchObject({ sourcePartitions: 2, partitions: 10 });
    // 1d: one bar per session; early close on 07-03 gives 42 five-minute bars
    expect(r.rows['1d']).toBe(2 * days.length);
    expect(await query(`SELECT count(*) FROM bars WHERE timeframe = '5m' AND symbol = 'AAA' AND ts >= '2024-07-03 13:30:00+00' AND ts < '2024-07-04 00:00:00+00'`)).toEqual([['42']]);
    expect(await query(`SELECT count(*) FROM bars WHERE timeframe = '1h' AND symbol = 'AAA' AND ts >= '2024-03-08' AND ts < '2024-03-09'`)).toEqual([['7']]);
    await checkAgainstReference();
    // same layout as the 1m bars, same provider and feed
    expect(partitionFilesOnDisk(barsRoot, { timeframe: '1d', provider: 'fake', feed: 'sim', symbol: 'AAA', year: 2024 })).toHaveLength(1);
  });

  it('4h: buckets at 04:00, 08:00, 12:00 and 16:00 New York (DST switch included), alone and with the others', async () => {
    await ingestFake('AAA', days);
    // (trade_count's type in the file differs between the two paths, HUGEINT sums written as DOUBLE: compare values)
    const cols = COLS.replace('trade_count', 'trade_count::BIGINT');
    const ours = `SELECT ${cols} FROM bars WHERE timeframe = '4h' ORDER BY 1, 2`;
    // (time_bucket's 4 hours in New York drift by the DST hour: the local hour itself, floored to a multiple of 4)
    const local = `(ts AT TIME ZONE 'America/New_York')`;
    const bucket = `((${local})::DATE + to_hours(4 * (hour(${local}) // 4))) AT TIME ZONE 'America/New_York'`;
    const ref = `SELECT ${cols} FROM (${reference('4 hours').replace(`time_bucket(INTERVAL '4 hours', ts, 'America/New_York')`, bucket)}) ORDER BY 1, 2`;
    const r = await aggregate({ barsRoot, writer, timeframes: ['4h'] });
    // the fake bars are the regular session: 08:00-12:00 and 12:00-16:00
    expect(r.rows['4h']).toBe(2 * days.length);
    const alone = await query(ours);
    expect(alone).toEqual(await query(ref));
    const hours = `SELECT DISTINCT strftime(timezone('America/New_York', ts), '%H:%M') AS h FROM bars WHERE timeframe = '4h' ORDER BY h`;
    expect((await query(hours)).map((h) => h[0])).toEqual(['08:00', '12:00']);
    // together with other timeframes (from partial aggregates): the same bars
    await aggregate({ barsRoot, writer, timeframes: ['5m', '1h', '4h', '1d'] });
    expect(await query(ours)).toEqual(alone);
    expect(await query(`SELECT count(*) FROM bars WHERE timeframe = '4h' AND session = 'regular'`)).toEqual([[String(2 * days.length)]]);
    // extended hours (the DBB sample has them): 04:00-08:00 and 16:00-20:00 too
    await loadUtcCsv(barsRoot, { timeframe: '1m', provider: 'csv', feed: 'file', symbol: 'DBB', year: 2024 }, path.join(__dirname, '..', 'validate', 'fixtures', 'DBB_1min_2024-03.csv'));
    await aggregate({ barsRoot, writer, timeframes: ['4h'], scope: { provider: 'csv' } });
    expect((await query(hours)).map((h) => h[0])).toEqual(['04:00', '08:00', '12:00', '16:00']);
    expect(await query(`SELECT * FROM (${ours}) WHERE symbol = 'DBB'`)).toEqual(await query(`SELECT * FROM (${ref}) WHERE symbol = 'DBB'`));
  });

  it('is idempotent, and a scoped re-run replaces only its range', async () => {
    await ingestFake('AAA', days);
    await aggregate({ barsRoot, writer });
    const before = await query(`SELECT timeframe, ${COLS} FROM bars WHERE timeframe <> '1m' ORDER BY ALL`);
    await aggregate({ barsRoot, writer });
    expect(await query(`SELECT timeframe, ${COLS} FROM bars WHERE timeframe <> '1m' ORDER BY ALL`)).toEqual(before);
    // the source changes on one day; re-aggregating that day alone gives what a full run would
    await ingestFake('AAA', ['2024-03-11'], 2);
    const r = await aggregate({ barsRoot, writer, scope: { start: '2024-03-11', end: '2024-03-11', symbols: ['AAA'] } });
    expect(r.rows['1d']).toBe(1);
    await checkAgainstReference();
    expect(await query(`SELECT count(*) FROM bars WHERE timeframe = '1d'`)).toEqual([[String(days.length)]]);
  });

  it('vwap is volume-weighted and NULL at zero volume; a missing trade_count or vwap makes the aggregate NULL', async () => {
    const bars: Bar[] = sessionBars('2024-01-02').slice(0, 10).map((b, i) => ({ ...b, volume: i < 5 ? 0 : i, vwap: 100 + i, tradeCount: i }));
    bars[7] = { ...bars[7]!, tradeCount: null };
    await writePartition(barsRoot, { timeframe: '1m', provider: 'p', feed: 'f', symbol: 'V', year: 2024 }, bars);
    await aggregate({ barsRoot, writer, timeframes: ['5m'] });
    const rows = await query(`SELECT ts::VARCHAR, volume, trade_count, vwap FROM bars WHERE timeframe = '5m' ORDER BY ts`);
    const w = (5 * 105 + 6 * 106 + 7 * 107 + 8 * 108 + 9 * 109) / (5 + 6 + 7 + 8 + 9);
    expect(rows).toEqual([
      ['2024-01-02 14:30:00+00', 0, '10', null],
      ['2024-01-02 14:35:00+00', 35, null, w],
    ]);
  });

  it('computes the timeframes together (from partial aggregates) exactly as each alone (from the 1m bars)', async () => {
    // extended hours with holes, zero and negative volumes, missing trade counts and vwaps, a DST switch, an early close
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const bars: Bar[] = [];
    for (const day of ['2024-03-08', '2024-03-11', '2024-07-03']) {
      const s = sessionFor(day)!;
      for (let ts = s.preOpen; ts < s.postClose; ts += 60_000) {
        if (rnd() < 0.3) continue;
        const p = 100 + rnd();
        const r = rnd();
        const volume = r < 0.1 ? 0 : r < 0.12 ? -5 : Math.round(r * 1000);
        bars.push({ ts, open: p, high: p + 0.1, low: p - 0.1, close: p + 0.01, volume, tradeCount: rnd() < 0.02 ? null : 3, vwap: rnd() < 0.02 ? null : p });
      }
    }
    const key = { timeframe: '1m' as const, provider: 'p', feed: 'f', symbol: 'R', year: 2024 };
    const plain = await writePartition(path.join(tmp.dir, 'plain'), key, bars);
    // through the writer, so the 1m file carries its sessions
    await writer.writeFromQuery({ key, sql: `SELECT * FROM read_parquet(${sqlString(plain)})` });
    const all = ['5m', '15m', '30m', '1h', '1d'] as const;
    const read = () => query(`SELECT timeframe, ts::VARCHAR, open, high, low, close, volume, trade_count, round(vwap, 9), session FROM bars WHERE timeframe <> '1m' ORDER BY ALL`);
    await aggregate({ barsRoot, writer, timeframes: [...all] });
    const together = await read();
    for (const tf of all) await aggregate({ barsRoot, writer, timeframes: [tf] });
    expect(await read()).toEqual(together);
    const fives = together.filter((r) => r[0] === '5m');
    expect(fives.some((r) => r[8] === null) && fives.some((r) => r[8] !== null) && fives.some((r) => r[7] === null)).toBe(true);
    expect(new Set(together.map((r) => r[9]))).toEqual(new Set(['pre', 'regular', 'post']));
  });

  it('is bit-for-bit repeatable: symbols aggregated together or one by one give the same floating-point values', async () => {
    const month = tradingDays('2024-01-02', '2024-02-29');
    const symbols = ['AAA', 'BBB', 'CCC', 'DDD'];
    for (const s of symbols) await ingestFake(s, month);
    const digest = () => query(`SELECT timeframe, symbol, count(*), sum(hash(ts, open, high, low, close, volume, trade_count, vwap))::VARCHAR FROM bars WHERE timeframe <> '1m' GROUP BY ALL ORDER BY ALL`);
    await aggregate({ barsRoot, writer });
    const together = await digest();
    for (const s of [...symbols].reverse()) await aggregate({ barsRoot, writer, scope: { symbols: [s] } });
    expect(await digest()).toEqual(together);
  });

  it('aggregates the DBB sample (thin, extended hours): intraday from every bar, daily from the regular session', async () => {
    await loadUtcCsv(barsRoot, { timeframe: '1m', provider: 'csv', feed: 'file', symbol: 'DBB', year: 2024 }, path.join(__dirname, '..', 'validate', 'fixtures', 'DBB_1min_2024-03.csv'));
    const r = await aggregate({ barsRoot, writer, scope: { provider: 'csv' } });
    expect(r.rows['1d']).toBe(20);
    const [[regularVolume]] = (await query(`SELECT sum(volume) FROM bars WHERE timeframe = '1m' AND
      (ts AT TIME ZONE 'America/New_York')::TIME >= '09:30' AND (ts AT TIME ZONE 'America/New_York')::TIME < '16:00'`)) as [[number]];
    expect(await query(`SELECT sum(volume) FROM bars WHERE timeframe = '1d'`)).toEqual([[regularVolume]]);
    expect(await query(`SELECT sum(volume) FROM bars WHERE timeframe = '5m'`)).toEqual(await query(`SELECT sum(volume) FROM bars WHERE timeframe = '1m'`));
    // vwap is absent in the CSV: NULL in every aggregate
    expect(await query(`SELECT count(vwap), count(trade_count) FROM bars WHERE timeframe <> '1m'`)).toEqual([['0', '0']]);
    await checkAgainstReference();
  });

  it('gives each aggregate a session from its minutes: regular when any minute is, else its first minute\'s', async () => {
    const key = { timeframe: '1m' as const, provider: 'csv', feed: 'file', symbol: 'DBB', year: 2024 };
    const old = await loadUtcCsv(path.join(tmp.dir, 'old'), key, path.join(__dirname, '..', 'validate', 'fixtures', 'DBB_1min_2024-03.csv'));
    // through the writer: the 1m file carries each minute's session, as every file this build writes
    await writer.writeFromQuery({ key, sql: `SELECT * FROM read_parquet(${sqlString(old)})` });
    await aggregate({ barsRoot, writer, scope: { provider: 'csv' } });
    const expected = await query(`SELECT time_bucket(INTERVAL '1 hour', ts, 'America/New_York')::VARCHAR AS h,
        CASE WHEN bool_or(session = 'regular') THEN 'regular' ELSE first(session ORDER BY ts) END
      FROM bars WHERE timeframe = '1m' GROUP BY 1 ORDER BY 1`);
    expect(expected.some((r) => r[1] === 'pre') && expected.some((r) => r[1] === 'post')).toBe(true);
    expect(await query(`SELECT ts::VARCHAR, session FROM bars WHERE timeframe = '1h' ORDER BY 1`)).toEqual(expected);
    expect(await query(`SELECT DISTINCT session FROM bars WHERE timeframe = '1d'`)).toEqual([['regular']]);
  });

  it('aggregates 1m files of older builds (no session column): the sessions come from the calendar', async () => {
    await loadUtcCsv(barsRoot, { timeframe: '1m', provider: 'csv', feed: 'file', symbol: 'DBB', year: 2024 }, path.join(__dirname, '..', 'validate', 'fixtures', 'DBB_1min_2024-03.csv'));
    await aggregate({ barsRoot, writer, scope: { provider: 'csv' } });
    const rows = (await query(`SELECT epoch_ms(ts), session FROM read_parquet(${sqlString(partitionFilesOnDisk(barsRoot, { timeframe: '5m', provider: 'csv', feed: 'file', symbol: 'DBB', year: 2024 })[0]!)})`)) as Array<[string, string | null]>;
    expect(rows.length).toBeGreaterThan(0);
    const { sessionOf } = await import('../calendar');
    expect(rows.filter(([ms, s]) => sessionOf(Number(ms)) !== s)).toEqual([]);
  });

  it('refuses bad requests', async () => {
    await expect(aggregate({ barsRoot, writer, timeframes: [] })).rejects.toMatchObject({ code: 'E_BAD_INPUT' });
    await expect(aggregate({ barsRoot, writer, scope: { start: '2024-02-01', end: '2024-01-01' } })).rejects.toMatchObject({ code: 'E_BAD_INPUT' });
  });
});
