import { tradingDays, zonedTimeToUtc, EXCHANGE_TZ } from '../calendar';

export interface IngestTask {
  symbol: string;
  year: number;
  /** exchange-local dates, inclusive, clipped to the year */
  start: string;
  end: string;
  /** trading days in [start, end], ascending */
  days: string[];
  /** the range [from, to) in epoch ms that this task owns in its partition */
  from: number;
  to: number;
}

function nextDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * One task per (symbol, calendar year) of the range: a task fills exactly one lake partition, so its write can merge
 * with what the partition already holds and publish one file. Tasks without a trading day are dropped.
 */
export function planIngest(symbols: string[], start: string, end: string): IngestTask[] {
  const tasks: IngestTask[] = [];
  const y0 = Number(start.slice(0, 4));
  const y1 = Number(end.slice(0, 4));
  for (const symbol of symbols) {
    for (let y = y0; y <= y1; y++) {
      const s = y === y0 ? start : `${y}-01-01`;
      const e = y === y1 ? end : `${y}-12-31`;
      const days = tradingDays(s, e);
      if (days.length === 0) continue;
      tasks.push({
        symbol,
        year: y,
        start: s,
        end: e,
        days,
        from: zonedTimeToUtc(s, 0, 0, EXCHANGE_TZ),
        to: zonedTimeToUtc(nextDate(e), 0, 0, EXCHANGE_TZ),
      });
    }
  }
  return tasks;
}
