#!/usr/bin/env node
// Benchmarks (not tests): prints ratios to floors measured in the same run, because absolute times on these shared
// machines are not comparable across runs.
//   ingest: `marketpipe ingest --provider fake` of 50 symbols x 2024-01-02..2024-06-28 (2,418,000 bars) against
//           DuckDB writing the same number of rows itself into the same Parquet layout (the floor).
//   help:   `marketpipe --help` against `node -e ""` (the floor of starting Node at all).
// Each measured process's peak RSS is reported too (GNU time's %M over the process and its children: the CLI, and any
// process it forks). Target for every one: under 1 GB.
// Usage: npm run bench [-- --reps N] [-- --only ingest|help] [-- --start 2024-06-24]  (a later --start: a smaller run)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { bin, median, root, spawnMeasured } from './lib.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1]) || 3;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
if (!fs.existsSync(path.join(root, 'out', 'main', 'cli.js'))) {
  console.error('build first: npm run build');
  process.exit(1);
}

const SYMBOLS = Array.from({ length: 50 }, (_, i) => `S${String(i).padStart(3, '0')}`);
const START = args.includes('--start') ? args[args.indexOf('--start') + 1] : '2024-01-02';
const END = '2024-06-28';
// 390 bars a session (the fake provider's regular hours), 124 sessions from 2024-01-02
const EXPECTED = START === '2024-01-02' ? 2_418_000 : undefined;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-'));

function runIngest() {
  const dir = tmp();
  const t0 = performance.now();
  const r = spawnMeasured(process.execPath, [bin, '--data-dir', dir, 'ingest', '--provider', 'fake', '--symbols', SYMBOLS.join(','), '--start', START, '--end', END, '--workers', '4', '--no-pipeline', '--json'], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`ingest failed: ${r.stderr}`);
  const s = JSON.parse(r.stdout);
  if (EXPECTED !== undefined && s.rowsWritten !== EXPECTED) throw new Error(`expected ${EXPECTED} rows, got ${s.rowsWritten}`);
  // measured from outside where GNU time exists; the CLI's own report of its process otherwise
  return { ms, rows: s.rowsWritten, peakRssMb: r.peakRssMb ?? s.peakRssMb };
}

// The floor: the same rows, generated inside DuckDB, written with the same layout, compression and row groups,
// in a fresh process (like the CLI run), so both include process start and DuckDB start.
const FLOOR_SCRIPT = `
const { DuckDBInstance } = require(${JSON.stringify(require.resolve('@duckdb/node-api'))});
const fs = require('node:fs'); const path = require('node:path');
(async () => {
  const dir = process.argv[1]; // argv[2]: rows a symbol
  const inst = await DuckDBInstance.create(':memory:'); const c = await inst.connect();
  await c.run("SET TimeZone='UTC'");
  for (let s = 0; s < 50; s++) {
    const d = path.join(dir, 'timeframe=1m', 'symbol=S' + String(s).padStart(3, '0'), 'year=2024');
    fs.mkdirSync(d, { recursive: true });
    await c.run(\`COPY (SELECT TIMESTAMPTZ '2024-01-02 14:30:00+00' + INTERVAL (i) MINUTE AS ts, 100 + random() AS open, 101 + random() AS high,
      99 + random() AS low, 100 + random() AS close, (random() * 10000)::BIGINT::DOUBLE AS volume, (random() * 100)::BIGINT AS trade_count,
      100 + random() AS vwap, 'fake' AS provider, 'sim' AS feed FROM range(\${Number(process.argv[2])}) t(i))
      TO '\${path.join(d, 'data.parquet')}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)\`);
  }
})();`;

function runFloor(rowsPerSymbol) {
  const dir = tmp();
  const t0 = performance.now();
  const r = spawnMeasured(process.execPath, ['-e', FLOOR_SCRIPT, dir, String(rowsPerSymbol)], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`floor failed: ${r.stderr}`);
  return { ms, peakRssMb: r.peakRssMb };
}

function time(cmd, argv) {
  const t0 = performance.now();
  const r = spawnMeasured(cmd, argv, { encoding: 'utf8', env: { ...process.env, MP_DATA_DIR: path.join(os.tmpdir(), 'mp-bench-never-created') } });
  if (r.status !== 0) throw new Error(r.stderr);
  return { ms: performance.now() - t0, peakRssMb: r.peakRssMb };
}

const maxRss = (runs) => (runs.some((r) => r.peakRssMb === null || r.peakRssMb === undefined) ? null : Math.max(...runs.map((r) => r.peakRssMb)));
const rssText = (mb) => (mb === null ? 'peak RSS not measured (no /usr/bin/time)' : `peak RSS ${mb} MB`);

const results = {};
if (!only || only === 'ingest') {
  const ingest = [];
  const floor = [];
  for (let i = 0; i < reps; i++) {
    ingest.push(runIngest());
    floor.push(runFloor(ingest[0].rows / SYMBOLS.length));
  }
  const ms = median(ingest.map((r) => r.ms));
  const f = median(floor.map((r) => r.ms));
  const rows = ingest[0].rows;
  results.ingest = {
    rows,
    medianMs: Math.round(ms),
    rowsPerSecond: Math.round((rows / ms) * 1000),
    floorMedianMs: Math.round(f),
    floorRowsPerSecond: Math.round((rows / f) * 1000),
    ratioToFloor: Math.round((ms / f) * 100) / 100,
    target: 'ratio <= 2.5 (issue 11; goal 2), peak RSS < 1024 MB',
    peakRssMb: maxRss(ingest),
    floorPeakRssMb: maxRss(floor),
  };
  console.log(`ingest: ${results.ingest.rowsPerSecond.toLocaleString()} rows/s (median ${results.ingest.medianMs} ms, ${rssText(results.ingest.peakRssMb)}) vs DuckDB floor ${results.ingest.floorRowsPerSecond.toLocaleString()} rows/s (${rssText(results.ingest.floorPeakRssMb)}): ratio ${results.ingest.ratioToFloor}x`);
}
if (!only || only === 'help') {
  const help = [];
  const node = [];
  for (let i = 0; i < Math.max(5, reps); i++) {
    node.push(time(process.execPath, ['-e', '']));
    help.push(time(process.execPath, [bin, '--help']));
  }
  const h = median(help.map((r) => r.ms));
  const n = median(node.map((r) => r.ms));
  results.help = { medianMs: Math.round(h), nodeFloorMs: Math.round(n), ratioToFloor: Math.round((h / n) * 100) / 100, target: '< 500 ms', peakRssMb: maxRss(help) };
  console.log(`--help: median ${results.help.medianMs} ms (node start alone ${results.help.nodeFloorMs} ms, ratio ${results.help.ratioToFloor}x), ${rssText(results.help.peakRssMb)}`);
}
console.log(JSON.stringify(results));
