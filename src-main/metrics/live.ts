import type { MetricsLive } from '../contract/schemas';
import type { MetricName } from './definitions';
import type { EngineMetrics } from './registry';

export interface LiveSamplerOptions {
  /** the clock (ms), for tests; default Date.now */
  now?: () => number;
  /** how far back the latency percentiles look (default 5 s) */
  latencyWindowMs?: number;
}

interface Value {
  labels: Record<string, string | number | undefined>;
  value: number;
  metricName?: string;
}

/** Cumulative latency bucket counts (summed over every label set), by upper bound; the last bound is +Inf. */
interface BucketSnapshot {
  at: number;
  counts: number[];
}

interface Totals {
  at: number;
  rows: number;
  requests: Map<string, number>;
  errors: Map<string, number>;
  waits: number;
  findings: number;
  lagSum: number;
  lagCount: number;
}

const QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

/**
 * Turns the registry's running totals into the live numbers the Metrics page charts: per-second rates since the
 * previous sample, latency percentiles over the last few seconds, the latest event-loop lag and the gauges.
 *
 * Cheap enough to run every second: it reads only the metric objects it needs (`registry.getSingleMetric(name)`), so
 * no collect callback runs (`getMetricsAsJSON()` would walk the lake for mp_lake_size_bytes and gather every process
 * metric). A metric not registered (legacy mode leaves the extras out) reads as zero.
 */
export class LiveSampler {
  private readonly now: () => number;
  private readonly windowMs: number;
  private prev: Totals | undefined;
  /** latency snapshots of about the last window (oldest first) */
  private buckets: BucketSnapshot[] = [];
  private bounds: number[] = [];
  private lag = 0;
  /** samples run one at a time: two overlapping calls would both compute against the same previous totals */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly metrics: EngineMetrics,
    opts: LiveSamplerOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.windowMs = opts.latencyWindowMs ?? 5000;
  }

  sample(): Promise<MetricsLive> {
    const run = () => this.take();
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async take(): Promise<MetricsLive> {
    const [rows, requests, errors, latency, waits, findings, lag, inFlight] = await Promise.all([
      this.read('mp_ingest_rows_total'),
      this.read('mp_requests_total'),
      this.read('mp_errors_total'),
      this.read('mp_request_latency_seconds'),
      this.read('mp_rate_limiter_waits_total'),
      this.read('mp_validation_errors_total'),
      this.read('marketpipe_event_loop_lag_seconds'),
      this.read('mp_jobs_in_flight'),
    ]);
    const at = this.now();
    const cur: Totals = {
      at,
      rows: sum(rows),
      requests: byLabel(requests, 'provider'),
      // the final MarketPipe code only (E_PROVIDER, E_TIMEOUT, ...): the http_* classes count failed attempts, so a
      // failed request that was retried would count several times
      errors: byLabel(
        errors.filter((v) => String(v.labels.code ?? '').startsWith('E_')),
        'provider',
      ),
      waits: sum(waits),
      findings: sum(findings),
      lagSum: sum(lag.filter((v) => v.metricName?.endsWith('_sum'))),
      lagCount: sum(lag.filter((v) => v.metricName?.endsWith('_count'))),
    };
    const prev = this.prev;
    this.prev = cur;
    const seconds = prev ? (at - prev.at) / 1000 : 0;
    const rate = (now: number, before: number | undefined): number => (seconds > 0 ? increase(now, before ?? 0) / seconds : 0);
    const perProvider = (now: Map<string, number>, before: Map<string, number> | undefined): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const [provider, total] of now) out[provider] = prev ? rate(total, before?.get(provider)) : 0;
      return out;
    };

    // event-loop lag: the mean of the one-second worst delays observed since the last sample (normally exactly one);
    // without a new observation the last value stands
    const lagN = cur.lagCount - (prev?.lagCount ?? 0);
    if (lagN > 0) this.lag = Math.max(0, (cur.lagSum - (prev?.lagSum ?? 0)) / lagN);
    else if (lagN < 0 && cur.lagCount > 0) this.lag = Math.max(0, cur.lagSum / cur.lagCount);

    return {
      at: new Date(at).toISOString(),
      rowsPerSecond: prev ? rate(cur.rows, prev.rows) : 0,
      requestsPerSecond: perProvider(cur.requests, prev?.requests),
      errorsPerSecond: perProvider(cur.errors, prev?.errors),
      latency: this.latency(latency, at),
      rateLimitWaitsPerSecond: prev ? rate(cur.waits, prev.waits) : 0,
      validationFindings: prev ? increase(cur.findings, prev.findings) : 0,
      eventLoopLagSeconds: this.lag,
      jobsInFlight: Math.max(0, sum(inFlight)),
    };
  }

  /** Percentiles of the requests answered over the last window, from the histogram buckets' increase. */
  private latency(values: Value[], at: number): MetricsLive['latency'] {
    const none = { p50: null, p95: null, p99: null };
    const byBound = new Map<number, number>();
    for (const v of values) {
      if (!v.metricName?.endsWith('_bucket')) continue;
      const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le);
      if (Number.isNaN(le)) continue;
      byBound.set(le, (byBound.get(le) ?? 0) + v.value);
    }
    const bounds = [...byBound.keys()].sort((a, b) => a - b);
    if (bounds.length === 0 || bounds.at(-1) !== Infinity) return none;
    if (bounds.join() !== this.bounds.join()) {
      // first sample (or the buckets changed): nothing to compare with yet
      this.bounds = bounds;
      this.buckets = [];
    }
    const snap: BucketSnapshot = { at, counts: bounds.map((b) => byBound.get(b)!) };
    // the baseline: the newest snapshot at least a window old, else the oldest one kept
    let base = this.buckets[0];
    for (const s of this.buckets) if (at - s.at >= this.windowMs) base = s;
    this.buckets = this.buckets.filter((s) => s === base || at - s.at < this.windowMs);
    this.buckets.push(snap);
    if (!base) return none;
    const inc = snap.counts.map((c, i) => increase(c, base.counts[i]!));
    // cumulative counts must not go down from one bucket to the next (a reset in between could make them)
    for (let i = 1; i < inc.length; i++) inc[i] = Math.max(inc[i]!, inc[i - 1]!);
    if (inc.at(-1)! <= 0) return none;
    return {
      p50: histogramQuantile(QUANTILES.p50, bounds, inc),
      p95: histogramQuantile(QUANTILES.p95, bounds, inc),
      p99: histogramQuantile(QUANTILES.p99, bounds, inc),
    };
  }

  private async read(name: MetricName): Promise<Value[]> {
    const metric = this.metrics.registry.getSingleMetric(name);
    if (!metric) return [];
    return (await metric.get()).values as Value[];
  }
}

/**
 * Prometheus' histogram_quantile: `bounds` ascending upper bounds ending with +Inf, `cumulative` counts per bound.
 * Linear interpolation inside the bucket the rank falls in (the first bucket starts at 0); a rank in the +Inf bucket
 * gives the highest finite bound. Null without observations.
 */
export function histogramQuantile(q: number, bounds: readonly number[], cumulative: readonly number[]): number | null {
  const total = cumulative.at(-1) ?? 0;
  if (!(total > 0) || bounds.length < 2) return null;
  if (q <= 0) return 0;
  if (q >= 1) return bounds.at(-2)!;
  const rank = q * total;
  let i = 0;
  while (i < cumulative.length - 1 && cumulative[i]! < rank) i++;
  if (i === bounds.length - 1) return bounds.at(-2)!;
  const upper = bounds[i]!;
  const lower = i === 0 ? 0 : bounds[i - 1]!;
  const below = i === 0 ? 0 : cumulative[i - 1]!;
  const inBucket = cumulative[i]! - below;
  if (i === 0 && upper <= 0) return upper;
  if (inBucket <= 0) return upper;
  return lower + (upper - lower) * ((rank - below) / inBucket);
}

function increase(now: number, before: number): number {
  // a counter that went down was reset: count what it holds now
  return now >= before ? now - before : now;
}

function sum(values: Value[]): number {
  let n = 0;
  for (const v of values) n += v.value;
  return n;
}

function byLabel(values: Value[], label: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of values) {
    const key = String(v.labels[label] ?? '');
    out.set(key, (out.get(key) ?? 0) + v.value);
  }
  return out;
}

/**
 * Samples the live metrics every `everyMs` and hands them to `push` (the engine emits metrics.live); a failed sample
 * is reported and the next one tried. Returns the stop function.
 */
export function startLiveMetrics(metrics: EngineMetrics, push: (m: MetricsLive) => void, onError: (e: unknown) => void, everyMs = 1000): () => void {
  const sampler = new LiveSampler(metrics);
  const timer = setInterval(() => {
    void sampler.sample().then(push).catch(onError);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
