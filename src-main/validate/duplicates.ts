import type { PartitionKey } from '../lake/layout';

// duplicate_bar for a delivery. The lake cannot hold two bars of one (symbol, timeframe, ts) within a source: the
// writer keeps the last copy. What it can tell is that a provider delivered duplicates, which says something about the
// provider; the ingest calls this with the batch size and the writer's de-duplicated count (WriteResult.written).

export interface DeliveryDuplicateFinding {
  symbol: string;
  timeframe: string;
  provider: string;
  feed: string;
  rule: 'duplicate_bar';
  /** the writer resolved them (kept the last copy), so the lake itself is fine: a warning, not an error */
  severity: 'warning';
  message: string;
  /** bars delivered minus bars stored */
  duplicates: number;
  delivered: number;
}

/** A finding when a delivery of `delivered` bars stored only `stored` distinct timestamps; null when nothing repeated. */
export function deliveryDuplicateFinding(key: Omit<PartitionKey, 'year'> | PartitionKey, delivered: number, stored: number): DeliveryDuplicateFinding | null {
  const duplicates = delivered - stored;
  if (!(duplicates > 0)) return null;
  return {
    symbol: key.symbol,
    timeframe: key.timeframe,
    provider: key.provider,
    feed: key.feed,
    rule: 'duplicate_bar',
    severity: 'warning',
    message: `${duplicates} of ${delivered} delivered bars repeated a timestamp; the last copy of each was kept`,
    duplicates,
    delivered,
  };
}

/** Counts repeated timestamps in a delivery's ts column (epoch ms) without touching the lake: for a staged batch. */
export function countDuplicateTimestamps(ts: Float64Array, length = ts.length): number {
  const sorted = Float64Array.from(ts.subarray(0, length)).sort();
  let dup = 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) dup++;
  return dup;
}
