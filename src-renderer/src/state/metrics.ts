import { create } from 'zustand';
import type { Job, MetricsHistory, MetricsLive } from '../../../src-main/contract/schemas';
import type { Client } from '../client';
import { errorText } from '../errorWords';

/** Live samples kept: about five minutes at one a second. Older ones are dropped, so hours open cost nothing more. */
export const LIVE_WINDOW = 300;

/** One point of the last-hour chart: a per-second rate averaged over a bucket starting at `t` (ms). */
export interface RatePoint {
  t: number;
  value: number;
}

export const HISTORY = { name: 'mp_ingest_rows_total', since: '1h', avg: '1m', bucketMs: 60_000 } as const;

/** The range picker's choices: the live window, or a span of the recorded history with its bucket. */
export const RANGES = {
  live: { label: 'Live', ms: LIVE_WINDOW * 1000, since: '', avg: '', bucketMs: 1000 },
  '15m': { label: '15 m', ms: 15 * 60_000, since: '15m', avg: '15s', bucketMs: 15_000 },
  '1h': { label: '1 h', ms: 3_600_000, since: '1h', avg: '1m', bucketMs: 60_000 },
  '6h': { label: '6 h', ms: 6 * 3_600_000, since: '6h', avg: '5m', bucketMs: 300_000 },
  '24h': { label: '24 h', ms: 24 * 3_600_000, since: '24h', avg: '15m', bucketMs: 900_000 },
  '7d': { label: '7 d', ms: 7 * 86_400_000, since: '7d', avg: '1h', bucketMs: 3_600_000 },
} as const;
export type RangeId = keyof typeof RANGES;
export const RANGE_IDS = Object.keys(RANGES) as RangeId[];

/** The recorded series a history range charts (names of `metrics.history`). */
export const SERIES = {
  rows: 'mp_ingest_rows_total',
  requests: 'mp_requests_total',
  errors: 'mp_errors_total',
  latencySum: 'mp_request_latency_seconds_sum',
  latencyCount: 'mp_request_latency_seconds_count',
  waits: 'mp_rate_limiter_waits_total',
  findings: 'mp_validation_errors_total',
  jobs: 'mp_jobs_in_flight',
} as const;
export type SeriesId = keyof typeof SERIES;

/** One bucket of a history range, every series at its time. */
export interface RangeRow {
  t: number;
  rows: number;
  requests: number;
  errors: number;
  /** mean request latency over the bucket, ms; null without requests */
  latencyMs: number | null;
  waits: number;
  findings: number;
  jobs: number | null;
}

/** A job's run, for the start and end annotations. */
export interface JobMark {
  id: string;
  label: string;
  start: number;
  end: number | null;
  status: string;
}

interface MetricsState {
  /** the last LIVE_WINDOW `metrics.live` samples, oldest first */
  live: MetricsLive[];
  history: RatePoint[] | null;
  historyError: string | null;
  range: RangeId;
  /** the history range's buckets (null while loading) */
  rangeRows: RangeRow[] | null;
  rangeError: string | null;
  /** dragged time span every panel zooms to; null: the whole range */
  zoom: [number, number] | null;
  jobs: JobMark[];
  push(sample: MetricsLive): void;
  setHistory(points: RatePoint[]): void;
  setHistoryError(message: string): void;
}

export const useMetrics = create<MetricsState>()((set) => ({
  live: [],
  history: null,
  historyError: null,
  range: 'live',
  rangeRows: null,
  rangeError: null,
  zoom: null,
  jobs: [],
  push: (sample) => set((s) => ({ live: appendBounded(s.live, sample, LIVE_WINDOW) })),
  setHistory: (points) => set({ history: points, historyError: null }),
  setHistoryError: (message) => set({ historyError: message }),
}));

/** A new array with `item` last and at most `max` items. */
export function appendBounded<T>(list: readonly T[], item: T, max: number): T[] {
  const keep = list.length >= max ? list.slice(list.length - max + 1) : list.slice();
  keep.push(item);
  return keep;
}

/**
 * The history's per-bucket averages as chart points. `metrics.history` with `avg` already gives a counter's increase
 * per second; still, totals combined from several processes can step down (a process's rows age out of the window),
 * so negatives are clamped to 0. The bucket still in progress is averaged over the part of it that has passed (over
 * the whole bucket it would read low).
 */
export function historyRates(points: MetricsHistory['points'], bucketMs: number, now: number): RatePoint[] {
  const out: RatePoint[] = [];
  for (const p of points) {
    const t = Date.parse(p.ts);
    if (!Number.isFinite(t) || t > now) continue;
    const value = Number.isFinite(p.value) ? Math.max(0, p.value) : 0;
    const elapsed = Math.min(bucketMs, Math.max(1000, now - t));
    out.push({ t, value: (value * bucketMs) / elapsed });
  }
  return out;
}

export async function loadHistory(client: Client, now: () => number = Date.now): Promise<void> {
  const r = await client.request('metrics.history', { name: HISTORY.name, since: HISTORY.since, avg: HISTORY.avg });
  if (r.ok) useMetrics.getState().setHistory(historyRates(r.value.points, HISTORY.bucketMs, now()));
  else useMetrics.getState().setHistoryError(errorText(r.error));
}

/** Every provider seen in the window, sorted: a stable order keeps each provider's colour. */
export function providersIn(live: readonly MetricsLive[]): string[] {
  const names = new Set<string>();
  for (const s of live) {
    for (const p of Object.keys(s.requestsPerSecond)) names.add(p);
    for (const p of Object.keys(s.errorsPerSecond)) names.add(p);
  }
  return [...names].sort();
}

export function sumValues(record: Record<string, number>): number {
  let n = 0;
  for (const v of Object.values(record)) n += v;
  return n;
}

/** Every series of a history range merged by bucket time; the latency is the bucket's mean (sum rate / count rate). */
export function rangeRows(series: Partial<Record<SeriesId, MetricsHistory['points']>>, bucketMs: number, now: number): RangeRow[] {
  const rows = new Map<number, RangeRow>();
  const row = (t: number): RangeRow => {
    let r = rows.get(t);
    if (!r) rows.set(t, (r = { t, rows: 0, requests: 0, errors: 0, latencyMs: null, waits: 0, findings: 0, jobs: null }));
    return r;
  };
  const rates = (id: SeriesId) => historyRates(series[id] ?? [], bucketMs, now);
  for (const p of rates('rows')) row(p.t).rows = p.value;
  for (const p of rates('requests')) row(p.t).requests = p.value;
  for (const p of rates('errors')) row(p.t).errors = p.value;
  for (const p of rates('waits')) row(p.t).waits = p.value;
  for (const p of rates('findings')) row(p.t).findings = p.value;
  const count = new Map(rates('latencyCount').map((p) => [p.t, p.value]));
  for (const p of rates('latencySum')) {
    const n = count.get(p.t) ?? 0;
    if (n > 0) row(p.t).latencyMs = (p.value / n) * 1000;
  }
  for (const p of series.jobs ?? []) {
    const t = Date.parse(p.ts);
    if (Number.isFinite(t) && t <= now) row(t).jobs = p.value;
  }
  return [...rows.values()].sort((a, b) => a.t - b.t);
}

let rangeRequest = 0;

/** Picks a range: live, or a span of the history (loaded now, every series at once). Clears the zoom. */
export async function setRange(client: Client, range: RangeId, now: () => number = Date.now): Promise<void> {
  useMetrics.setState({ range, zoom: null, rangeError: null, ...(range === 'live' ? {} : { rangeRows: null }) });
  if (range !== 'live') await loadRange(client, range, now);
}

/** Loads the history of a range (again); an answer for a range no longer picked is dropped. */
export async function loadRange(client: Client, range: RangeId, now: () => number = Date.now): Promise<void> {
  if (range === 'live') return;
  const r = RANGES[range];
  const id = ++rangeRequest;
  const ids = Object.keys(SERIES) as SeriesId[];
  const answers = await Promise.all(ids.map((k) => client.request('metrics.history', { name: SERIES[k], since: r.since, avg: r.avg })));
  if (id !== rangeRequest || useMetrics.getState().range !== range) return;
  const failed = answers.find((a) => !a.ok);
  if (failed && !failed.ok) {
    useMetrics.setState({ rangeError: failed.error.message, rangeRows: [] });
    return;
  }
  const series: Partial<Record<SeriesId, MetricsHistory['points']>> = {};
  ids.forEach((k, i) => {
    const a = answers[i]!;
    if (a.ok) series[k] = a.value.points;
  });
  useMetrics.setState({ rangeRows: rangeRows(series, r.bucketMs, now()), rangeError: null });
}

/** Zooms every panel to a dragged span (in either direction); a span under a second is a click, not a zoom. */
export function zoomTo(a: number, b: number): void {
  const from = Math.min(a, b);
  const to = Math.max(a, b);
  if (to - from >= 1000) useMetrics.setState({ zoom: [from, to] });
}

export function resetZoom(): void {
  useMetrics.setState({ zoom: null });
}

/** Jobs as annotations: their start and end (still running: no end). */
export function jobMarks(jobs: readonly Job[]): JobMark[] {
  const out: JobMark[] = [];
  for (const j of jobs) {
    const start = j.startedAt ? Date.parse(j.startedAt) : NaN;
    if (!Number.isFinite(start)) continue;
    const end = j.finishedAt ? Date.parse(j.finishedAt) : NaN;
    const who = j.symbols.length === 1 ? j.symbols[0]! : `${j.symbols.length} symbols`;
    out.push({ id: j.id, label: `${j.provider} ${who}`, start, end: Number.isFinite(end) ? end : null, status: j.status });
  }
  return out.sort((a, b) => a.start - b.start);
}

export async function loadJobMarks(client: Client): Promise<void> {
  const r = await client.request('jobs.list', { limit: 200 });
  if (!r.ok) return;
  const jobs = jobMarks(r.value);
  // the same marks keep their array: every chart takes them, and a new array redraws all of them (every 10 s)
  if (JSON.stringify(jobs) !== JSON.stringify(useMetrics.getState().jobs)) useMetrics.setState({ jobs });
}
