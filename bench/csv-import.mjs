#!/usr/bin/env node
// Benchmark of the csv provider (not a test): `marketpipe ingest --provider csv` of a generated 1-minute bars CSV
// against the floor, a fresh Node process in which DuckDB reads the same CSV and writes it as one zstd Parquet file.
// Prints the ratio of the medians (target: within 2x). Both sides start a process and DuckDB, and both parse every row;
// the ingest also checks every value, infers the timeframe and writes one lake partition per (symbol, year).
//   node bench/csv-import.mjs [--rows 10000000] [--symbols 1] [--reps 3] [--keep]
// --symbols 1 writes one file with no symbol column (named SYM_1min.csv); more writes a "symbol" column, rows
// interleaved by minute as a multi-symbol vendor dump would be. Build first: npx electron-vite build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { bin, median, root } from './lib.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const ROWS = opt('--rows', 10_000_000);
const SYMBOLS = opt('--symbols', 1);
const REPS = opt('--reps', 3);
const keep = args.includes('--keep');
if (!fs.existsSync(path.join(root, 'out', 'main', 'cli.js'))) {
  console.error('build first: npx electron-vite build');
  process.exit(1);
}
if (!Number.isInteger(ROWS) || ROWS < 1 || !Number.isInteger(SYMBOLS) || SYMBOLS < 1 || !Number.isInteger(REPS) || REPS < 1) {
  console.error('usage: node bench/csv-import.mjs [--rows N] [--symbols K] [--reps R] [--keep]');
  process.exit(2);
}

const { DuckDBInstance } = require('@duckdb/node-api');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-csv-'));
const file = path.join(tmp, SYMBOLS === 1 ? 'BENCH_1min.csv' : 'bench_dump.csv');
// Wall time on a shared machine swings with the neighbours' load; CPU time (user + system, all threads, from the
// child's own resource usage at exit) swings far less, so both are reported.
const cpuHook = path.join(tmp, 'cpu-hook.cjs');
fs.writeFileSync(
  cpuHook,
  `process.on('exit', () => { const u = process.resourceUsage(); require('node:fs').writeFileSync(process.env.MP_BENCH_CPU_OUT, String((u.userCPUTime + u.systemCPUTime) / 1000)); });\n`,
);
function run(args) {
  const out = path.join(tmp, 'cpu.txt');
  fs.rmSync(out, { force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--require', cpuHook, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, MP_BENCH_CPU_OUT: out } });
  const ms = performance.now() - t0;
  const cpuMs = fs.existsSync(out) ? Number(fs.readFileSync(out, 'utf8')) : NaN;
  return { r, ms, cpuMs };
}
const sqlString = (s) => `'${s.replace(/'/g, "''")}'`;

async function generate() {
  const t0 = performance.now();
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  // A random walk per symbol would need a window; a smooth deterministic price path is as good for parsing costs.
  const minute = SYMBOLS === 1 ? 'i' : `i // ${SYMBOLS}`;
  const sym = SYMBOLS === 1 ? '' : `'S' || lpad((i % ${SYMBOLS})::VARCHAR, 3, '0') AS symbol, `;
  await c.run(`COPY (
      SELECT ${sym}strftime(TIMESTAMP '2005-01-03 14:30:00' + INTERVAL (${minute}) MINUTE, '%Y-%m-%d %H:%M:%S') AS timestamp,
        round(p, 4) AS open, round(p * 1.001, 4) AS high, round(p * 0.999, 4) AS low, round(p * 1.0003, 4) AS close,
        ((i * 7919) % 50000) / 4 AS volume
      FROM (SELECT i, 100 + 20 * sin(i / 5000.0) + (i % 97) / 100.0 AS p FROM range(${ROWS}) t(i)))
    TO ${sqlString(file)} (FORMAT csv, HEADER true)`);
  c.closeSync();
  inst.closeSync();
  const mb = fs.statSync(file).size / 1e6;
  console.log(`generated ${ROWS.toLocaleString('en-US')} rows, ${SYMBOLS} symbol(s), ${mb.toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${file}`);
}

function ingest() {
  const dataDir = path.join(tmp, 'data');
  fs.rmSync(dataDir, { recursive: true, force: true });
  const { r, ms, cpuMs } = run([bin, '--data-dir', dataDir, 'ingest', '--provider', 'csv', '--source', file, '--tz', 'UTC', '--no-pipeline', '--json']);
  if (r.status !== 0) throw new Error(`ingest failed (${r.status}): ${r.stderr || r.stdout}`);
  const s = JSON.parse(r.stdout);
  if (s.status !== 'succeeded' || s.rowsWritten !== ROWS) throw new Error(`ingest: ${s.status}, ${s.rowsWritten} rows, expected ${ROWS}: ${JSON.stringify(s.error)}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { ms, cpuMs, peakRssMb: s.peakRssMb, units: s.units };
}

// The floor: what DuckDB alone needs to turn this CSV into Parquet, in a fresh process as the CLI is.
const FLOOR_SCRIPT = `
const { DuckDBInstance } = require(${JSON.stringify(require.resolve('@duckdb/node-api'))});
(async () => {
  const [file, out] = process.argv.slice(1);
  const inst = await DuckDBInstance.create(':memory:'); const c = await inst.connect();
  await c.run("SET TimeZone='UTC'");
  const q = (s) => "'" + s.replace(/'/g, "''") + "'";
  await c.run('COPY (SELECT ${SYMBOLS === 1 ? '' : 'symbol, '}timestamp::TIMESTAMPTZ AS ts, open, high, low, close, volume FROM read_csv(' + q(file) + ')) TO ' + q(out) + ' (FORMAT parquet, COMPRESSION zstd)');
  const n = (await c.runAndReadAll('SELECT count(*) FROM read_parquet(' + q(out) + ')')).getRows()[0][0];
  process.stdout.write(String(n));
})().catch((e) => { console.error(e); process.exit(1); });`;

function floor() {
  const out = path.join(tmp, 'floor.parquet');
  const { r, ms, cpuMs } = run(['-e', FLOOR_SCRIPT, file, out]);
  if (r.status !== 0) throw new Error(`floor failed: ${r.stderr}`);
  if (Number(r.stdout) !== ROWS) throw new Error(`floor wrote ${r.stdout} rows, expected ${ROWS}`);
  fs.rmSync(out, { force: true });
  return { ms, cpuMs };
}

try {
  await generate();
  const ingests = [];
  const floors = [];
  // alternated, so that a noisy neighbour on a shared machine slows both sides alike
  for (let i = 0; i < REPS; i++) {
    const f = floor();
    const g = ingest();
    floors.push(f);
    ingests.push(g);
    const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`rep ${i + 1}: floor ${s(f.ms)} (cpu ${s(f.cpuMs)}), ingest ${s(g.ms)} (cpu ${s(g.cpuMs)}; ${g.units} units, peak RSS ${g.peakRssMb} MB)`);
  }
  const wall = [median(floors.map((x) => x.ms)), median(ingests.map((x) => x.ms))];
  const cpu = [median(floors.map((x) => x.cpuMs)), median(ingests.map((x) => x.cpuMs))];
  const round2 = (x) => Math.round(x * 100) / 100;
  console.log(
    JSON.stringify({
      bench: 'csv-import',
      rows: ROWS,
      symbols: SYMBOLS,
      reps: REPS,
      floorMs: Math.round(wall[0]),
      ingestMs: Math.round(wall[1]),
      ratio: round2(wall[1] / wall[0]),
      floorCpuMs: Math.round(cpu[0]),
      ingestCpuMs: Math.round(cpu[1]),
      cpuRatio: round2(cpu[1] / cpu[0]),
      rowsPerSecond: Math.round(ROWS / (wall[1] / 1000)),
      target: 2,
    }),
  );
} finally {
  if (!keep) fs.rmSync(tmp, { recursive: true, force: true });
}
