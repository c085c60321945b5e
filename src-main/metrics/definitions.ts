// Every metric MarketPipe exports, defined in one place: the registry, the history collector, the dashboard test and
// the docs all read this table, so a name cannot drift between them.
//
// Labels are bounded by construction: provider, feed, timeframe, source, stage, rule, severity and error codes come
// from small fixed sets. Never a symbol, job id, URL or message (those would make series unbounded).

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDef {
  name: string;
  help: string;
  type: MetricType;
  labels: readonly string[];
  buckets?: readonly number[];
  /**
   * Part of the original MarketPipe metric set, served in --legacy-metrics mode. The rest are "extras": they appear
   * only in the default (modern) mode, along with OpenMetrics negotiation and exemplars.
   */
  legacy: boolean;
  /**
   * How the history collector combines the latest recorded value of each process (see history-collector.ts):
   * sum (counters, histograms: totals add up), max (timestamps), live-sum (per-process state: only processes still
   * running count), none (not recorded: meaningful only inside the process that measures it).
   */
  combine: 'sum' | 'max' | 'live-sum' | 'none';
}

/** Request latencies: provider APIs answer in tens to hundreds of ms, timeouts are tens of seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;
/** Stage durations: a page write is ms, a validation or aggregation pass over a year of bars can take minutes. */
const STAGE_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300] as const;
/** Event-loop lag per one-second window: anything above 100 ms is a UI/scrape stall worth seeing. */
const LAG_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

export const METRIC_DEFS = [
  { name: 'mp_requests_total', help: 'Provider requests answered (every attempt that got an HTTP response, or a page read from a file or the simulator).', type: 'counter', labels: ['source', 'provider', 'feed'], legacy: true, combine: 'sum' },
  { name: 'mp_errors_total', help: 'Provider errors: http_4xx/http_429/http_5xx per failed attempt, and the MarketPipe error code (E_PROVIDER, E_TIMEOUT, ...) per failed request.', type: 'counter', labels: ['source', 'provider', 'feed', 'code'], legacy: true, combine: 'sum' },
  { name: 'mp_request_latency_seconds', help: 'Provider request latency per attempt.', type: 'histogram', labels: ['source', 'provider', 'feed'], buckets: LATENCY_BUCKETS, legacy: true, combine: 'sum' },
  { name: 'mp_ingest_rows_total', help: 'Bars written to the lake.', type: 'counter', labels: ['provider', 'feed', 'timeframe'], legacy: true, combine: 'sum' },
  { name: 'mp_validation_errors_total', help: 'Validation findings.', type: 'counter', labels: ['rule', 'severity'], legacy: true, combine: 'sum' },
  { name: 'mp_processing_time_seconds', help: 'Time spent per pipeline stage (fetch, write, validate, aggregate).', type: 'histogram', labels: ['stage'], buckets: STAGE_BUCKETS, legacy: true, combine: 'sum' },
  { name: 'mp_rate_limiter_waits_total', help: 'Requests that had to wait for the provider rate limiter.', type: 'counter', labels: ['provider'], legacy: true, combine: 'sum' },
  { name: 'marketpipe_event_loop_lag_seconds', help: 'Worst event-loop delay in each one-second window, sampled independently of scrapes.', type: 'histogram', labels: [], buckets: LAG_BUCKETS, legacy: false, combine: 'none' },
  { name: 'mp_jobs_in_flight', help: 'Ingestion jobs running.', type: 'gauge', labels: [], legacy: false, combine: 'live-sum' },
  { name: 'mp_circuit_breaker_state', help: 'Provider circuit breaker: 0 closed, 1 half-open, 2 open.', type: 'gauge', labels: ['provider'], legacy: false, combine: 'none' },
  { name: 'mp_last_success_timestamp_seconds', help: 'Unix time of the last successful ingest unit per provider and feed (freshness).', type: 'gauge', labels: ['provider', 'feed'], legacy: false, combine: 'max' },
  { name: 'mp_lake_size_bytes', help: 'Size of the Parquet lake on disk (computed at scrape, cached).', type: 'gauge', labels: [], legacy: false, combine: 'none' },
  { name: 'mp_queue_length', help: 'Ingest units waiting to run.', type: 'gauge', labels: [], legacy: false, combine: 'live-sum' },
  { name: 'mp_metrics_connections_dropped_total', help: 'Connections to the metrics server dropped because METRICS_MAX_CONNECTIONS was reached.', type: 'counter', labels: [], legacy: false, combine: 'none' },
] as const satisfies readonly MetricDef[];

export type MetricName = (typeof METRIC_DEFS)[number]['name'];

const byName = new Map<string, MetricDef>(METRIC_DEFS.map((d) => [d.name, d]));

/**
 * The family a sample name belongs to: `x_bucket`, `x_sum` and `x_count` belong to histogram `x`. Returns undefined
 * for names MarketPipe does not define.
 */
export function familyOf(sampleName: string): MetricDef | undefined {
  const direct = byName.get(sampleName);
  if (direct) return direct;
  const m = /^(.*)_(bucket|sum|count)$/.exec(sampleName);
  const d = m ? byName.get(m[1]!) : undefined;
  return d?.type === 'histogram' ? d : undefined;
}

/** The `source` label: how a provider gets its bars. rest = network APIs, file = local CSV, sim = the fake simulator. */
export function sourceOf(provider: string): 'rest' | 'file' | 'sim' {
  if (provider === 'csv') return 'file';
  if (provider === 'fake') return 'sim';
  return 'rest';
}

export const STAGES = ['fetch', 'write', 'validate', 'aggregate'] as const;
export type Stage = (typeof STAGES)[number];

export const BREAKER_STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;
