import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { expect, it } from 'vitest';
import { Engine } from '../src-main/engine';
import { ALPACA_EMULATOR_KEY, ALPACA_EMULATOR_SECRET, start as startAlpaca } from '../src-main/testing/emulators/alpaca';
import type { EmulatorHandle } from '../src-main/testing/emulators/common';
import { POLYGON_EMULATOR_KEY, start as startPolygon } from '../src-main/testing/emulators/polygon';

// Provider budgets (issue "Hold under hostile load", item 7). Benchmarks, not tests: they print figures.
//  - a one-session update of 500 symbols against the Alpaca emulator enforcing the free plan (200 requests a fixed
//    minute, 429 beyond), 1m bars, and against the Polygon emulator enforcing its free plan (5 a minute), 1d bars:
//    requests used vs the minimum (total bars / page size, at least 1), time vs the time that minimum needs at the
//    documented rate (minimum requests / rate per minute), 429s drawn;
//  - the fake provider, 10,000 symbols x 1 session, against DuckDB writing the same rows into the same layout (one
//    file per symbol: one COPY each; PARTITION_BY in one statement reported too).
// Run: npx vitest run --config bench/vitest.config.mts bench/provider-budget.bench-run.ts   (the fake part dominates:
//      its floor alone, 10,000 COPYs, took about 2 minutes here at load 11-14; the ingest 1.2x that)
//      one part: add -t alpaca | -t polygon | -t fake; MP_BENCH_FAKE_SYMBOLS=2000 for a shorter fake run.

const SYMBOLS = Array.from({ length: 500 }, (_, i) => `U${String(i).padStart(3, '0')}`);
const DAY = '2024-03-01';
const round1 = (x: number) => Math.round(x * 10) / 10;

/** The job's fetch and write time as its ingest.completed event reports them. */
function stagesOf(engine: Engine): { fetchMs: number; writeMs: number } {
  const stages = { fetchMs: 0, writeMs: 0 };
  engine.bus.subscribe((e) => {
    if (e.type === 'ingest.completed') {
      const p = e.payload as { fetchMs: number; writeMs: number };
      stages.fetchMs = p.fetchMs;
      stages.writeMs = p.writeMs;
    }
  });
  return stages;
}

async function update(provider: 'alpaca' | 'polygon', emu: EmulatorHandle, env: NodeJS.ProcessEnv, timeframe: '1m' | '1d', opts: { barsPerSymbol: number; pageSize: number; ratePerMinute: number }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mp-bench-${provider}-`));
  const engine = new Engine({ dataDir: dir, host: 'cli', env });
  try {
    const stages = stagesOf(engine);
    const t0 = performance.now();
    const wall0 = Date.now();
    const job = await engine.startIngest({ provider, symbols: SYMBOLS, timeframe, start: DAY, end: DAY, workers: 4, pipeline: false });
    const done = await engine.waitForJob(job.id);
    const seconds = (performance.now() - t0) / 1000;
    expect(done.status).toBe('succeeded');
    const bars = SYMBOLS.length * opts.barsPerSymbol;
    expect(done.rowsWritten).toBe(bars);
    const minRequests = Math.max(1, Math.ceil(bars / opts.pageSize));
    const minSeconds = (minRequests / opts.ratePerMinute) * 60;
    const requestsSeconds = (Math.max(...emu.requests.map((r) => r.at)) - wall0) / 1000;
    const result = {
      provider,
      timeframe,
      symbols: SYMBOLS.length,
      bars,
      requests: emu.stats.received,
      minRequests,
      requestRatio: round1(emu.stats.received / minRequests),
      // the budget's side: from the start to the last request's arrival (the requests' pace), then the whole job
      requestsSeconds: round1(requestsSeconds),
      minSeconds: round1(minSeconds),
      requestsTimeRatio: round1(requestsSeconds / minSeconds),
      seconds: round1(seconds),
      timeRatio: round1(seconds / minSeconds),
      status429: emu.stats.rateLimited,
      // summed over workers; the writes are serialised through the lake writer
      fetchSeconds: round1(stages.fetchMs / 1000),
      writeSeconds: round1(stages.writeMs / 1000),
      target: 'requests <= 2x the minimum, time <= 2x the minimum time at the documented rate',
    };
    console.log(`provider budget: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

it('alpaca: one-session update of 500 symbols, 1m, free plan (200/min)', async () => {
  const emu = await startAlpaca({ rateLimit: { limit: 200, windowMs: 60_000 }, latencyMs: 20 });
  try {
    await update('alpaca', emu, { ALPACA_KEY: ALPACA_EMULATOR_KEY, ALPACA_SECRET: ALPACA_EMULATOR_SECRET, ALPACA_DATA_URL: emu.url }, '1m', { barsPerSymbol: 390, pageSize: 10_000, ratePerMinute: 200 });
  } finally {
    await emu.close();
  }
});

it('polygon: one-session update of 500 symbols, 1d, free plan (5/min)', async () => {
  const emu = await startPolygon({ rateLimit: { limit: 5, windowMs: 60_000 }, latencyMs: 20, market: [...SYMBOLS, 'SPY', 'QQQ'] });
  try {
    await update('polygon', emu, { POLYGON_API_KEY: POLYGON_EMULATOR_KEY, POLYGON_BASE_URL: emu.url }, '1d', { barsPerSymbol: 1, pageSize: 50_000, ratePerMinute: 5 });
  } finally {
    await emu.close();
  }
});

/** DuckDB writing n symbols x 390 rows into one file per symbol (the lake's layout and Parquet options). */
async function duckdbFloor(n: number): Promise<{ perFileMs: number; partitionByMs: number }> {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  await c.run(`SET TimeZone = 'UTC'`);
  await c.run(`CREATE TABLE t AS SELECT 'F' || lpad((i // 390)::VARCHAR, 5, '0') AS symbol, TIMESTAMPTZ '${DAY} 14:30:00+00' + INTERVAL (i % 390) MINUTE AS ts,
    100 + random() AS open, 101 + random() AS high, 99 + random() AS low, 100 + random() AS close, (random() * 10000)::BIGINT::DOUBLE AS volume,
    (random() * 100)::BIGINT AS trade_count, 100 + random() AS vwap, 'regular' AS session FROM range(${n * 390}) r(i) ORDER BY symbol, ts`);
  const opts = `(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`;
  const a = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-floor-'));
  let t0 = performance.now();
  for (let s = 0; s < n; s++) {
    const symbol = `F${String(s).padStart(5, '0')}`;
    const d = path.join(a, 'timeframe=1m', 'provider=fake', 'feed=sim', `symbol=${symbol}`, 'year=2024');
    fs.mkdirSync(d, { recursive: true });
    await c.run(`COPY (SELECT ts, open, high, low, close, volume, trade_count, vwap, session FROM t WHERE symbol = '${symbol}') TO '${path.join(d, 'data.parquet')}' ${opts}`);
  }
  const perFileMs = performance.now() - t0;
  const b = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-floor-'));
  t0 = performance.now();
  await c.run(`COPY t TO '${b}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (symbol))`);
  const partitionByMs = performance.now() - t0;
  c.closeSync();
  inst.closeSync();
  fs.rmSync(a, { recursive: true, force: true });
  fs.rmSync(b, { recursive: true, force: true });
  return { perFileMs, partitionByMs };
}

it('fake: 10,000 symbols x 1 session vs DuckDB writing those rows', async () => {
  const n = Number(process.env.MP_BENCH_FAKE_SYMBOLS ?? 10_000);
  const symbols = Array.from({ length: n }, (_, i) => `F${String(i).padStart(5, '0')}`);
  const floor = await duckdbFloor(n);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-fake-'));
  const engine = new Engine({ dataDir: dir, host: 'cli', env: {} });
  try {
    const stages = stagesOf(engine);
    const t0 = performance.now();
    const job = await engine.startIngest({ provider: 'fake', symbols, start: DAY, end: DAY, workers: 4, pipeline: false });
    const done = await engine.waitForJob(job.id);
    const ms = performance.now() - t0;
    expect(done.status).toBe('succeeded');
    expect(done.rowsWritten).toBe(n * 390);
    const result = {
      symbols: n,
      rows: n * 390,
      ingestMs: Math.round(ms),
      perUnitMs: round1(ms / n),
      floorPerFileCopyMs: Math.round(floor.perFileMs),
      ratioToPerFileFloor: round1(ms / floor.perFileMs),
      floorPartitionByMs: Math.round(floor.partitionByMs),
      ratioToPartitionByFloor: round1(ms / floor.partitionByMs),
      stages,
      target: 'ingest <= 3x DuckDB writing those rows',
    };
    console.log(`fake ingest: ${JSON.stringify(result)}`);
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
