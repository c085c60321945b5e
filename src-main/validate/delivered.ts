import type { DuckDBConnection } from '@duckdb/node-api';
import type { RecordedDuplicate } from '../db/duplicates';
import { sqlString } from '../lake/layout';
import type { BarValues } from '../providers/batch';

// duplicate_bar for deliveries. The lake holds one bar per (symbol, timeframe, ts) within a source, so the copies a
// delivery repeated are gone by the time the rules read the lake: the ingest recorded them (db/duplicates.ts) and
// they become findings here, in the pipeline's validation of the job or in the next `marketpipe validate` covering
// them. Equal copies are a warning (nothing was lost); copies that differ are an error (one of two answers was dropped).

const FIELDS = [
  ['open', 'o'],
  ['high', 'h'],
  ['low', 'l'],
  ['close', 'c'],
  ['volume', 'v'],
  ['tradeCount', 'n'],
  ['vwap', 'vw'],
] as const;

function num(x: number | null): string {
  if (x === null) return '-';
  return Number.isFinite(x) ? String(x) : String(x).toLowerCase();
}

function show(v: BarValues): string {
  return FIELDS.map(([k, short]) => `${short} ${num(v[k])}`).join(' ');
}

function json(v: BarValues): Record<string, number | null> {
  return Object.fromEntries(FIELDS.map(([k]) => [k, v[k] !== null && Number.isFinite(v[k]) ? v[k] : null]));
}

export function deliveredMessage(d: RecordedDuplicate): string {
  const job = d.jobId.slice(0, 8);
  if (!d.conflict) return `delivered twice with equal values (job ${job}); one copy stored`;
  const differ = FIELDS.filter(([k]) => !Object.is(d.kept[k], d.dropped[k])).map(([k]) => k);
  return `delivered twice with different ${differ.join(', ')} (job ${job}): kept ${show(d.kept)}; dropped ${show(d.dropped)}`;
}

/**
 * Appends the recorded duplicates inside [lo, hi) (epoch ms; null: open) of the run's series to its findings table:
 * timestamps and both copies' values in the message and in `observed`.
 */
export async function insertDeliveredDuplicates(conn: DuckDBConnection, dups: RecordedDuplicate[], lo: number | null, hi: number | null): Promise<void> {
  const inside = dups.filter((d) => (lo === null || d.ts >= lo) && (hi === null || d.ts < hi));
  for (let i = 0; i < inside.length; i += 500) {
    const values = inside.slice(i, i + 500).map((d) => {
      const observed = JSON.stringify({ job_id: d.jobId, copy: d.copy, kept: json(d.kept), dropped: json(d.dropped) });
      return `(${[d.provider, d.feed, d.timeframe, d.symbol].map(sqlString).join(', ')}, ${Math.trunc(d.ts)}, ${sqlString(d.conflict ? 'error' : 'warning')},
        ${sqlString(deliveredMessage(d))}, ${d.copy + 1}, ${sqlString(observed)})`;
    });
    await conn.run(`INSERT INTO findings (sid, e, rule, severity, message, value, observed)
      SELECT s.sid, v.e, 'duplicate_bar', v.severity, v.message, v.copies, v.observed
      FROM (VALUES ${values.join(', ')}) v(provider, feed, timeframe, symbol, e, severity, message, copies, observed)
      JOIN series s ON s.provider = v.provider AND s.feed = v.feed AND s.timeframe = v.timeframe AND s.symbol = v.symbol`);
  }
}
