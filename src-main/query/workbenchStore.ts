import type Database from 'better-sqlite3';
import type { HistoryEntry, SavedQuery } from '../contract/query';
import { MpError } from '../shared/errors';

/** How many history entries are kept: enough to find last week's query, small enough to list at once. */
export const HISTORY_KEEP = 500;

interface HistoryRow {
  id: number;
  sql: string;
  ran_at: string;
  row_count: number | null;
  elapsed_ms: number | null;
  error_code: string | null;
}
interface SavedRow {
  id: number;
  name: string;
  sql: string;
  created_at: string;
  updated_at: string;
}

/** Query history and saved queries in the metadata database (migration 0007). */
export class WorkbenchStore {
  constructor(private readonly db: Database.Database) {}

  record(e: { sql: string; rowCount: number | null; elapsedMs: number | null; errorCode: string | null }, now = new Date()): void {
    this.db.transaction(() => {
      this.db
        .prepare(`INSERT INTO query_history (sql, ran_at, row_count, elapsed_ms, error_code) VALUES (?, ?, ?, ?, ?)`)
        .run(e.sql, now.toISOString(), e.rowCount, e.elapsedMs, e.errorCode);
      this.db.prepare(`DELETE FROM query_history WHERE id <= (SELECT id FROM query_history ORDER BY id DESC LIMIT 1 OFFSET ?)`).run(HISTORY_KEEP);
    })();
  }

  history(limit: number): HistoryEntry[] {
    const rows = this.db.prepare(`SELECT * FROM query_history ORDER BY id DESC LIMIT ?`).all(limit) as HistoryRow[];
    return rows.map((r) => ({ id: r.id, sql: r.sql, ranAt: r.ran_at, rowCount: r.row_count, elapsedMs: r.elapsed_ms, errorCode: r.error_code }));
  }

  clearHistory(): number {
    return this.db.prepare(`DELETE FROM query_history`).run().changes;
  }

  saved(): SavedQuery[] {
    const rows = this.db.prepare(`SELECT * FROM saved_queries ORDER BY lower(name)`).all() as SavedRow[];
    return rows.map(toSaved);
  }

  /** Saves under a name; an existing name (any case) gets the new SQL and keeps its id. */
  save(name: string, sql: string, now = new Date()): SavedQuery {
    const trimmed = name.trim();
    if (!trimmed) throw new MpError('E_BAD_INPUT', 'name is empty');
    const at = now.toISOString();
    const existing = this.db.prepare(`SELECT id FROM saved_queries WHERE lower(name) = lower(?)`).get(trimmed) as { id: number } | undefined;
    if (existing) this.db.prepare(`UPDATE saved_queries SET name = ?, sql = ?, updated_at = ? WHERE id = ?`).run(trimmed, sql, at, existing.id);
    else this.db.prepare(`INSERT INTO saved_queries (name, sql, created_at, updated_at) VALUES (?, ?, ?, ?)`).run(trimmed, sql, at, at);
    return toSaved(this.db.prepare(`SELECT * FROM saved_queries WHERE lower(name) = lower(?)`).get(trimmed) as SavedRow);
  }

  delete(id: number): boolean {
    return this.db.prepare(`DELETE FROM saved_queries WHERE id = ?`).run(id).changes > 0;
  }
}

function toSaved(r: SavedRow): SavedQuery {
  return { id: r.id, name: r.name, sql: r.sql, createdAt: r.created_at, updatedAt: r.updated_at };
}
