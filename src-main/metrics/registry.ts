import fs from 'node:fs/promises';
import path from 'node:path';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { BreakerState, HttpHooks } from '../providers/http/types';
import { MetricsBase, type BaseMetricsOptions } from './base';
import { BREAKER_STATE_VALUE, familyOf, sourceOf, type Stage } from './definitions';

export interface EngineMetricsOptions extends BaseMetricsOptions {
  /** the lake folder whose size `mp_lake_size_bytes` reports (omit: the gauge stays 0) */
  lakeDir?: string;
  /** how long a computed lake size is reused (default 60 s): walking a large lake at every scrape would be costly */
  lakeSizeTtlMs?: number;
  /** read at scrape: units waiting to run (alternatively call queueLength(n)) */
  queueLength?: () => number;
}

/** One recorded value: a sample name (histograms give `_bucket`, `_sum`, `_count`), its labels and its value. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * The engine's metrics: one per engine, on its own registry. Every update goes through a typed method, so label sets
 * stay bounded and consistent; hosts expose `registry` (or `exposition()`) through the metrics server.
 */
export class EngineMetrics extends MetricsBase {
  private readonly requests: Counter<string>;
  private readonly errors: Counter<string>;
  private readonly latency: Histogram<string>;
  private readonly rows: Counter<string>;
  private readonly validation: Counter<string>;
  private readonly processing: Histogram<string>;
  private readonly rateWaits: Counter<string>;
  private readonly inFlight: Gauge<string>;
  private readonly breaker: Gauge<string>;
  private readonly freshness: Gauge<string>;
  private readonly queue: Gauge<string>;
  private readonly lakeDir: string | undefined;
  private readonly lakeTtlMs: number;
  private lakeCache: { at: number; bytes: number } | undefined;
  private lakeWalk: Promise<number> | undefined;

  constructor(opts: EngineMetricsOptions = {}) {
    super(opts);
    this.lakeDir = opts.lakeDir;
    this.lakeTtlMs = opts.lakeSizeTtlMs ?? 60_000;
    this.requests = this.make('mp_requests_total') as Counter<string>;
    this.errors = this.make('mp_errors_total') as Counter<string>;
    this.latency = this.make('mp_request_latency_seconds') as Histogram<string>;
    this.rows = this.make('mp_ingest_rows_total', { exemplars: true }) as Counter<string>;
    this.validation = this.make('mp_validation_errors_total') as Counter<string>;
    this.processing = this.make('mp_processing_time_seconds') as Histogram<string>;
    this.rateWaits = this.make('mp_rate_limiter_waits_total') as Counter<string>;
    this.inFlight = this.make('mp_jobs_in_flight') as Gauge<string>;
    this.breaker = this.make('mp_circuit_breaker_state') as Gauge<string>;
    this.freshness = this.make('mp_last_success_timestamp_seconds') as Gauge<string>;
    const queueFn = opts.queueLength;
    this.queue = this.make('mp_queue_length', queueFn ? { collect: () => void this.queue.set(queueFn()) } : {}) as Gauge<string>;
    const lakeGauge = this.make('mp_lake_size_bytes', {
      collect: async () => {
        lakeGauge.set(await this.lakeSize());
      },
    }) as Gauge<string>;
  }

  /** A provider answered (any HTTP status) after `seconds`; 4xx/5xx also count as errors by status class. */
  requestObserved(provider: string, feed: string, status: number, seconds: number): void {
    const labels = { source: sourceOf(provider), provider, feed };
    this.requests.inc(labels);
    this.latency.observe(labels, seconds);
    if (status >= 400) this.error(provider, feed, status === 429 ? 'http_429' : `http_${Math.floor(status / 100)}xx`);
  }

  /** `code`: an ErrorCode (E_PROVIDER, E_TIMEOUT, ...) or an http_* status class. Never a message. */
  error(provider: string, feed: string, code: string): void {
    this.errors.inc({ source: sourceOf(provider), provider, feed, code });
  }

  /** Bars written; `jobId` becomes an OpenMetrics exemplar (not a label: exemplars do not create series). */
  rowsIngested(provider: string, feed: string, timeframe: string, n: number, jobId?: string): void {
    if (n <= 0) return;
    const labels = { provider, feed, timeframe };
    if (this.legacy) this.rows.inc(labels, n);
    else this.rows.inc({ labels, value: n, ...(jobId ? { exemplarLabels: { job_id: jobId } } : {}) });
  }

  stage(stage: Stage, seconds: number): void {
    this.processing.observe({ stage }, seconds);
  }

  /** Starts a stage timer; call the returned function when the stage ends. */
  startStage(stage: Stage): () => number {
    const t0 = performance.now();
    return () => {
      const s = (performance.now() - t0) / 1000;
      this.stage(stage, s);
      return s;
    };
  }

  rateLimitWait(provider: string): void {
    this.rateWaits.inc({ provider });
  }

  breakerState(provider: string, state: BreakerState): void {
    this.breaker.set({ provider }, BREAKER_STATE_VALUE[state]);
  }

  lastSuccess(provider: string, feed: string, atMs: number = Date.now()): void {
    this.freshness.set({ provider, feed }, atMs / 1000);
  }

  jobsInFlight(delta: number): void {
    this.inFlight.inc(delta);
  }

  queueLength(n: number): void {
    this.queue.set(n);
  }

  validationFindings(rule: string, severity: string, n = 1): void {
    if (n > 0) this.validation.inc({ rule, severity }, n);
  }

  /**
   * Hooks for the resilient HTTP client of one provider (createHttpClient(provider, options, hooks)). The client is
   * shared by every feed of a provider, so `feed` is usually unknown there and is left empty.
   */
  httpHooksFor(provider: string, feed = ''): HttpHooks {
    return {
      onResponse: (e) => this.requestObserved(provider, feed, e.status, e.durationMs / 1000),
      // a cancelled request is the user's choice, not a provider failure
      onError: (e) => {
        if (e.code !== 'E_CANCELLED') this.error(provider, feed, e.code);
      },
      onRateLimitWait: () => this.rateLimitWait(provider),
      onBreakerState: (e) => this.breakerState(provider, e.state),
    };
  }

  /**
   * This process's MarketPipe samples (process metrics and the in-process-only families left out), for the
   * history. Histograms flatten to their `_bucket`/`_sum`/`_count` samples.
   */
  async snapshot(): Promise<MetricSample[]> {
    const out: MetricSample[] = [];
    for (const m of await this.registry.getMetricsAsJSON()) {
      for (const v of m.values) {
        // histogram samples carry their own name (x_bucket, x_sum, x_count); the typings leave it out of MetricValue
        const name = ('metricName' in v && typeof v.metricName === 'string' ? v.metricName : undefined) ?? m.name;
        const def = familyOf(name);
        if (!def || def.combine === 'none') continue;
        const labels: Record<string, string> = {};
        for (const [k, val] of Object.entries(v.labels)) if (val !== undefined) labels[k] = String(val);
        out.push({ name, labels, value: v.value });
      }
    }
    return out;
  }

  private async lakeSize(): Promise<number> {
    const dir = this.lakeDir;
    if (!dir) return 0;
    const now = Date.now();
    if (this.lakeCache && now - this.lakeCache.at < this.lakeTtlMs) return this.lakeCache.bytes;
    // concurrent scrapes share one walk
    this.lakeWalk ??= dirSize(dir).finally(() => {
      this.lakeWalk = undefined;
    });
    const bytes = await this.lakeWalk;
    this.lakeCache = { at: Date.now(), bytes };
    return bytes;
  }
}

/** Bytes of regular files under dir; a missing folder is an empty lake, files vanishing mid-walk are skipped. */
export async function dirSize(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await dirSize(p);
    else if (e.isFile()) {
      try {
        total += (await fs.stat(p)).size;
      } catch {
        // removed between readdir and stat (a writer's temp file): not part of the lake
      }
    }
  }
  return total;
}
