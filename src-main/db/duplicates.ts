import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { BarValues, DroppedDuplicate } from '../providers/batch';
import { conflicting } from '../providers/batch';

// The repeated timestamps of jobs' deliveries (migration 0013, table job_duplicates). The lake keeps one copy of a
// bar, so once a delivery is written the lake cannot show that it held two: these rows are what validation's
// duplicate_bar reports them from (validate/delivered.ts), in the pipeline's run or in the next `marketpipe validate`.

export interface SeriesKey {
  provider: string;
  feed: string;
  timeframe: string;
  symbol: string;
}

export interface RecordedDuplicate extends SeriesKey {
  jobId: string;
  ts: number;
  /** 1 for the first dropped copy of this timestamp, 2 for a second, … */
  copy: number;
  kept: BarValues;
  dropped: BarValues;
  conflict: boolean;
}

const ValuesSchema = z.object({
  open: z.number().nullable(),
  high: z.number().nullable(),
  low: z.number().nullable(),
  close: z.number().nullable(),
  volume: z.number().nullable(),
  tradeCount: z.number().nullable(),
  vwap: z.number().nullable(),
});

/** JSON cannot hold NaN or infinities: those become null, which a reader takes as "not a number". */
function toJson(v: BarValues): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? null : x));
}

function fromJson(s: string): BarValues {
  const v = ValuesSchema.parse(JSON.parse(s));
  const n = (x: number | null) => x ?? Number.NaN;
  return { open: n(v.open), high: n(v.high), low: n(v.low), close: n(v.close), volume: n(v.volume), tradeCount: v.tradeCount, vwap: v.vwap };
}

interface Row {
  job_id: string;
  provider: string;
  feed: string;
  timeframe: string;
  symbol: string;
  ts: number;
  copy: number;
  kept: string;
  dropped: string;
  conflict: number;
}

export class DuplicateStore {
  private readonly stmts;
  constructor(private readonly db: Database.Database) {
    this.stmts = {
      clear: db.prepare(`DELETE FROM job_duplicates WHERE provider = ? AND feed = ? AND timeframe = ? AND symbol = ? AND ts >= ? AND ts < ? AND job_id <> ?`),
      insert: db.prepare(`INSERT OR REPLACE INTO job_duplicates (job_id, provider, feed, timeframe, symbol, ts, copy, kept, dropped, conflict)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      count: db.prepare(`SELECT count(*) FROM job_duplicates WHERE job_id = ?`),
    };
  }

  /**
   * Records a unit's duplicates (a job's unit covers [from, to) of one series): what earlier jobs recorded for that
   * range goes, since the lake's bars there now come from this delivery.
   */
  record(jobId: string, key: SeriesKey, from: number, to: number, dups: DroppedDuplicate[]): void {
    const lo = Number.isFinite(from) ? Math.trunc(from) : Number.MIN_SAFE_INTEGER;
    const hi = Number.isFinite(to) ? Math.trunc(to) : Number.MAX_SAFE_INTEGER;
    this.db.transaction(() => {
      this.stmts.clear.run(key.provider, key.feed, key.timeframe, key.symbol, lo, hi, jobId);
      let copy = 0;
      let prev = Number.NaN;
      for (const d of dups) {
        copy = d.ts === prev ? copy + 1 : 1;
        prev = d.ts;
        this.stmts.insert.run(jobId, key.provider, key.feed, key.timeframe, key.symbol, d.ts, copy, toJson(d.kept), toJson(d.dropped), conflicting(d.kept, d.dropped) ? 1 : 0);
      }
    })();
  }

  /** How many duplicates of a job are recorded in detail. */
  countFor(jobId: string): number {
    return Number(this.stmts.count.pluck().get(jobId));
  }

  /** The recorded duplicates of the series a validation scope names (undefined: any), in series and ts order. */
  inScope(scope: { symbols?: string[]; provider?: string; feed?: string; timeframe?: string }): RecordedDuplicate[] {
    const conds: string[] = [];
    const args: string[] = [];
    for (const k of ['provider', 'feed', 'timeframe'] as const) {
      const v = scope[k];
      if (v !== undefined) {
        conds.push(`${k} = ?`);
        args.push(v);
      }
    }
    let rows = this.db
      .prepare(`SELECT * FROM job_duplicates${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''} ORDER BY provider, feed, timeframe, symbol, ts, copy`)
      .all(...args) as Row[];
    if (scope.symbols) {
      const want = new Set(scope.symbols);
      rows = rows.filter((r) => want.has(r.symbol));
    }
    return rows.map((r) => ({
      jobId: r.job_id,
      provider: r.provider,
      feed: r.feed,
      timeframe: r.timeframe,
      symbol: r.symbol,
      ts: r.ts,
      copy: r.copy,
      kept: fromJson(r.kept),
      dropped: fromJson(r.dropped),
      conflict: r.conflict === 1,
    }));
  }
}
