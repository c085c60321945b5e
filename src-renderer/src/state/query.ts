import { create } from 'zustand';
import type { QueryResult } from '../../../src-main/contract/schemas';
import type { ErrorValue } from '../../../src-main/shared/errors';

export const DEFAULT_SQL =
  'SELECT symbol, count(*) AS bars, min(ts) AS first, max(ts) AS last FROM bars GROUP BY symbol ORDER BY symbol';

interface QueryState {
  sql: string;
  maxRows: number;
  running: boolean;
  result: QueryResult | null;
  error: ErrorValue | null;
  /** The SQL of the shown result (the editor may have moved on). */
  ranSql: string | null;
  /** Bumped per finished run, so views keyed on it start fresh. */
  runs: number;
  setSql(sql: string): void;
  setMaxRows(n: number): void;
  started(): void;
  succeeded(sql: string, result: QueryResult): void;
  failed(sql: string, error: ErrorValue): void;
}

export const useQuery = create<QueryState>()((set) => ({
  sql: DEFAULT_SQL,
  maxRows: 10_000,
  running: false,
  result: null,
  error: null,
  ranSql: null,
  runs: 0,
  setSql: (sql) => set({ sql }),
  setMaxRows: (maxRows) => set({ maxRows }),
  started: () => set({ running: true }),
  succeeded: (sql, result) => set((s) => ({ running: false, result, error: null, ranSql: sql, runs: s.runs + 1 })),
  failed: (sql, error) => set((s) => ({ running: false, error, result: null, ranSql: sql, runs: s.runs + 1 })),
}));
