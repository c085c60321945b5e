import type { BarBatch } from '../providers/types';
import { DUPLICATE_DETAIL_LIMIT, valuesAt, type DeliveryDuplicates, type DroppedDuplicate, type PageRepeat } from '../providers/batch';

// Pure helpers of the ingest runner: a unit's duplicate copies (no row dropped without a word) and its days received.

export const NO_DUPLICATES: DeliveryDuplicates = { count: 0, sample: [] };

/** The index of `ts` in a strictly ascending column, or -1. */
function indexOfTs(ts: Float64Array, length: number, at: number): number {
  let lo = 0;
  let hi = length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = ts[mid]!;
    if (v === at) return mid;
    if (v < at) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * A paged unit's duplicates: those its pages dropped (AscendingPage keeps the first copy, which is in `batch`) and those
 * dropRepeats() took out of the delivery, in ts order, the detail capped as dropRepeats caps it.
 */
export function mergeRepeats(batch: BarBatch, repeats: PageRepeat[], found: DeliveryDuplicates): DeliveryDuplicates {
  if (repeats.length === 0) return found;
  const fromPages: DroppedDuplicate[] = [];
  for (const r of repeats) {
    const k = indexOfTs(batch.ts, batch.length, r.ts);
    if (k >= 0) fromPages.push({ ts: r.ts, kept: valuesAt(batch, k), dropped: r.dropped });
  }
  const sample = [...found.sample, ...fromPages].sort((a, b) => a.ts - b.ts).slice(0, DUPLICATE_DETAIL_LIMIT);
  return { count: found.count + repeats.length, sample };
}

/** Count of days in a sorted list that are <= date (binary search). */
export function daysUpTo(days: string[], date: string): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid]! <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
