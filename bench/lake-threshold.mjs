#!/usr/bin/env node
// Benchmark (not a test): what the number of files a partition holds costs `marketpipe query`, to choose the
// compaction threshold (src-main/lake/compact.ts). One lake content, N symbols x S sessions of 390 1m bars, laid out
// with k files a partition (S/k sessions each; k = S: one session a file, the daily appends' worst case) for each k
// asked; k = 1 is the compacted lake, the floor. For every layout the same three queries run through the built CLI
// (process start included, as a user runs them): count(*), a group-by over every symbol, and one symbol-day.
// Prints each query's median wall and CPU time (user + system of the CLI and its query process: far less inflated by
// a loaded machine than wall time) and their ratios to the compacted lake's, and the CLI's peak RSS (GNU time's %M:
// the CLI or the query process it forks, whichever is larger).
// Usage: node bench/lake-threshold.mjs [--symbols 50] [--sessions 16] [--k 1,4,8,16] [--reps 3]   (after npm run build)
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { bin, median, root, spawnMeasured } from './lib.mjs';

const require = createRequire(import.meta.url);
const { DuckDBInstance } = require('@duckdb/node-api');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const nSymbols = Number(opt('--symbols', '50'));
const sessions = Number(opt('--sessions', '16'));
const ks = opt('--k', '1,4,8,16').split(',').map(Number);
const reps = Number(opt('--reps', '3'));
if (!fs.existsSync(path.join(root, 'out', 'main', 'cli.js'))) {
  console.error('build first: npm run build');
  process.exit(1);
}
if (ks.some((k) => !(k >= 1) || sessions % k !== 0)) throw new Error(`every k must divide --sessions ${sessions}`);

const symbols = Array.from({ length: nSymbols }, (_, i) => `T${String(i).padStart(3, '0')}`);
// weekdays from 2024-01-02 (the bars need not follow the exchange calendar to measure reads)
const DAYS = [];
for (let d = Date.UTC(2024, 0, 2); DAYS.length < sessions; d += 86_400_000) if (![0, 6].includes(new Date(d).getUTCDay())) DAYS.push(d);
const day = (i) => new Date(DAYS[i]).toISOString().slice(0, 10);

/** Writes the lake with k files a partition, in the lake's file format and names; the CLI adopts them on its first start. */
async function makeLake(k) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mp-bench-threshold-${k}-`));
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  await c.run(`SET TimeZone = 'UTC'`);
  const per = sessions / k;
  for (const [s, symbol] of symbols.entries()) {
    const part = path.join(dir, 'lake', 'bars', 'timeframe=1m', 'provider=fake', 'feed=sim', `symbol=${symbol}`, 'year=2024');
    fs.mkdirSync(part, { recursive: true });
    for (let f = 0; f < k; f++) {
      const days = Array.from({ length: per }, (_, j) => `TIMESTAMPTZ '${day(f * per + j)} 14:30:00+00'`).join(', ');
      const name = `part-${(Date.now() + f).toString(36)}-${crypto.randomBytes(6).toString('hex')}.parquet`;
      await c.run(`COPY (SELECT d + INTERVAL (m) MINUTE AS ts, 100 + ${s} + sin(m)::DOUBLE AS open, 101 + ${s} + sin(m) AS high, 99 + ${s} + sin(m) AS low,
          100.5 + ${s} + sin(m) AS close, (1000 + m)::DOUBLE AS volume, (10 + m % 7)::BIGINT AS trade_count, 100.25 + ${s} + sin(m) AS vwap, 'regular' AS session
        FROM unnest([${days}]) t(d), range(390) r(m) ORDER BY ts) TO '${path.join(part, name)}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`);
    }
  }
  c.closeSync();
  inst.closeSync();
  cli(dir, ['query', 'SELECT 1', '--format', 'csv']); // adoption: every file hashed and catalogued, not timed
  return dir;
}

function cli(dataDir, argv) {
  const t0 = performance.now();
  const r = spawnMeasured(process.execPath, [bin, '--data-dir', dataDir, ...argv], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`marketpipe ${argv.join(' ')} failed: ${r.stderr}`);
  return { ms: performance.now() - t0, out: r.stdout, peakRssMb: r.peakRssMb, cpuMs: r.cpuMs };
}

const QUERIES = {
  count: `SELECT count(*) AS n FROM bars WHERE timeframe = '1m'`,
  'group-by': `SELECT symbol, count(*) AS n, round(avg(close), 6) AS c, max(high) AS h FROM bars WHERE timeframe = '1m' GROUP BY symbol ORDER BY symbol`,
  'symbol-day': `SELECT * FROM bars WHERE timeframe = '1m' AND symbol = '${symbols[Math.floor(nSymbols / 2)]}' AND ts >= TIMESTAMPTZ '${day(sessions - 1)}' ORDER BY ts`,
};

console.log(`lake-threshold bench: ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}, ${nSymbols} symbols x ${sessions} sessions (${(nSymbols * sessions * 390).toLocaleString('en-US')} bars), reps ${reps}`);
// every layout built first, then the runs interleaved (rep by rep, layout by layout), so the machine's load drifts over
// all of them alike
const dirs = {};
for (const k of ks) dirs[k] = await makeLake(k);
const runs = Object.fromEntries(ks.map((k) => [k, Object.fromEntries(Object.keys(QUERIES).map((q) => [q, []]))]));
for (let i = 0; i < reps; i++) for (const k of ks) for (const [q, sql] of Object.entries(QUERIES)) runs[k][q].push(cli(dirs[k], ['query', sql, '--format', 'csv']));
for (const k of ks) fs.rmSync(dirs[k], { recursive: true, force: true });

const all = ks.flatMap((k) => Object.values(runs[k]).flat());
const peak = all.some((r) => r.peakRssMb === null) ? null : Math.max(...all.map((r) => r.peakRssMb));
const cpu = all.every((r) => r.cpuMs !== null);
const floorK = Math.min(...ks);
const stat = (k, q) => ({ ms: median(runs[k][q].map((r) => r.ms)), cpuMs: cpu ? median(runs[k][q].map((r) => r.cpuMs)) : null });
const summary = {};
for (const k of ks) {
  summary[k] = {};
  const cells = Object.keys(QUERIES).map((q) => {
    if (new Set(runs[k][q].map((r) => r.out)).size !== 1 || runs[k][q][0].out !== runs[floorK][q][0].out) throw new Error(`${q}: k=${k} answers differently`);
    const s = stat(k, q);
    const f = stat(floorK, q);
    summary[k][q] = { ms: Math.round(s.ms), cpuMs: s.cpuMs, wallRatio: +(s.ms / f.ms).toFixed(2), cpuRatio: cpu ? +(s.cpuMs / f.cpuMs).toFixed(2) : null };
    return `${q} ${s.ms.toFixed(0)} ms wall (${summary[k][q].wallRatio}x)${cpu ? `, ${s.cpuMs} ms CPU (${summary[k][q].cpuRatio}x)` : ''}`;
  });
  console.log(`k=${String(k).padStart(2)} files a partition (${nSymbols * k} files): ${cells.join('; ')}`);
}
console.log(`ratios are medians against k=${floorK} (the compacted lake); CPU is the CLI's and its query process's user + system time; peak RSS of any CLI run ${peak === null ? 'not measured (no /usr/bin/time)' : `${peak} MB`} (target < 1024 MB)`);
console.log(JSON.stringify({ symbols: nSymbols, sessions, reps, peakRssMb: peak, results: summary }));
