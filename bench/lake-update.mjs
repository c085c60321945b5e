#!/usr/bin/env node
// Benchmark of the lake's writes (not a test): writes cost what they add. Ratios to floors measured in the same run,
// because absolute times on these shared machines are not comparable across runs.
//   update:  `marketpipe ingest --provider fake` of one session of 50 symbols into a lake holding their 6 months
//            (2024-01-02..2024-06-28, 2,418,000 bars), against the same one-session ingest into an empty lake (the
//            floor). Target <= 1.5x: the update appends a file per partition and reads none of the old ones, except
//            the one update in COMPACT_THRESHOLD that leaves partitions past it, which also compacts them (in the same
//            job; tiered: the appended files merged, the base kept, see src-main/lake/tiers.ts): the median, the mean
//            over the updates (the daily cost with that share) and the worst are printed. More --sessions (and --reps)
//            reach a fold (every file merged, once the appended files hold a quarter of the base).
//   compact: compaction of a partition of 250 daily files (through the engine's writer and SQLite catalog), against
//            DuckDB reading the same 250 files and writing one file (the floor). Target <= 1.5x.
//   query:   a query over 50 symbols whose partitions hold COMPACT_THRESHOLD files each (the most a
//            partition holds) against the same query once they are compacted to one file each (the floor).
// Peak RSS: of each ingest process (GNU time's %M, the CLI and anything it forks), and of this process for the
// in-process compact and query runs (their DuckDB included). Target: under 1 GB each.
//   fixed:   (only with --only fixed) a one-session ingest of --symbols symbols into an empty lake, pipeline included,
//            against a bare DuckDB script writing those bars and their five coarser timeframes (process start
//            included on both sides). Target <= 5x.
// Usage: node bench/lake-update.mjs [--reps 3] [--only update|compact|query|fixed] [--symbols 50] [--held-from 2024-01-02] [--held-to 2024-06-28]
//   [--sessions D1,D2,...] [--pipeline]
//   (build first for `update`: npm run build; fewer symbols and a later --held-from: a smaller run)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { runnerImport } from 'vite';
import { bin, median, root, selfPeakRssMb, spawnMeasured } from './lib.mjs';

const require = createRequire(import.meta.url);
const { DuckDBInstance } = require('@duckdb/node-api');
const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1]) || 3;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const tmp = (p) => fs.mkdtempSync(path.join(os.tmpdir(), p));
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const NSYM = Number(opt('--symbols', '50'));
const HELD_FROM = opt('--held-from', '2024-01-02');
// --pipeline: every ingest (the held lake's, the floor's, the update's) runs validation and aggregation, as the issue's
// daily update does ("pipeline included"); without it, `--no-pipeline` (the writes alone)
const PIPELINE = args.includes('--pipeline');
const SYMBOLS = Array.from({ length: NSYM }, (_, i) => `S${String(i).padStart(3, '0')}`).join(',');
// sessions after the held six months, one per repetition
// (up to 9: --reps 9 covers a compaction cycle at a threshold of 8)
// --held-to 2024-12-20 --sessions 2024-12-23,2024-12-26,2024-12-27: the issue's lake holding its symbols' (near) full
// year, updated by the sessions after it
const HELD_TO = opt('--held-to', '2024-06-28');
const SESSIONS = opt('--sessions', '2024-07-01,2024-07-02,2024-07-05,2024-07-08,2024-07-09,2024-07-10,2024-07-11,2024-07-12,2024-07-15').split(',');

function ingest(dataDir, start, end, pipeline = PIPELINE) {
  const t0 = performance.now();
  const r = spawnMeasured(process.execPath, [bin, '--data-dir', dataDir, 'ingest', '--provider', 'fake', '--symbols', SYMBOLS, '--start', start, '--end', end, '--workers', '4', ...(pipeline ? [] : ['--no-pipeline']), '--json'], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`ingest failed: ${r.stderr}`);
  return { ms, rows: JSON.parse(r.stdout).rowsWritten, peakRssMb: r.peakRssMb, cpuMs: r.cpuMs };
}

const rss = (mb) => (mb === null ? 'RSS not measured (no /usr/bin/time)' : `peak RSS ${mb} MB`);

async function benchUpdate() {
  if (!fs.existsSync(path.join(root, 'out', 'main', 'cli.js'))) throw new Error('build first: npm run build');
  const held = tmp('mp-bench-lake-held-');
  const t0 = performance.now();
  const base = ingest(held, HELD_FROM, HELD_TO);
  console.log(`setup: ${HELD_FROM}..${HELD_TO} of ${NSYM} symbols, ${base.rows} bars in ${(base.ms / 1000).toFixed(1)} s, ${rss(base.peakRssMb)}`);
  if (NSYM === 50 && HELD_FROM === '2024-01-02' && HELD_TO === '2024-06-28' && base.rows !== 2_418_000) throw new Error(`expected 2418000 bars, got ${base.rows}`);
  const floors = [];
  const updates = [];
  for (let i = 0; i < Math.min(reps, SESSIONS.length); i++) {
    const day = SESSIONS[i];
    const empty = tmp('mp-bench-lake-empty-');
    const f = ingest(empty, day, day);
    fs.rmSync(empty, { recursive: true, force: true });
    const u = ingest(held, day, day);
    if (u.rows !== f.rows || u.rows === 0) throw new Error(`update wrote ${u.rows} bars, the floor ${f.rows}`);
    floors.push(f);
    updates.push(u);
    // files of one partition after the update: a drop is a compaction (past the threshold) inside this update, to 2 a
    // tail merge (the appended files merged, the base kept), to 1 a fold (every file merged)
    const part = path.join(held, 'lake', 'bars', 'timeframe=1m', 'provider=fake', 'feed=sim', 'symbol=S000', 'year=2024');
    const files = fs.readdirSync(part).filter((n) => n.endsWith('.parquet')).length;
    const cpu = f.cpuMs !== null && u.cpuMs !== null ? `, CPU ${f.cpuMs} vs ${u.cpuMs} ms` : '';
    console.log(`  ${day}: empty lake ${f.ms.toFixed(0)} ms (${rss(f.peakRssMb)}), held lake ${u.ms.toFixed(0)} ms (${u.rows} bars, ${rss(u.peakRssMb)}), ${(u.ms / f.ms).toFixed(2)}x${cpu}; ${files} file(s) a partition after it`);
  }
  fs.rmSync(held, { recursive: true, force: true });
  const um = median(updates.map((u) => u.ms));
  const fm = median(floors.map((f) => f.ms));
  const ratio = um / fm;
  // a compaction lands on one update in THRESHOLD: the mean over the updates is its share of the daily cost
  const mean = (xs) => xs.reduce((x, y) => x + y, 0) / xs.length;
  const amortized = mean(updates.map((u) => u.ms)) / mean(floors.map((f) => f.ms));
  const worst = Math.max(...updates.map((u, i) => u.ms / floors[i].ms));
  const cpu = [...updates, ...floors].every((r) => r.cpuMs !== null) ? ` CPU (user + system): mean ${(mean(updates.map((u) => u.cpuMs)) / mean(floors.map((f) => f.cpuMs))).toFixed(2)}x.` : '';
  const peak = [base, ...updates, ...floors].some((r) => r.peakRssMb === null) ? null : Math.max(...[base, ...updates, ...floors].map((r) => r.peakRssMb));
  console.log(`update: one session of ${NSYM} symbols on the held lake ${um.toFixed(0)} ms vs into an empty lake ${fm.toFixed(0)} ms: ${ratio.toFixed(2)}x (target <= 1.5x), mean ${amortized.toFixed(2)}x, worst update ${worst.toFixed(2)}x; ${rss(peak)} over every ingest (target < 1024 MB).${cpu} [${((performance.now() - t0) / 1000).toFixed(0)} s in all]`);
  return ratio;
}

const load = async (rel) => (await runnerImport(path.join(root, 'src-main', ...rel.split('/')), { configFile: false, logLevel: 'error' })).module;

const DAY = 86_400_000;

/** One session of 390 one-minute bars on day d after 2024-01-02. */
function sessionBatch(symbol, d) {
  const n = 390;
  const start = Date.UTC(2024, 0, 2, 14, 30) + d * DAY;
  const col = () => new Float64Array(n);
  const b = { symbol, length: n, ts: col(), open: col(), high: col(), low: col(), close: col(), volume: col(), tradeCount: col(), vwap: col() };
  for (let i = 0; i < n; i++) {
    b.ts[i] = start + i * 60_000;
    b.open[i] = 100 + Math.sin(d + i);
    b.high[i] = b.open[i] + 1;
    b.low[i] = b.open[i] - 1;
    b.close[i] = b.open[i] + 0.5;
    b.volume[i] = 1000 + i;
    b.tradeCount[i] = 10 + (i % 7);
    b.vwap[i] = b.open[i] + 0.25;
  }
  return { batch: b, replaceFrom: start - 14.5 * 3_600_000, replaceTo: start + 9.5 * 3_600_000 };
}

async function openLake(dir, threshold) {
  const [{ LakeWriter }, { CatalogStore }, { migrate }, { openDb }] = await Promise.all([load('lake/writer.ts'), load('db/catalog.ts'), load('db/migrations.ts'), load('db/open.ts')]);
  const barsRoot = path.join(dir, 'lake', 'bars');
  fs.mkdirSync(barsRoot, { recursive: true });
  const db = openDb(path.join(dir, 'marketpipe.db'));
  migrate(db);
  const catalog = new CatalogStore(db, barsRoot);
  catalog.setAdopted();
  const writer = await LakeWriter.open(barsRoot, { catalog, compactThreshold: threshold });
  return { db, catalog, writer };
}

async function benchQuery() {
  const dir = tmp('mp-bench-query-');
  const { db, catalog, writer } = await openLake(dir, 10_000);
  const symbols = Array.from({ length: 50 }, (_, i) => `Q${String(i).padStart(3, '0')}`);
  const { COMPACT_THRESHOLD: k } = await load('lake/compact.ts');
  for (const symbol of symbols) for (let d = 0; d < k; d++) await writer.write({ key: { timeframe: '1m', provider: 'fake', feed: 'sim', symbol, year: 2024 }, ...sessionBatch(symbol, d) });
  const sql = (files) => `SELECT symbol, count(*), avg(close), max(high) FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}], hive_partitioning = true) GROUP BY symbol`;
  const timeQuery = async () => {
    const files = catalog.liveFiles().map((e) => e.file);
    const out = [];
    for (let i = 0; i < reps; i++) {
      const inst = await DuckDBInstance.create(':memory:');
      const c = await inst.connect();
      const t0 = performance.now();
      const rows = (await c.runAndReadAll(sql(files))).getRows();
      out.push(performance.now() - t0);
      c.closeSync();
      inst.closeSync();
      if (rows.length !== 50) throw new Error(`expected 50 symbols, got ${rows.length}`);
    }
    return { ms: median(out), files: files.length };
  };
  const atK = await timeQuery();
  await writer.compact(symbols.map((symbol) => ({ timeframe: '1m', provider: 'fake', feed: 'sim', symbol, year: 2024 })));
  const at1 = await timeQuery();
  await writer.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const ratio = atK.ms / at1.ms;
  console.log(`query (DuckDB in-process): 50 symbols x ${k} sessions, ${atK.files} files (${k} a partition, the threshold) ${atK.ms.toFixed(0)} ms vs ${at1.files} compacted files ${at1.ms.toFixed(0)} ms: ${ratio.toFixed(2)}x; this process's peak RSS ${selfPeakRssMb()} MB`);
  return ratio;
}

async function benchCompact() {
  const key = { timeframe: '1m', provider: 'fake', feed: 'sim', symbol: 'AAA', year: 2024 };
  const floors = [];
  const compactions = [];
  for (let rep = 0; rep < reps; rep++) {
    const dir = tmp('mp-bench-compact-');
    const { db, catalog, writer } = await openLake(dir, 10_000);
    // 250 daily appends of 390 one-minute bars (weekends included: the writer does not care)
    for (let d = 0; d < 250; d++) await writer.write({ key, ...sessionBatch('AAA', d) });
    const files = catalog.partitionFiles(key).map((e) => e.file);
    if (files.length !== 250) throw new Error(`expected 250 files, got ${files.length}`);
    // the floor: a fresh DuckDB reads the 250 files and writes one (same compression and row groups)
    const inst = await DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    const out = path.join(dir, 'floor.parquet');
    let t0 = performance.now();
    await c.run(`COPY (SELECT * FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}])) TO '${out}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`);
    floors.push(performance.now() - t0);
    c.closeSync();
    inst.closeSync();
    t0 = performance.now();
    const [r] = await writer.compact([key]);
    compactions.push(performance.now() - t0);
    if (r.files !== 250 || r.rows !== 97_500) throw new Error(`compaction merged ${r.files} files, ${r.rows} rows`);
    await writer.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(`  rep ${rep + 1}: floor ${floors.at(-1).toFixed(0)} ms, compaction ${compactions.at(-1).toFixed(0)} ms`);
  }
  const ratio = median(compactions) / median(floors);
  console.log(`compact: 250 daily files (97,500 bars) into one ${median(compactions).toFixed(0)} ms vs DuckDB read+write ${median(floors).toFixed(0)} ms: ${ratio.toFixed(2)}x (target <= 1.5x); this process's peak RSS ${selfPeakRssMb()} MB`);
  return ratio;
}

console.log(`lake-update bench: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, node ${process.version}, reps ${reps}`);
// The floor of a small job: a bare Node process (start included, as the CLI's) with DuckDB generating one session of
// NSYM symbols' 1m bars and writing them and their five coarser timeframes, one Parquet file a symbol and timeframe
// (one `COPY ... PARTITION_BY (symbol)` a timeframe: the cheapest way DuckDB has to write that layout).
const FIXED_FLOOR = (dir, day, nsym) => `
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  await c.run("SET TimeZone = 'UTC'");
  await c.run(\`CREATE TABLE b AS SELECT 'S' || lpad(s::VARCHAR, 3, '0') AS symbol, TIMESTAMPTZ '${day} 13:30:00+00' + INTERVAL 1 MINUTE * m AS ts,
    100 + random() AS open, 101 + random() AS high, 99 + random() AS low, 100 + random() AS close, (random() * 10000)::BIGINT::DOUBLE AS volume,
    (random() * 100)::BIGINT AS trade_count, 100 + random() AS vwap FROM range(${nsym}) r(s), range(390) q(m)\`);
  const tfs = [['1m', '1 minute'], ['5m', '5 minutes'], ['15m', '15 minutes'], ['30m', '30 minutes'], ['1h', '1 hour'], ['1d', '1 day']];
  for (const [tf, width] of tfs) {
    const body = tf === '1m' ? 'SELECT * FROM b' : \`SELECT symbol, time_bucket(INTERVAL '\${width}', ts) AS ts, first(open ORDER BY ts) AS open, max(high) AS high, min(low) AS low,
      last(close ORDER BY ts) AS close, sum(volume) AS volume, sum(trade_count) AS trade_count, sum(vwap * volume) / sum(volume) AS vwap FROM b GROUP BY ALL\`;
    await c.run(\`COPY (\${body} ORDER BY symbol, ts) TO '${dir}/timeframe=\${tf}' (FORMAT parquet, PARTITION_BY (symbol), COMPRESSION zstd)\`);
  }
})();`;

/** A small job's fixed cost: one session of NSYM symbols into an empty lake, pipeline included, vs the floor above. */
async function benchFixed() {
  if (!fs.existsSync(path.join(root, 'out', 'main', 'cli.js'))) throw new Error('build first: npm run build');
  const day = SESSIONS[0];
  const jobs = [];
  const floors = [];
  for (let i = 0; i < reps; i++) {
    const empty = tmp('mp-bench-fixed-');
    jobs.push(ingest(empty, day, day, true));
    fs.rmSync(empty, { recursive: true, force: true });
    const out = tmp('mp-bench-fixed-floor-');
    const t0 = performance.now();
    const r = spawnMeasured(process.execPath, ['-e', FIXED_FLOOR(out, day, NSYM)], { encoding: 'utf8', cwd: root });
    if (r.status !== 0) throw new Error(`floor failed: ${r.stderr}`);
    floors.push({ ms: performance.now() - t0, peakRssMb: r.peakRssMb });
    fs.rmSync(out, { recursive: true, force: true });
    console.log(`  ${NSYM} symbols x ${day}, pipeline included: ${jobs[i].ms.toFixed(0)} ms (${jobs[i].rows} bars, ${rss(jobs[i].peakRssMb)}) vs DuckDB writing them and 5 coarser timeframes ${floors[i].ms.toFixed(0)} ms: ${(jobs[i].ms / floors[i].ms).toFixed(2)}x`);
  }
  const jm = median(jobs.map((j) => j.ms));
  const fm = median(floors.map((f) => f.ms));
  console.log(`fixed cost: a one-session ingest of ${NSYM} symbols into an empty lake, pipeline included, ${jm.toFixed(0)} ms vs ${fm.toFixed(0)} ms: ${(jm / fm).toFixed(2)}x (target <= 5x)`);
}

if (only === 'fixed') await benchFixed();
if (!only || only === 'compact') await benchCompact();
if (!only || only === 'query') await benchQuery();
if (!only || only === 'update') await benchUpdate();
