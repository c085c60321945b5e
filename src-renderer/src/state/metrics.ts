import { create } from 'zustand';
import type { MetricsHistory, MetricsLive } from '../../../src-main/contract/schemas';
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

interface MetricsState {
  /** the last LIVE_WINDOW `metrics.live` samples, oldest first */
  live: MetricsLive[];
  history: RatePoint[] | null;
  historyError: string | null;
  push(sample: MetricsLive): void;
  setHistory(points: RatePoint[]): void;
  setHistoryError(message: string): void;
}

export const useMetrics = create<MetricsState>()((set) => ({
  live: [],
  history: null,
  historyError: null,
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
