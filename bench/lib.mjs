// What the benchmark scripts share: where the built CLI is, the median of a sample, `marketpipe serve` on a free
// port (resolves with the child and the URL it printed, token included), peak RSS of what they measure, and a seeded
// validation run of generated findings.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const bin = path.join(root, 'bin', 'marketpipe.cjs');
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * `marketpipe serve` on port 0. Options: `nodeArgs` (before the script, e.g. --cpu-prof), `env` (added), and
 * `metrics: true` to wait also for the Prometheus URL it prints on stderr (resolved as `metricsUrl`).
 */
export function startServe(dataDir, opts = {}) {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), bin, 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: root,
    env: { ...process.env, METRICS_PORT: '0', ...(opts.env ?? {}) },
    stdio: ['ignore', 'pipe', opts.metrics ? 'pipe' : 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let url;
    let metricsUrl;
    const done = () => {
      if (url && (!opts.metrics || metricsUrl)) resolve({ child, url, metricsUrl });
    };
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /https?:\/\/\S+\?token=\S+/.exec(line);
      if (m) url ??= m[0];
      done();
    });
    if (opts.metrics) {
      readline.createInterface({ input: child.stderr }).on('line', (line) => {
        process.stderr.write(line + '\n');
        const m = /Prometheus metrics: (\S+)/.exec(line);
        if (m) metricsUrl ??= m[1];
        done();
      });
    }
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before printing its URL`)));
  });
}

const GNU_TIME = '/usr/bin/time';

/**
 * spawnSync, plus `peakRssMb`: the peak resident memory of the child and its descendants (GNU time's %M: the largest
 * maximum RSS of one process of the tree, e.g. the CLI or the query process it forks), and `cpuMs`: the CPU time
 * (user + system) of the child and its waited-for descendants, which a loaded machine inflates far less than wall
 * time; both null where /usr/bin/time is absent.
 */
export function spawnMeasured(cmd, argv, opts = {}) {
  if (!fs.existsSync(GNU_TIME)) return { ...spawnSync(cmd, argv, opts), peakRssMb: null, cpuMs: null };
  const out = path.join(os.tmpdir(), `mp-bench-rss-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  const r = spawnSync(GNU_TIME, ['-f', '%M %U %S', '-o', out, cmd, ...argv], opts);
  let fields = [];
  try {
    // a failed command's line ("Command exited with non-zero status N") comes first: the figures are the last line
    fields = fs.readFileSync(out, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  } catch {
    // time did not run the command: no figures
  } finally {
    fs.rmSync(out, { force: true });
  }
  const [kb, user, sys] = fields;
  return { ...r, peakRssMb: Number.isFinite(kb) ? Math.round(kb / 1024) : null, cpuMs: Number.isFinite(user) && Number.isFinite(sys) ? Math.round((user + sys) * 1000) : null };
}

/** The peak resident memory of this process so far, in MB (an in-process benchmark's DuckDB included). */
export const selfPeakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

// A recorded validation run of generated findings, its audit report written like the engine writes reports (the
// report's header and CSV dialect, a validation_runs row with counts by rule and severity), for the benchmarks of the
// pages that read findings (bench/renderer-findings.mjs, bench/renderer-chart.mjs).
export const FINDING_RULES = ['bad_ohlc', 'negative_price', 'negative_volume', 'zero_volume', 'price_jump', 'volume_spike', 'stale_price', 'missing_session', 'intraday_gap', 'out_of_session', 'future_timestamp', 'duplicate_ts', 'split_suspect'];
const RULE_SQL = `['${FINDING_RULES.join("','")}'][i % 13 + 1]`;
// half errors, four in ten warnings, one in ten info
const SEVERITY_SQL = `CASE WHEN i % 10 < 5 THEN 'error' WHEN i % 10 < 9 THEN 'warning' ELSE 'info' END`;

/**
 * Records run `runId` in `dataDir` (migrated first) with `n` findings: finding `i` (0..n-1) has the symbol and the
 * time (a DuckDB TIMESTAMP, UTC) of the SQL expressions `symbol` and `ts` over `i`; rule and severity cycle with `i`.
 * Source fake/sim. Returns the report's path.
 */
export async function seedFindingsRun(dataDir, { runId, n, symbol, ts, series = 500, createdAt = '2024-06-01T00:00:00.000Z' }) {
  const require = createRequire(import.meta.url);
  const { DuckDBInstance } = require('@duckdb/node-api');
  const Database = require('better-sqlite3');
  const r = spawnSync(process.execPath, [bin, '--data-dir', dataDir, 'migrate'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`migrate failed: ${r.stderr}`);
  const reportDir = path.join(dataDir, 'reports');
  fs.mkdirSync(reportDir, { recursive: true });
  const file = path.join(reportDir, `validation-20240601T000000Z-${runId}.csv`);
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  await c.run(`COPY (SELECT ${symbol} AS symbol, '1m' AS timeframe, strftime(${ts}, '%Y-%m-%dT%H:%M:%SZ') AS ts,
      ${RULE_SQL} AS rule, ${SEVERITY_SQL} AS severity,
      'close moved ' || (i % 97) || '% from the previous bar' AS message, 'fake' AS provider, 'sim' AS feed, NULL AS job_id,
      'nyse-2026.1' AS calendar_version, (i % 97) * 1.5 AS value, '{"open":1,"close":2}' AS observed
    FROM range(${n}) t(i)) TO '${file}' (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"', ESCAPE '"', NEW_LINE '\r\n')`);
  const counts = (await c.runAndReadAll(`SELECT ${RULE_SQL} AS rule, ${SEVERITY_SQL} AS severity, count(*)::INTEGER AS n FROM range(${n}) t(i) GROUP BY ALL`)).getRowObjectsJson();
  c.closeSync();
  inst.closeSync();
  const byRule = {};
  for (const { rule, severity, n: k } of counts) (byRule[rule] ??= {})[severity] = Number(k);
  const db = new Database(path.join(dataDir, 'marketpipe.db'));
  db.prepare(`INSERT INTO validation_runs (id, created_at, job_id, scope, thresholds, calendar_version, provider, feed, report_file, series,
    bars_checked, findings_total, counts, elapsed_ms) VALUES (?, ?, NULL, '{}', '{}', 'nyse-2026.1', 'fake', 'sim', ?, ?, 48000000, ?, ?, 1000)`)
    .run(runId, createdAt, file, series, n, JSON.stringify(byRule));
  db.close();
  return file;
}
