import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { emptyBatch } from '../providers/batch';
import type { BarBatch } from '../providers/types';
import { LakeWriter } from './writer';
import { barsGlob, HIVE_TYPES, partitionDir, partitionFilesOnDisk, sqlString } from './layout';
import { sweepTempFiles } from './fsync';

let dir: string;
let writer: LakeWriter;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-lake-'));
  writer = await LakeWriter.open(dir);
});
afterEach(async () => {
  await writer.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2024, 0, 2, 14, 30);
function batch(minutes: number[], price = 100, extra: Partial<Record<'tradeCount' | 'vwap', number>> = {}): BarBatch {
  const b = emptyBatch('AAPL', minutes.length);
  minutes.forEach((m, i) => {
    b.ts[i] = T0 + m * 60_000;
    b.open[i] = price;
    b.high[i] = price + 1;
    b.low[i] = price - 1;
    b.close[i] = price + m / 100;
    b.volume[i] = 10 + m;
    b.tradeCount[i] = extra.tradeCount ?? 5;
    b.vwap[i] = extra.vwap ?? price;
  });
  b.length = minutes.length;
  return b;
}
const key = { timeframe: '1m' as const, provider: 'fake', feed: 'sim', symbol: 'AAPL', year: 2024 };
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

async function read(sql: string): Promise<unknown[][]> {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  await c.run(`SET TimeZone = 'UTC'`);
  await c.run(`CREATE VIEW bars AS SELECT * FROM read_parquet(${sqlString(barsGlob(dir))}, hive_partitioning = true, hive_types = ${HIVE_TYPES})`);
  const rows = (await c.runAndReadAll(sql)).getRowsJson();
  c.closeSync();
  inst.closeSync();
  return rows;
}

describe('lake writer', () => {
  it('writes one Hive partition file with UTC timestamps and NULL for missing values', async () => {
    const b = batch(range(0, 390));
    b.tradeCount[3] = NaN;
    b.vwap[4] = NaN;
    const r = await writer.write({ key, batch: b, replaceFrom: T0, replaceTo: T0 + 390 * 60_000 });
    expect(r).toMatchObject({ written: 390, total: 390 });
    expect(partitionFilesOnDisk(dir, key)).toEqual([r.file]);
    expect(path.relative(dir, r.file)).toMatch(/^timeframe=1m\/provider=fake\/feed=sim\/symbol=AAPL\/year=2024\/part-[a-z0-9]+-[a-f0-9]+\.parquet$/);
    const rows = await read(`SELECT symbol, timeframe, year, count(*), min(ts)::VARCHAR, count(trade_count), count(vwap), any_value(provider), any_value(feed) FROM bars GROUP BY ALL`);
    expect(rows).toEqual([['AAPL', '1m', 2024, '390', '2024-01-02 14:30:00+00', '389', '389', 'fake', 'sim']]);
    const types = await read(`SELECT column_name, column_type FROM (DESCRIBE SELECT ts, trade_count FROM bars)`);
    expect(types).toEqual([['ts', 'TIMESTAMP WITH TIME ZONE'], ['trade_count', 'BIGINT']]);
  });

  it('is idempotent: writing the same range twice leaves one copy of each bar', async () => {
    const req = { key, batch: batch(range(0, 100)), replaceFrom: T0, replaceTo: T0 + 100 * 60_000 };
    await writer.write(req);
    await writer.write(req);
    expect(await read(`SELECT count(*), count(DISTINCT ts) FROM bars`)).toEqual([['100', '100']]);
  });

  it('merges: keeps bars outside the fetched range, replaces those inside it', async () => {
    await writer.write({ key, batch: batch(range(0, 100), 100), replaceFrom: T0, replaceTo: T0 + 100 * 60_000 });
    // refetch minutes 50-149: 50-99 replaced (new price), 100-149 added; a bar the new delivery lacks (minute 60) goes
    const again = batch(range(50, 150).filter((m) => m !== 60), 200);
    await writer.write({ key, batch: again, replaceFrom: T0 + 50 * 60_000, replaceTo: T0 + 150 * 60_000 });
    expect(await read(`SELECT open, count(*) FROM bars GROUP BY ALL ORDER BY 1`)).toEqual([
      [100, '50'],
      [200, '99'],
    ]);
    expect(await read(`SELECT count(*) FROM bars WHERE ts = TIMESTAMPTZ '2024-01-02 15:30:00+00'`)).toEqual([['0']]);
    // sorted by time inside the file
    expect(await read(`SELECT bool_and(ts > prev) FROM (SELECT ts, lag(ts) OVER () AS prev FROM bars) WHERE prev IS NOT NULL`)).toEqual([[true]]);
  });

  it('de-duplicates and sorts an unordered delivery, keeping the last copy', async () => {
    const b = batch([5, 1, 3, 1, 2]);
    b.close[3] = 999; // the second delivery of minute 1 wins
    const r = await writer.write({ key, batch: b, replaceFrom: T0, replaceTo: T0 + 10 * 60_000 });
    expect(r).toMatchObject({ written: 4, total: 4 });
    expect(await read(`SELECT (epoch_ms(ts) - ${T0})::INTEGER, close FROM bars ORDER BY ts`)).toEqual([
      [60_000, 999],
      [120_000, 100.02],
      [180_000, 100.03],
      [300_000, 100.05],
    ]);
  });

  it('leaves no temp file behind and sweeps those of dead writers', async () => {
    const { file } = await writer.write({ key, batch: batch(range(0, 10)), replaceFrom: T0, replaceTo: T0 + 600_000 });
    const partDir = partitionDir(dir, key);
    expect(fs.readdirSync(partDir)).toEqual([path.basename(file)]);
    // a leftover of a writer that died (pid 999999999 cannot exist) and one of a live writer (us)
    fs.writeFileSync(path.join(partDir, '.data.999999999.abc.parquet.tmp'), 'half');
    fs.writeFileSync(path.join(partDir, `.data.${process.pid}.def.parquet.tmp`), 'busy');
    expect(sweepTempFiles(dir)).toBe(1);
    expect(fs.readdirSync(partDir).sort()).toEqual([`.data.${process.pid}.def.parquet.tmp`, path.basename(file)]);
    // readers never see temp files: the glob matches *.parquet only
    expect(await read(`SELECT count(*) FROM bars`)).toEqual([['10']]);
  });

  it('many derived writes: each partition published, and a failed write reported with no temp file left', async () => {
    const keys = ['AAA', 'BBB', 'CCC', 'DDD'].map((symbol) => ({ ...key, timeframe: '5m' as const, symbol }));
    // BBB's partition cannot be written: a file holds its folder's name
    fs.mkdirSync(path.dirname(partitionDir(dir, keys[1]!)), { recursive: true });
    fs.writeFileSync(partitionDir(dir, keys[1]!), 'in the way');
    const stage = `SELECT i AS k, epoch_ms(${T0} + j * 300000)::TIMESTAMPTZ AS ts, 1.0 AS open, 2.0 AS high, 0.5 AS low, 1.5 AS close,
      10.0 AS volume, 3::BIGINT AS trade_count, 1.2 AS vwap, 'regular' AS session FROM range(4) a(i), range(6) b(j)`;
    const writes = keys.map((k, i) => ({ key: k, sql: `SELECT * EXCLUDE (k) FROM derived WHERE k = ${i}`, withSession: true }));
    const run = writer.writeFromQueries(stage, writes, [{ name: 'derived', sql: 'SELECT * FROM src' }]);
    await expect(run).rejects.toMatchObject({ code: 'E_IO', message: expect.stringContaining('symbol=BBB') });
    const left: string[] = [];
    const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : left.push(e.name)));
    walk(dir);
    expect(left.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    // the writer is usable afterwards, and the partitions it could publish are whole
    fs.rmSync(partitionDir(dir, keys[1]!), { recursive: true });
    await writer.writeFromQueries(stage, writes, [{ name: 'derived', sql: 'SELECT * FROM src' }]);
    expect(await read(`SELECT symbol, count(*), min(session) FROM bars GROUP BY ALL ORDER BY symbol`)).toEqual(
      ['AAA', 'BBB', 'CCC', 'DDD'].map((s) => [s, '6', 'regular']),
    );
  });

  it('serialises concurrent writes to the same partition', async () => {
    await Promise.all([
      writer.write({ key, batch: batch(range(0, 10)), replaceFrom: T0, replaceTo: T0 + 600_000 }),
      writer.write({ key, batch: batch(range(10, 20)), replaceFrom: T0 + 600_000, replaceTo: T0 + 1_200_000 }),
    ]);
    expect(await read(`SELECT count(*) FROM bars`)).toEqual([['20']]);
  });
});

describe('the session column', () => {
  it('stores the phase of each bar by the exchange calendar, early closes and shut days included', async () => {
    // 2024-11-29 closes at 13:00 (post until 17:00); 2024-11-30 is a Saturday; 2024-03-11 is the first day of EDT.
    const days = [Date.UTC(2024, 10, 29), Date.UTC(2024, 10, 30), Date.UTC(2024, 2, 11), Date.UTC(2024, 2, 8)];
    const ts = days.flatMap((d) => Array.from({ length: 24 * 4 }, (_, i) => d + i * 15 * 60_000));
    ts.sort((a, b) => a - b);
    const b = emptyBatch('AAPL', ts.length);
    ts.forEach((t, i) => {
      b.ts[i] = t;
      b.open[i] = b.high[i] = b.low[i] = b.close[i] = 10;
      b.volume[i] = 1;
    });
    b.length = ts.length;
    await writer.write({ key, batch: b, replaceFrom: ts[0]!, replaceTo: ts.at(-1)! + 1 });
    const rows = (await read(`SELECT epoch_ms(ts) AS ms, session FROM bars ORDER BY ts`)) as Array<[string | number, string | null]>;
    expect(rows).toHaveLength(ts.length);
    const { sessionOf } = await import('../calendar');
    const mismatches = rows.filter(([ms, s]) => sessionOf(Number(ms)) !== s);
    expect(mismatches).toEqual([]);
    // the rows lie in the file in time order (a sorted write is not sorted again, and must not come out shuffled)
    expect(await read(`SELECT count(*) FROM (SELECT ts < lag(ts) OVER () AS back FROM read_parquet(${sqlString(partitionFilesOnDisk(dir, key)[0]!)})) WHERE back`)).toEqual([['0']]);
    const phases = new Set(rows.map(([, s]) => s));
    expect(phases).toEqual(new Set(['pre', 'regular', 'post', null]));
    // the early close: 13:00 New York (18:00 UTC) is already post
    expect(rows.find(([ms]) => Number(ms) === Date.UTC(2024, 10, 29, 18, 0))?.[1]).toBe('post');
    expect(rows.find(([ms]) => Number(ms) === Date.UTC(2024, 10, 29, 17, 45))?.[1]).toBe('regular');
  });

  it('agrees with the calendar on every 5-minute instant of whole years (both DST switches, every holiday)', async () => {
    const { sessionOf } = await import('../calendar');
    for (const year of [2008, 2024]) {
      // from New Year's Eve to 2 January, exchange time: the year's first and last instants included
      const from = Date.UTC(year - 1, 11, 31, 5);
      const to = Date.UTC(year + 1, 0, 2, 5);
      const ts = Array.from({ length: (to - from) / 300_000 }, (_, i) => from + i * 300_000);
      const b = emptyBatch('AAPL', ts.length);
      ts.forEach((t, i) => {
        b.ts[i] = t;
        b.open[i] = b.high[i] = b.low[i] = b.close[i] = 10;
        b.volume[i] = 1;
      });
      b.length = ts.length;
      await writer.write({ key: { ...key, year }, batch: b, replaceFrom: from, replaceTo: to });
      const rows = (await read(`SELECT epoch_ms(ts), session FROM bars WHERE year = ${year} ORDER BY ts`)) as Array<[string, string | null]>;
      expect(rows).toHaveLength(ts.length);
      // only the partition's own year is judged by its bounds; bars a day outside it are not the writer's to place
      const inYear = rows.filter(([ms]) => new Date(Number(ms) - 5 * 3_600_000).getUTCFullYear() === year);
      expect(inYear.filter(([ms, s]) => sessionOf(Number(ms)) !== s).slice(0, 5)).toEqual([]);
      expect(new Set(inYear.map(([, s]) => s))).toEqual(new Set(['pre', 'regular', 'post', null]));
    }
  });

  it('marks daily bars regular', async () => {
    const day = { ...key, timeframe: '1d' as const };
    await writer.write({ key: day, batch: batch([0, 1440]), replaceFrom: T0, replaceTo: T0 + 2 * 86_400_000 });
    expect(await read(`SELECT DISTINCT session FROM bars`)).toEqual([['regular']]);
  });
});
