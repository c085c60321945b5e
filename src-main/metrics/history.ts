import type Database from 'better-sqlite3';
import { pidAlive } from '../shared/process';
import { familyOf, type MetricDef } from './definitions';
import type { MetricSample } from './registry';

// Metrics history in the metadata database (tables from migration 0004_metrics.sql).
//
// Semantics of "totals recorded by every process": each process counts from zero, so the latest value a process
// recorded is its own lifetime total. The total of a counter (or histogram sample) at time t is the SUM over processes
// of each one's latest value at or before t. Consequences, by design:
//  - a process that exited keeps contributing its last total, so CLI runs add up;
//  - when a process's rows age out of the retention window, its contribution disappears (the sum drops once;
//    Prometheus' rate() treats that as a counter reset);
//  - timestamps (mp_last_success_timestamp_seconds) combine by MAX, per-process state (jobs in flight, queue length)
//    by SUM over processes still running (a dead process has no jobs in flight, whatever it last recorded);
//  - families that only mean something in the measuring process (event-loop lag, lake size, breaker state,
//    dropped connections) are not recorded at all.
// A process writes a sample only when its value changed since its last write, plus a full heartbeat every hour so a
// long-lived process never ages out of the window while it runs: "latest at or before t" stays exact.

export interface HistoryOptions {
  /** default 14 days */
  retentionMs?: number;
  /** how often record() also prunes expired rows (default: at most once per 10 minutes) */
  pruneEveryMs?: number;
  /** a full rewrite of unchanged values this often (default 1 h) */
  heartbeatMs?: number;
  now?: () => number;
  pid?: number;
  /** process identity, default `${pid}@${process start ms}` */
  proc?: string;
  /** whether a recorded pid still runs (default: signal 0 on this machine) */
  alive?: (pid: number) => boolean;
}

export interface Point {
  ts: number;
  value: number;
}

export interface ListedMetric {
  name: string;
  /** label sets recorded */
  series: number;
  lastTs: number;
  /** combined over label sets and processes (see the semantics above) */
  value: number;
}

export interface CombinedValue {
  labels: Record<string, string>;
  value: number;
}

interface LatestRow {
  name: string;
  labels: string;
  pid: number;
  ts: number;
  value: number;
}

interface SampleRow {
  ts: number;
  labels: string;
  proc: string;
  value: number;
}

export const DAY_MS = 86_400_000;

export class MetricsHistory {
  readonly retentionMs: number;
  private readonly pruneEveryMs: number;
  private readonly heartbeatMs: number;
  private readonly now: () => number;
  private readonly pid: number;
  private readonly proc: string;
  private readonly alive: (pid: number) => boolean;
  private readonly written = new Map<string, number>();
  private lastPrune = 0;
  private lastHeartbeat = 0;
  private readonly insertSample: Database.Statement;
  private readonly upsertLatest: Database.Statement;
  private readonly writeBatch: (rows: MetricSample[], at: number) => number;

  constructor(
    private readonly db: Database.Database,
    opts: HistoryOptions = {},
  ) {
    this.retentionMs = opts.retentionMs ?? 14 * DAY_MS;
    this.pruneEveryMs = opts.pruneEveryMs ?? 10 * 60_000;
    this.heartbeatMs = opts.heartbeatMs ?? 3_600_000;
    this.now = opts.now ?? Date.now;
    this.pid = opts.pid ?? process.pid;
    this.proc = opts.proc ?? `${this.pid}@${Math.round(performance.timeOrigin)}`;
    this.alive = opts.alive ?? pidAlive;
    this.insertSample = db.prepare('INSERT INTO metrics_samples (ts, name, labels, value, pid, proc) VALUES (?, ?, ?, ?, ?, ?)');
    this.upsertLatest = db.prepare(
      `INSERT INTO metrics_latest (proc, name, labels, pid, ts, value) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (proc, name, labels) DO UPDATE SET ts = excluded.ts, value = excluded.value`,
    );
    // one transaction per snapshot: a few hundred rows cost one fsync, not a few hundred
    this.writeBatch = db.transaction((rows: MetricSample[], at: number) => {
      for (const r of rows) {
        const labels = canonicalLabels(r.labels);
        this.insertSample.run(at, r.name, labels, r.value, this.pid, this.proc);
        this.upsertLatest.run(this.proc, r.name, labels, this.pid, at, r.value);
      }
      return rows.length;
    });
  }

  /**
   * Records a snapshot (EngineMetrics.snapshot()). Writes only changed values (and everything at the hourly
   * heartbeat), prunes now and then. Returns the rows written.
   */
  record(snapshot: MetricSample[], at: number = this.now()): number {
    const heartbeat = at - this.lastHeartbeat >= this.heartbeatMs;
    const rows = snapshot.filter((s) => {
      if (!Number.isFinite(s.value) || !familyOf(s.name)) return false;
      return heartbeat || this.written.get(`${s.name}\u0000${canonicalLabels(s.labels)}`) !== s.value;
    });
    const n = rows.length ? this.writeBatch(rows, at) : 0;
    // only after the commit: a rolled-back batch must be written again next time
    for (const r of rows) this.written.set(`${r.name}\u0000${canonicalLabels(r.labels)}`, r.value);
    if (heartbeat) this.lastHeartbeat = at;
    if (at - this.lastPrune >= this.pruneEveryMs) this.prune(at);
    return n;
  }

  /** Deletes rows older than the retention window; returns how many samples went. */
  prune(at: number = this.now()): number {
    const cutoff = at - this.retentionMs;
    this.lastPrune = at;
    const n = this.db.prepare('DELETE FROM metrics_samples WHERE ts < ?').run(cutoff).changes;
    this.db.prepare('DELETE FROM metrics_latest WHERE ts < ?').run(cutoff);
    return n;
  }

  /** Every recorded sample name with its label-set count, last write and combined current value. */
  list(): ListedMetric[] {
    const rows = this.db.prepare('SELECT name, labels, pid, ts, value FROM metrics_latest ORDER BY name').all() as LatestRow[];
    const out = new Map<string, { labels: Set<string>; lastTs: number; rows: LatestRow[] }>();
    for (const r of rows) {
      let e = out.get(r.name);
      if (!e) out.set(r.name, (e = { labels: new Set(), lastTs: 0, rows: [] }));
      e.labels.add(r.labels);
      e.lastTs = Math.max(e.lastTs, r.ts);
      e.rows.push(r);
    }
    return [...out].map(([name, e]) => ({ name, series: e.labels.size, lastTs: e.lastTs, value: this.combine(name, e.rows) }));
  }

  /**
   * Current combined value per label set of every recorded sample: what the history collector serves.
   * Map: sample name → values.
   */
  totals(): Map<string, CombinedValue[]> {
    const rows = this.db.prepare('SELECT name, labels, pid, ts, value FROM metrics_latest').all() as LatestRow[];
    const groups = new Map<string, Map<string, LatestRow[]>>();
    for (const r of rows) {
      let byLabels = groups.get(r.name);
      if (!byLabels) groups.set(r.name, (byLabels = new Map()));
      const list = byLabels.get(r.labels);
      if (list) list.push(r);
      else byLabels.set(r.labels, [r]);
    }
    const out = new Map<string, CombinedValue[]>();
    for (const [name, byLabels] of groups) {
      out.set(
        name,
        [...byLabels].map(([labels, rs]) => ({ labels: JSON.parse(labels) as Record<string, string>, value: this.combine(name, rs) })),
      );
    }
    return out;
  }

  /**
   * The combined value of a sample over time since `sinceMs`, one point per recorded change; `labels` keeps only the
   * label sets that contain these pairs (e.g. { provider: 'alpaca' }). The first point is the value at `sinceMs`.
   */
  series(name: string, sinceMs: number, labels: Record<string, string> = {}): Point[] {
    const def = familyOf(name);
    const match = labelMatcher(labels);
    // the value at `since`: each (process, label set)'s latest row before it (SQLite returns the row of MAX(ts))
    const seed = this.db
      .prepare('SELECT MAX(ts) AS ts, labels, proc, value FROM metrics_samples WHERE name = ? AND ts < ? GROUP BY proc, labels')
      .all(name, sinceMs) as SampleRow[];
    const state = new Map<string, number>();
    for (const r of seed) if (match(r.labels)) state.set(`${r.proc}\u0000${r.labels}`, r.value);
    const aggregate = (): number => combineValues(def, [...state.values()]);
    const points: Point[] = [];
    if (state.size) points.push({ ts: sinceMs, value: aggregate() });
    const rows = this.db.prepare('SELECT ts, labels, proc, value FROM metrics_samples WHERE name = ? AND ts >= ? ORDER BY ts').iterate(name, sinceMs) as IterableIterator<SampleRow>;
    for (const r of rows) {
      if (!match(r.labels)) continue;
      state.set(`${r.proc}\u0000${r.labels}`, r.value);
      const last = points.at(-1);
      const value = aggregate();
      if (last && last.ts === r.ts) last.value = value;
      else points.push({ ts: r.ts, value });
    }
    return points;
  }

  /**
   * Per-bucket averages since `sinceMs` (buckets aligned to multiples of bucketMs). Counters and histogram samples:
   * the average rate per second over the bucket (increase / bucket seconds; drops from retention count as 0).
   * Gauges: the mean of the values recorded in the bucket (buckets without a record are left out).
   */
  averages(name: string, bucketMs: number, sinceMs: number, labels: Record<string, string> = {}, untilMs: number = this.now()): Point[] {
    if (!(bucketMs > 0)) throw new RangeError('bucket must be positive');
    const def = familyOf(name);
    const points = this.series(name, sinceMs, labels);
    const first = Math.floor(sinceMs / bucketMs) * bucketMs;
    const out: Point[] = [];
    if (def?.type === 'gauge') {
      const sums = new Map<number, { sum: number; n: number }>();
      for (const p of points) {
        const b = Math.floor(p.ts / bucketMs) * bucketMs;
        const e = sums.get(b) ?? { sum: 0, n: 0 };
        e.sum += p.value;
        e.n++;
        sums.set(b, e);
      }
      for (const [ts, e] of [...sums].sort((a, b) => a[0] - b[0])) out.push({ ts, value: e.sum / e.n });
      return out;
    }
    // counters: the step function's increase across each bucket
    // the baseline is the total carried in at `since` (not zero), or the first bucket would count all history
    let i = points[0] && points[0].ts <= sinceMs ? 1 : 0;
    let current = i === 1 ? points[0]!.value : 0;
    for (let b = first; b <= untilMs && out.length < 100_000; b += bucketMs) {
      const startValue = current;
      while (i < points.length && points[i]!.ts < b + bucketMs) current = points[i++]!.value;
      out.push({ ts: b, value: Math.max(0, current - startValue) / (bucketMs / 1000) });
    }
    return out;
  }

  private combine(name: string, rows: LatestRow[]): number {
    const def = familyOf(name);
    const live = def?.combine === 'live-sum' ? rows.filter((r) => r.pid === this.pid || this.alive(r.pid)) : rows;
    return combineValues(def, live.map((r) => r.value));
  }
}

function combineValues(def: MetricDef | undefined, values: number[]): number {
  if (values.length === 0) return 0;
  if (def?.combine === 'max') return Math.max(...values);
  return values.reduce((a, b) => a + b, 0);
}

/** Keys sorted, so the same label set is always the same string (and groups in SQL). */
export function canonicalLabels(labels: Record<string, string>): string {
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) sorted[k] = labels[k]!;
  return JSON.stringify(sorted);
}

function labelMatcher(want: Record<string, string>): (labels: string) => boolean {
  const pairs = Object.entries(want);
  if (pairs.length === 0) return () => true;
  const cache = new Map<string, boolean>();
  return (labels) => {
    let hit = cache.get(labels);
    if (hit === undefined) {
      const l = JSON.parse(labels) as Record<string, string>;
      hit = pairs.every(([k, v]) => l[k] === v);
      cache.set(labels, hit);
    }
    return hit;
  };
}

/**
 * Keeps a history fed: samples every `intervalMs` (default 15 s, unref'd timer), on demand (at job end) and on stop.
 * A failed sample is reported to onError and never breaks the host.
 */
export function startHistorySampler(
  snapshot: () => Promise<MetricSample[]>,
  history: MetricsHistory,
  opts: { intervalMs?: number; onError?: (e: unknown) => void } = {},
): { sampleNow(): Promise<number>; stop(): Promise<void> } {
  let chain: Promise<number> = Promise.resolve(0);
  const sampleNow = (): Promise<number> => {
    // one at a time: two overlapping samples would interleave their "changed since last write" bookkeeping
    chain = chain.then(
      async () => {
        try {
          return history.record(await snapshot());
        } catch (e) {
          opts.onError?.(e);
          return 0;
        }
      },
      () => 0,
    );
    return chain;
  };
  const timer = setInterval(() => void sampleNow(), opts.intervalMs ?? 15_000);
  timer.unref();
  return {
    sampleNow,
    stop: async () => {
      clearInterval(timer);
      await sampleNow();
    },
  };
}
