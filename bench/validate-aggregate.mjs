#!/usr/bin/env node
// Benchmark of validation and aggregation (not a test), each against the floor measured in the same run: DuckDB
// copying the same 1m bars of the lake into one new zstd Parquet file (read every row, write every row).
// Target: each within 2x of the floor. Absolute times on these shared machines are not comparable across runs.
//   node bench/validate-aggregate.mjs [--data-dir DIR] [--reps 3] [--keep]
// Without --data-dir it creates the 2,418,000-bar fake data set (50 symbols x 2024-01-02..2024-06-28) with the built
// CLI (build first: npx electron-vite build). The TypeScript modules are loaded through Vite's module runner
// (runnerImport), so this bench needs no build of its own.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { runnerImport } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { DuckDBInstance } = require('@duckdb/node-api');
const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const reps = Number(opt('--reps') ?? 3);
const keep = args.includes('--keep');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const EXPECTED = 2_418_000;

let dataDir = opt('--data-dir');
let made = false;
if (!dataDir) {
  if (!fs.existsSync(path.join(root, 'out', 'main', 'cli.js'))) {
    console.error('build first: npx electron-vite build (or pass --data-dir with an ingested lake)');
    process.exit(1);
  }
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-va-'));
  made = true;
  const symbols = Array.from({ length: 50 }, (_, i) => `S${String(i).padStart(3, '0')}`).join(',');
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'marketpipe.cjs'), '--data-dir', dataDir, 'ingest', '--provider', 'fake', '--symbols', symbols, '--start', '2024-01-02', '--end', '2024-06-28', '--no-pipeline', '--json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ingest failed: ${r.stderr}`);
}
const barsRoot = path.join(dataDir, 'lake', 'bars');
const { module: validate } = await runnerImport(path.join(root, 'src-main', 'validate', 'index.ts'), { configFile: false, logLevel: 'error' });
const { module: agg } = await runnerImport(path.join(root, 'src-main', 'aggregate', 'index.ts'), { configFile: false, logLevel: 'error' });
const { module: lake } = await runnerImport(path.join(root, 'src-main', 'lake', 'writer.ts'), { configFile: false, logLevel: 'error' });

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-va-out-'));
const glob = path.join(barsRoot, 'timeframe=1m', '*', '*', '*', '*', '*.parquet');

async function floor() {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  await c.run(`SET TimeZone = 'UTC'`);
  const out = path.join(scratch, 'floor.parquet');
  const t0 = performance.now();
  await c.run(`COPY (SELECT * FROM read_parquet('${glob}', hive_partitioning = true)) TO '${out}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`);
  const ms = performance.now() - t0;
  const n = Number((await c.runAndReadAll(`SELECT count(*) FROM read_parquet('${out}')`)).getRows()[0][0]);
  c.closeSync();
  inst.closeSync();
  fs.rmSync(out);
  if (n !== EXPECTED) throw new Error(`floor copied ${n} rows, expected ${EXPECTED}`);
  return ms;
}

async function runValidate() {
  const t0 = performance.now();
  const r = await validate.runValidation({ barsRoot, reportDir: path.join(scratch, 'reports'), scope: { timeframe: '1m' }, now: Date.UTC(2024, 6, 1) });
  const ms = performance.now() - t0;
  if (r.barsChecked !== EXPECTED) throw new Error(`validated ${r.barsChecked} bars`);
  return { ms, findings: r.totalFindings };
}

async function runAggregate() {
  // a copy of the 1m lake, so every rep starts without aggregates
  const lakeCopy = path.join(scratch, 'agg', 'bars');
  fs.rmSync(path.join(scratch, 'agg'), { recursive: true, force: true });
  fs.cpSync(path.join(barsRoot, 'timeframe=1m'), path.join(lakeCopy, 'timeframe=1m'), { recursive: true });
  const writer = await lake.LakeWriter.open(lakeCopy);
  const t0 = performance.now();
  const r = await agg.aggregate({ barsRoot: lakeCopy, writer, timeframes: ['5m', '15m', '30m', '1h', '1d'] });
  const ms = performance.now() - t0;
  await writer.close();
  return { ms, rows: r.rows, partitions: r.partitions };
}

const f = [];
const v = [];
const a = [];
let lastV;
let lastA;
for (let i = 0; i < reps; i++) {
  f.push(await floor());
  lastV = await runValidate();
  v.push(lastV.ms);
  lastA = await runAggregate();
  a.push(lastA.ms);
}
const floorMs = median(f);
const results = {
  rows: EXPECTED,
  floorMedianMs: Math.round(floorMs),
  validate: { medianMs: Math.round(median(v)), ratioToFloor: Math.round((median(v) / floorMs) * 100) / 100, findings: lastV.findings },
  aggregate: { medianMs: Math.round(median(a)), ratioToFloor: Math.round((median(a) / floorMs) * 100) / 100, partitions: lastA.partitions, rows: lastA.rows },
  target: 'ratio <= 2',
};
console.log(`floor (DuckDB COPY of ${EXPECTED.toLocaleString()} bars to Parquet): median ${results.floorMedianMs} ms`);
console.log(`validate: median ${results.validate.medianMs} ms, ratio ${results.validate.ratioToFloor}x (${results.validate.findings} findings)`);
console.log(`aggregate (5m, 15m, 30m, 1h, 1d; ${results.aggregate.partitions} partitions): median ${results.aggregate.medianMs} ms, ratio ${results.aggregate.ratioToFloor}x`);
console.log(JSON.stringify(results));
fs.rmSync(scratch, { recursive: true, force: true });
if (made && !keep) fs.rmSync(dataDir, { recursive: true, force: true });
