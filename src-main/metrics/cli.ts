import { checkBuckets, parseDuration } from '../shared/duration';
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { MpError } from '../shared/errors';
import { familyOf, METRIC_DEFS } from './definitions';
import { HistoryMetrics } from './history-collector';
import { MetricsHistory, type Point } from './history';
import { asciiPlot, formatNumber } from './plot';
import { MAIN_SERIES, mainSeries, resolveMetricName, sideBySide } from './aliases';
import { parseMetricsEnv, startMetricsServer, type Check, type MetricsServer } from './server';

// `marketpipe metrics`: the command bodies, host-agnostic. The CLI host defines the options with commander and calls
// runMetricsCommand(engine, io, opts); everything here takes an engine-like object so tests need no CLI.

export interface MetricsCliDeps {
  /** the metadata database, opened and migrated (Engine.db()) */
  db(): Database.Database;
  /** Engine.paths: the lake folder is checked for readiness */
  paths: { bars: string };
  /** Engine.migrationStatus(), for the readiness check */
  migrationStatus?(): { state: 'applied' | 'pending' }[];
}

export interface MetricsCliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export interface MetricsCommandOptions {
  port?: number;
  host?: string;
  legacyMetrics?: boolean;
  list?: boolean;
  metric?: string;
  /** duration back from now: 30m, 24h, 7d (default 24h) */
  since?: string;
  /** bucket for averages: 5m, 1h, 1d */
  avg?: string;
  plot?: boolean;
  /** keep label sets containing these pairs: provider=alpaca,feed=iex */
  labels?: string;
  json?: boolean;
  /** tests: stop the server with this instead of SIGINT/SIGTERM */
  signal?: AbortSignal;
  /** tests: told the server's URL once it listens */
  onListening?(server: MetricsServer): void;
  now?: () => number;
}

/** Dispatches: --list / --metric read the history; otherwise the standalone metrics server runs until a signal. */
export async function runMetricsCommand(deps: MetricsCliDeps, io: MetricsCliIo, opts: MetricsCommandOptions): Promise<void> {
  if (opts.list || opts.metric !== undefined) {
    if (opts.port !== undefined || opts.host !== undefined || opts.legacyMetrics) throw new MpError('E_BAD_INPUT', '--port, --host and --legacy-metrics apply to the metrics server, not to --list or --metric');
    return queryHistory(deps, io, opts);
  }
  if (opts.since !== undefined || opts.avg !== undefined || opts.plot || opts.labels !== undefined) {
    if (opts.port !== undefined || opts.host !== undefined || opts.legacyMetrics) throw new MpError('E_BAD_INPUT', '--port, --host and --legacy-metrics apply to the metrics server, not to --since, --avg, --plot or --labels');
    return queryHistory(deps, io, opts);
  }
  return serveMetrics(deps, io, opts);
}

/**
 * The standalone server: serves the totals every process recorded in the history (see history.ts for the semantics),
 * this process's own process metrics, /healthz and /readyz. Resolves after SIGINT/SIGTERM (or opts.signal), once
 * the listener is closed.
 */
export async function serveMetrics(deps: MetricsCliDeps, io: MetricsCliIo, opts: MetricsCommandOptions): Promise<void> {
  const env = parseMetricsEnv(io.env);
  // the original's multi-process mode: not needed here, say so once and go on
  if (io.env.PROMETHEUS_MULTIPROC_DIR) io.stderr.write('metrics: PROMETHEUS_MULTIPROC_DIR is not needed and is ignored: MarketPipe processes share their metrics through the history database\n');
  const history = new MetricsHistory(deps.db());
  const metrics = new HistoryMetrics(history, { legacy: opts.legacyMetrics ?? false });
  let server: MetricsServer;
  try {
    server = await startMetricsServer({
      metrics,
      port: opts.port ?? env.port,
      host: opts.host ?? env.host,
      maxConnections: env.maxConnections,
      maxHeaderSize: env.maxHeaderSize,
      allowedHosts: env.allowedHosts,
      health: () => ({ ok: true, checks: { process: true } }),
      ready: () => readiness(deps),
    });
  } catch (e) {
    metrics.close();
    throw e;
  }
  io.stdout.write(`metrics: ${server.url}/metrics${opts.legacyMetrics ? ' (legacy format)' : ''}  health: ${server.url}/healthz  ready: ${server.url}/readyz\n`);
  opts.onListening?.(server);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      opts.signal?.removeEventListener('abort', stop);
      resolve();
    };
    if (opts.signal) {
      if (opts.signal.aborted) return stop();
      opts.signal.addEventListener('abort', stop);
    } else {
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    }
  });
  // graceful: in-flight scrapes are answered or cut, keep-alive sockets closed, the lag sampler stopped
  await server.close();
  metrics.close();
}

/** Readiness for the server: the database answers, every migration is applied, the lake folder is readable. */
export function readiness(deps: MetricsCliDeps): Check {
  const checks: Record<string, boolean | string> = {};
  try {
    deps.db().prepare('SELECT 1').get();
    checks.db = true;
  } catch (e) {
    checks.db = e instanceof Error ? e.message.split('\n')[0]! : 'unavailable';
  }
  try {
    const pending = deps.migrationStatus?.().filter((m) => m.state !== 'applied').length ?? 0;
    checks.migrations = pending === 0 ? true : `${pending} pending`;
  } catch (e) {
    checks.migrations = e instanceof Error ? e.message.split('\n')[0]! : 'unknown';
  }
  try {
    fs.accessSync(deps.paths.bars, fs.constants.R_OK);
    checks.lake = true;
  } catch {
    checks.lake = 'not readable';
  }
  return { ok: Object.values(checks).every((v) => v === true), checks };
}

export async function queryHistory(deps: MetricsCliDeps, io: MetricsCliIo, opts: MetricsCommandOptions): Promise<void> {
  const now = (opts.now ?? Date.now)();
  const history = new MetricsHistory(deps.db(), { now: () => now });
  const print = (s: string): void => void io.stdout.write(s.endsWith('\n') ? s : s + '\n');
  if (opts.list) {
    const rows = history.list();
    if (opts.json) return print(JSON.stringify(rows.map((r) => ({ ...r, lastAt: new Date(r.lastTs).toISOString() }))));
    if (rows.length === 0) return print('no metrics recorded yet (they are recorded while ingest jobs run)');
    const w = Math.max(...rows.map((r) => r.name.length));
    for (const r of rows) print(`${r.name.padEnd(w)}  ${formatNumber(r.value).padStart(8)}  ${String(r.series).padStart(3)} series  last ${new Date(r.lastTs).toISOString()}`);
    return;
  }
  if (opts.metric === undefined) {
    // the main series side by side: rows ingested, requests, errors, latency
    const sinceMs = now - parseDuration(opts.since ?? '24h', '--since');
    const bucket = opts.avg === undefined ? undefined : parseDuration(opts.avg, '--avg');
    if (bucket !== undefined) checkBuckets(now - sinceMs, bucket, '--avg');
    const charts = mainSeries(history, sinceMs, bucket, parseLabels(opts.labels), now);
    if (opts.json) return print(JSON.stringify(Object.fromEntries(charts.map((c) => [c.title, c.points.map((p) => ({ ts: new Date(p.ts).toISOString(), value: p.value }))]))));
    if (charts.every((c) => c.points.length === 0)) return print(`no samples of ${MAIN_SERIES.map((s) => s.name).join(', ')} since ${new Date(sinceMs).toISOString()} (they are recorded while ingest jobs run)`);
    print(`main series since ${new Date(sinceMs).toISOString()}${opts.avg ? `, average per second per ${opts.avg}` : ''} (one series: --metric NAME)`);
    if (opts.plot) return print(sideBySide(charts, (io.stdout as NodeJS.WriteStream).columns ?? 80));
    for (const c of charts) print(`${c.title}: ${c.points.map((p) => `${new Date(p.ts).toISOString().slice(0, 16)} ${formatNumber(p.value)}`).join(', ') || 'no samples'}`);
    return;
  }
  const name = resolveMetricName(opts.metric) ?? opts.metric;
  if (name !== opts.metric) io.stderr.write(`metrics: ${opts.metric} is ${name} here\n`);
  if (!familyOf(name)) {
    const known = METRIC_DEFS.filter((d) => d.combine !== 'none').map((d) => (d.type === 'histogram' ? `${d.name}_count` : d.name));
    throw new MpError('E_BAD_INPUT', `unknown metric "${name}": try one of ${known.join(', ')} (histograms: NAME_bucket, NAME_sum, NAME_count)`);
  }
  const sinceMs = now - parseDuration(opts.since ?? '24h', '--since');
  const labels = parseLabels(opts.labels);
  let points: Point[];
  let unit = '';
  if (opts.avg !== undefined) {
    const bucket = parseDuration(opts.avg, '--avg');
    checkBuckets(now - sinceMs, bucket, '--avg');
    points = history.averages(name, bucket, sinceMs, labels, now);
    unit = familyOf(name)?.type === 'gauge' ? ` (mean per ${opts.avg})` : ` (average per second, per ${opts.avg})`;
  } else points = history.series(name, sinceMs, labels);
  if (opts.json) return print(JSON.stringify(points.map((p) => ({ ts: new Date(p.ts).toISOString(), value: p.value }))));
  if (points.length === 0) return print(`no samples of ${name} since ${new Date(sinceMs).toISOString()}`);
  if (opts.plot) {
    const cols = (io.stdout as NodeJS.WriteStream).columns;
    return print(`${name}${unit}\n${asciiPlot(points, { width: Math.max(20, Math.min(120, (cols ?? 80) - 14)), height: 12 })}`);
  }
  print(`${name}${unit}`);
  for (const p of points) print(`${new Date(p.ts).toISOString()}  ${p.value}`);
}



function parseLabels(s: string | undefined): Record<string, string> {
  if (!s) return {};
  const out: Record<string, string> = {};
  for (const pair of s.split(',')) {
    const m = /^\s*([a-z_][a-z0-9_]*)=(.*?)\s*$/i.exec(pair);
    if (!m) throw new MpError('E_BAD_INPUT', `--labels must look like provider=alpaca,feed=iex: got "${pair}"`);
    out[m[1]!] = m[2]!;
  }
  return out;
}
