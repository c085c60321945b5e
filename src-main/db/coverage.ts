import type Database from 'better-sqlite3';
import type { SourceKey } from '../lake/layout';

/** Which sessions of which source are in the lake (see migrations: coverage). */
export class CoverageStore {
  private readonly stmts;
  constructor(private readonly db: Database.Database) {
    this.stmts = {
      covered: db.prepare(
        `SELECT session_date FROM coverage WHERE symbol = ? AND timeframe = ? AND provider = ? AND feed = ? AND session_date BETWEEN ? AND ?`,
      ),
      last: db.prepare(`SELECT max(session_date) FROM coverage WHERE symbol = ? AND timeframe = ? AND provider = ? AND feed = ?`),
      put: db.prepare(`INSERT OR REPLACE INTO coverage (symbol, timeframe, provider, feed, session_date, rows, job_id, written_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    };
  }

  covered(src: SourceKey, start: string, end: string): Set<string> {
    return new Set(this.stmts.covered.pluck().all(src.symbol, src.timeframe, src.provider, src.feed, start, end) as string[]);
  }

  /** Per source of a symbol: first and last session held and how many sessions. */
  summary(symbol: string): { timeframe: string; provider: string; feed: string; first: string; last: string; sessions: number }[] {
    return this.db
      .prepare(
        `SELECT timeframe, provider, feed, min(session_date) AS first, max(session_date) AS last, count(*) AS sessions
         FROM coverage WHERE symbol = ? GROUP BY timeframe, provider, feed ORDER BY sessions DESC, provider, feed`,
      )
      .all(symbol) as { timeframe: string; provider: string; feed: string; first: string; last: string; sessions: number }[];
  }

  /** Symbols with at least one session in the lake (any source). */
  symbolCount(): number {
    return this.db.prepare(`SELECT count(DISTINCT symbol) FROM coverage`).pluck().get() as number;
  }

  /** Whether any session of this source was ever ingested (derived series, such as aggregates, never are). */
  ingested(src: SourceKey): boolean {
    return (
      this.db.prepare(`SELECT 1 FROM coverage WHERE symbol = ? AND timeframe = ? AND provider = ? AND feed = ? LIMIT 1`).get(src.symbol, src.timeframe, src.provider, src.feed) !== undefined
    );
  }

  /** The last session of this source in the lake, if any. */
  lastCovered(src: SourceKey): string | undefined {
    return (this.stmts.last.pluck().get(src.symbol, src.timeframe, src.provider, src.feed) as string | null) ?? undefined;
  }

  record(src: SourceKey, rowsByDay: Map<string, number>, jobId: string): void {
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const [day, rows] of rowsByDay) this.stmts.put.run(src.symbol, src.timeframe, src.provider, src.feed, day, rows, jobId, now);
    })();
  }

  /**
   * Forgets the sessions of one source in [start, end] (dates, inclusive): after `lake repair` quarantined the file that
   * held them, the next ingest fetches them again instead of calling them up to date. Returns how many were forgotten.
   */
  forget(src: SourceKey, start: string, end: string): number {
    return this.db
      .prepare(`DELETE FROM coverage WHERE symbol = ? AND timeframe = ? AND provider = ? AND feed = ? AND session_date BETWEEN ? AND ?`)
      .run(src.symbol, src.timeframe, src.provider, src.feed, start, end).changes;
  }
}
