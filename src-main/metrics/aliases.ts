import { familyOf } from './definitions';
import type { MetricsHistory, Point } from './history';
import { asciiPlot } from './plot';

// The original MarketPipe's metric names, as its README and dashboards used them, mapped to ours (docs/metrics.md
// lists the same table). `marketpipe metrics --metric NAME` accepts either; a name of ours always wins.
export const METRIC_ALIASES: Readonly<Record<string, string>> = {
  ingestion_bars: 'mp_ingest_rows_total',
  ingestion_rows: 'mp_ingest_rows_total',
  ingest_rows: 'mp_ingest_rows_total',
  bars_ingested: 'mp_ingest_rows_total',
  ingestion_requests: 'mp_requests_total',
  requests: 'mp_requests_total',
  ingestion_errors: 'mp_errors_total',
  errors: 'mp_errors_total',
  ingestion_latency: 'mp_request_latency_seconds_count',
  request_latency: 'mp_request_latency_seconds_count',
  latency: 'mp_request_latency_seconds_count',
  validation_errors: 'mp_validation_errors_total',
  processing_time: 'mp_processing_time_seconds_count',
  rate_limiter_waits: 'mp_rate_limiter_waits_total',
};

/** Our name for `name`: itself when known, else the alias table, else with the `mp_` prefix or `_total` suffix it lacks. */
export function resolveMetricName(name: string): string | undefined {
  if (familyOf(name)) return name;
  const alias = METRIC_ALIASES[name];
  if (alias) return alias;
  return [`mp_${name}`, `${name}_total`, `mp_${name}_total`].find((n) => familyOf(n));
}

/** The main series charted by `metrics --plot` / `--avg` without `--metric`. */
export const MAIN_SERIES = [
  { title: 'rows ingested', name: 'mp_ingest_rows_total' },
  { title: 'requests', name: 'mp_requests_total' },
  { title: 'errors', name: 'mp_errors_total' },
  { title: 'latency (s, mean)', name: 'mp_request_latency_seconds' },
] as const;

/** Each main series' points: rates per second per bucket (`bucketMs`), or raw totals; latency is sum / count. */
export function mainSeries(history: MetricsHistory, sinceMs: number, bucketMs: number | undefined, labels: Record<string, string>, now: number): { title: string; points: Point[] }[] {
  const read = (name: string): Point[] => (bucketMs === undefined ? history.series(name, sinceMs, labels) : history.averages(name, bucketMs, sinceMs, labels, now));
  return MAIN_SERIES.map((s) => {
    if (s.name !== 'mp_request_latency_seconds') return { title: s.title, points: read(s.name) };
    const count = new Map(read(`${s.name}_count`).map((p) => [p.ts, p.value]));
    const points = read(`${s.name}_sum`).flatMap((p) => {
      const n = count.get(p.ts);
      return n ? [{ ts: p.ts, value: p.value / n }] : [];
    });
    return { title: s.title, points };
  });
}

/** Charts side by side: as many per row as `columns` allows (at least one), each titled. */
export function sideBySide(charts: { title: string; points: Point[] }[], columns: number): string {
  const perRow = Math.max(1, Math.min(charts.length, Math.floor(columns / 40)));
  const width = Math.max(16, Math.floor(columns / perRow) - 14);
  const blocks = charts.map((c) => [c.title, ...asciiPlot(c.points, { width, height: 8, formatTs: (ts) => new Date(ts).toISOString().slice(5, 16).replace('T', ' ') }).trimEnd().split('\n')]);
  const out: string[] = [];
  for (let i = 0; i < blocks.length; i += perRow) {
    const row = blocks.slice(i, i + perRow);
    const w = row.map((b) => Math.max(...b.map((l) => l.length)));
    const h = Math.max(...row.map((b) => b.length));
    for (let r = 0; r < h; r++) out.push(row.map((b, k) => (b[r] ?? '').padEnd(w[k]!)).join('   ').trimEnd());
    out.push('');
  }
  return out.join('\n');
}
