#!/usr/bin/env node
// Benchmark (not a test): `marketpipe query` against a bare Node script running the same SQL with DuckDB over the
// same Parquet files, process start included on both sides (issue 11's query targets: <= 1.5x each).
//   node bench/query-cli.mjs [--data-dir DIR] [--symbols 50] [--reps 5] [--keep] [--stages]
// --stages also times where a query's start goes: Node alone, Node loading DuckDB, the CLI loading every command
// (--version) or the query command only (query --help), and `query "SELECT 1"` against the bare script's SELECT 1.
// Each row gives wall-time medians and their ratio, CPU time (user + system, GNU time) medians and their ratio, and
// the CLI's peak RSS; the load average is printed before and after.
// Without --data-dir it ingests `--symbols` fake symbols x all of 2024 (97,740 1m bars each; 50 -> 4.9M bars, 500 ->
// the 48.9M) with the built CLI (build first: npm run build).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { bin, median, root, spawnMeasured } from './lib.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const reps = Number(opt('--reps') ?? 5);
const nSymbols = Number(opt('--symbols') ?? 50);

let dataDir = opt('--data-dir');
let made = false;
if (!dataDir) {
  if (!fs.existsSync(path.join(root, 'out', 'main', 'cli.js'))) {
    console.error('build first: npm run build (or pass --data-dir with an ingested lake)');
    process.exit(1);
  }
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-query-'));
  made = true;
  const symbols = Array.from({ length: nSymbols }, (_, i) => `S${String(i).padStart(3, '0')}`).join(',');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, '--data-dir', dataDir, 'ingest', '--provider', 'fake', '--symbols', symbols, '--start', '2024-01-02', '--end', '2024-12-31', '--no-pipeline', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`ingest failed: ${r.stderr}`);
  console.log(`lake: ${JSON.parse(r.stdout).rowsWritten.toLocaleString('en-US')} 1m bars of ${nSymbols} symbols, ingested in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// the live files: the Hive tree holds exactly the catalogued files (superseded ones leave it at commit)
function parquetFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...parquetFiles(p));
    else if (e.name.endsWith('.parquet')) out.push(p);
  }
  return out;
}
const files = parquetFiles(path.join(dataDir, 'lake', 'bars', 'timeframe=1m'));

// The bare script: DuckDB over the same files, a view named bars, the same SQL, rows printed as CSV.
const BARE = `
const { DuckDBInstance } = require(${JSON.stringify(require.resolve('@duckdb/node-api'))});
(async () => {
  const [files, sql] = [JSON.parse(process.argv[2]), process.argv[3]];
  const inst = await DuckDBInstance.create(':memory:'); const c = await inst.connect();
  await c.run("SET TimeZone='UTC'");
  await c.run('CREATE VIEW bars AS SELECT * FROM read_parquet(' + JSON.stringify(files).replaceAll('"', "'") + ', hive_partitioning = true)');
  const r = await c.runAndReadAll(sql);
  process.stdout.write(r.getRows().map((row) => row.join(',')).join('\\n') + '\\n');
})();
`;
const bareFile = path.join(os.tmpdir(), `mp-bench-bare-${process.pid}.cjs`);
fs.writeFileSync(bareFile, BARE);

const QUERIES = [
  { name: 'count', sql: "SELECT count(*) FROM bars WHERE timeframe = '1m'" },
  { name: 'group-by', sql: "SELECT symbol, count(*) AS n, avg(close) AS c FROM bars WHERE timeframe = '1m' GROUP BY symbol ORDER BY symbol" },
  { name: 'one symbol-day', sql: "SELECT * FROM bars WHERE timeframe = '1m' AND symbol = 'S001' AND ts >= TIMESTAMPTZ '2024-06-03 00:00:00+00' AND ts < TIMESTAMPTZ '2024-06-04 00:00:00+00' ORDER BY ts" },
];

// wall time, CPU time (user + system, which a loaded machine inflates far less) and peak RSS of one run
function timed(argv) {
  const t0 = performance.now();
  const r = spawnMeasured(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.slice(0, 3).join(' ')} failed: ${r.stderr}`);
  return { ms, cpuMs: r.cpuMs, rssMb: r.peakRssMb };
}
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

console.log(`load average before: ${load()}`);
const rows = [];
for (const q of QUERIES) {
  const cli = [];
  const bare = [];
  for (let i = 0; i < reps; i++) {
    // alternate, so drift on a noisy machine falls on both sides
    bare.push(timed([bareFile, JSON.stringify(files), q.sql]));
    cli.push(timed([bin, '--data-dir', dataDir, 'query', q.sql, '--format', 'csv']));
  }
  const m = (xs, k) => median(xs.map((x) => x[k]));
  rows.push({
    query: q.name,
    cliMs: Math.round(m(cli, 'ms')),
    bareMs: Math.round(m(bare, 'ms')),
    ratio: +(m(cli, 'ms') / m(bare, 'ms')).toFixed(2),
    cliCpuMs: m(cli, 'cpuMs'),
    bareCpuMs: m(bare, 'cpuMs'),
    cpuRatio: m(bare, 'cpuMs') ? +(m(cli, 'cpuMs') / m(bare, 'cpuMs')).toFixed(2) : null,
    cliPeakRssMb: Math.max(...cli.map((x) => x.rssMb ?? 0)),
  });
}
console.table(rows);
console.log(`target: each ratio <= 1.5 (${files.length} files); load average after: ${load()}`);

if (args.includes('--stages')) {
  const duck = require.resolve('@duckdb/node-api');
  const stages = {
    'node -e 0': ['-e', '0'],
    'node, require DuckDB': ['-e', `require(${JSON.stringify(duck)})`],
    'CLI, every command (--version)': [bin, '--version'],
    'CLI, query command only (query --help)': [bin, 'query', '--help'],
    'bare script, SELECT 1': [bareFile, JSON.stringify(files), 'SELECT 1'],
    'marketpipe query "SELECT 1"': [bin, '--data-dir', dataDir, 'query', 'SELECT 1', '--format', 'csv'],
  };
  const t = Object.fromEntries(Object.keys(stages).map((k) => [k, []]));
  for (let i = 0; i < reps; i++) for (const [k, argv] of Object.entries(stages)) t[k].push(timed(argv));
  console.table(Object.entries(t).map(([stage, runs]) => ({ stage, medianMs: Math.round(median(runs.map((r) => r.ms))), medianCpuMs: median(runs.map((r) => r.cpuMs)) })));
  console.log(`load average after the stages: ${load()}`);
}
fs.rmSync(bareFile, { force: true });
if (made && !args.includes('--keep')) fs.rmSync(dataDir, { recursive: true, force: true });
else console.log(`lake kept at ${dataDir}`);
