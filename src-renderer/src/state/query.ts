import { create } from 'zustand';
import type { Cell } from '../../../src-main/contract/schemas';
import type { Column, ExportFormat, HistoryEntry, SavedQuery, SchemaView, Sort } from '../../../src-main/contract/query';
import type { ErrorValue } from '../../../src-main/shared/errors';
import type { Client } from '../client';
import { copyText } from '../clipboard';
import { PAGE_SIZE, PageCache } from './pageCache';

const DEFAULT_SQL =
  "SELECT symbol, count(*) AS bars, min(ts) AS first, max(ts) AS last FROM bars WHERE timeframe = '1m' GROUP BY symbol ORDER BY symbol";

const TIME_TYPE = /^(TIMESTAMP|DATE)/i;
const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|DECIMAL|DOUBLE|FLOAT|REAL)/i;

export const isNumericType = (type: string): boolean => NUMERIC_TYPE.test(type);

/** A result can be charted when it has a time column and at least one numeric column: x and the series. */
export function chartSpec(columns: Column[]): { x: number; ys: number[] } | null {
  const x = columns.findIndex((c) => TIME_TYPE.test(c.type));
  const ys = columns.flatMap((c, i) => (i !== x && isNumericType(c.type) ? [i] : [])).slice(0, 6);
  return x >= 0 && ys.length ? { x, ys } : null;
}

/** Rows of a result with a `symbol` and a time column (`ts` preferred) can open the chart explorer there. */
export function chartTargetColumns(columns: Column[]): { symbol: number; ts: number } | null {
  const symbol = columns.findIndex((c) => c.name.toLowerCase() === 'symbol');
  let ts = columns.findIndex((c) => c.name.toLowerCase() === 'ts');
  if (ts < 0) ts = columns.findIndex((c) => TIME_TYPE.test(c.type));
  return symbol >= 0 && ts >= 0 ? { symbol, ts } : null;
}

/** Clicking a header cycles: query order → ascending → descending → query order. */
export function nextSort(current: Sort | null, column: string): Sort | null {
  if (!current || current.column !== column) return { column, dir: 'asc' };
  return current.dir === 'asc' ? { column, dir: 'desc' } : null;
}

/** What Ctrl/Cmd+C copies: the value as shown, NULL as empty; a row as tab-separated values (pastes into sheets). */
export function cellText(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  return String(cell);
}
export function rowText(row: Cell[]): string {
  return row.map((c) => cellText(c).replace(/[\t\n]/g, ' ')).join('\t');
}

function newQueryId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `q${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

export interface ResultView {
  queryId: string;
  sql: string;
  columns: Column[];
  rowCount: number;
  elapsedMs: number;
  sort: Sort | null;
  cache: PageCache;
}

interface QueryState {
  sql: string;
  running: boolean;
  runningId: string | null;
  sorting: boolean;
  result: ResultView | null;
  error: ErrorValue | null;
  /** bumped when pages arrive, so the grid re-renders */
  version: number;
  /** one line for the status area: export saved, download started, … */
  notice: string | null;
  exporting: ExportFormat | null;
  history: HistoryEntry[];
  saved: SavedQuery[];
  schema: SchemaView[];
}

export const useQuery = create<QueryState>()(() => ({
  sql: DEFAULT_SQL,
  running: false,
  runningId: null,
  sorting: false,
  result: null,
  error: null,
  version: 0,
  notice: null,
  exporting: null,
  history: [],
  saved: [],
  schema: [],
}));

/** The editor's text. */
export function setSql(sql: string): void {
  useQuery.setState({ sql });
}

/** Appends a name (a table, a column) to the editor's text. */
export function insertSql(text: string): void {
  useQuery.setState((s) => ({ sql: `${s.sql} ${text}` }));
}

const bump = () => useQuery.setState((s) => ({ version: s.version + 1 }));

function makeCache(client: Client, queryId: string, rowCount: number, sort: Sort | null): PageCache {
  return new PageCache({
    rowCount,
    fetch: async (offset, limit) => {
      const r = await client.request('query.page', { queryId, offset, limit, sort });
      if (!r.ok) throw r.error;
      return r.value.rows;
    },
    onChange: bump,
    onError: (e) => useQuery.setState({ error: isErrorValue(e) ? e : { code: 'E_INTERNAL', message: String(e) } }),
  });
}

function isErrorValue(e: unknown): e is ErrorValue {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e;
}

export async function loadSide(client: Client): Promise<void> {
  const [history, saved, schema] = await Promise.all([client.request('query.history', { limit: 100 }), client.request('query.saved.list', {}), client.request('query.schema', {})]);
  useQuery.setState({
    ...(history.ok ? { history: history.value } : {}),
    ...(saved.ok ? { saved: saved.value } : {}),
    ...(schema.ok ? { schema: schema.value } : {}),
  });
}

async function refreshHistory(client: Client): Promise<void> {
  const h = await client.request('query.history', { limit: 100 });
  if (h.ok) useQuery.setState({ history: h.value });
}

export async function runQuery(client: Client): Promise<void> {
  const s = useQuery.getState();
  if (s.running) return;
  const sql = s.sql;
  const queryId = newQueryId();
  const previous = s.result;
  useQuery.setState({ running: true, runningId: queryId, error: null, notice: null });
  const r = await client.request('query.open', { sql, queryId, limit: PAGE_SIZE });
  if (r.ok) {
    previous?.cache.dispose();
    // the old result is freed engine-side; the engine would also drop it by LRU
    if (previous) void client.request('query.close', { queryId: previous.queryId });
    const cache = makeCache(client, queryId, r.value.rowCount, null);
    cache.put(0, r.value.first.rows);
    useQuery.setState({ running: false, runningId: null, result: { queryId, sql, columns: r.value.columns, rowCount: r.value.rowCount, elapsedMs: r.value.elapsedMs, sort: null, cache } });
  } else {
    useQuery.setState({ running: false, runningId: null, error: r.error });
  }
  void refreshHistory(client);
}

export async function cancelQuery(client: Client): Promise<void> {
  const id = useQuery.getState().runningId;
  if (id) await client.request('query.cancel', { queryId: id });
}

/** Re-orders the open result engine-side; the grid gets a fresh cache for the new order. */
export async function sortBy(client: Client, column: string): Promise<void> {
  const s = useQuery.getState();
  const result = s.result;
  if (!result || s.sorting) return;
  const sort = nextSort(result.sort, column);
  useQuery.setState({ sorting: true, error: null });
  const r = await client.request('query.sort', { queryId: result.queryId, sort, limit: PAGE_SIZE });
  if (!r.ok) {
    useQuery.setState({ sorting: false, error: r.error });
    return;
  }
  result.cache.dispose();
  const cache = makeCache(client, result.queryId, result.rowCount, sort);
  cache.put(0, r.value.first.rows);
  useQuery.setState({ sorting: false, result: { ...result, sort, cache } });
}

/** Desktop: the engine shows a save dialog. Web: the engine prepares a one-time download, fetched by the browser. */
export async function exportResult(client: Client, format: ExportFormat): Promise<void> {
  const result = useQuery.getState().result;
  if (!result) return;
  useQuery.setState({ exporting: format, notice: null, error: null });
  const r = await client.request('query.export', { queryId: result.queryId, format });
  useQuery.setState({ exporting: null });
  if (!r.ok) return void useQuery.setState({ error: r.error });
  const v = r.value;
  if (v.status === 'saved') useQuery.setState({ notice: `Saved ${v.rows.toLocaleString('en-US')} rows to ${v.path}` });
  else if (v.status === 'download') {
    client.download(v.url, v.filename);
    useQuery.setState({ notice: `Downloading ${v.filename} (${v.rows.toLocaleString('en-US')} rows)` });
  }
}

export async function saveQuery(client: Client, name: string): Promise<boolean> {
  const r = await client.request('query.saved.save', { name, sql: useQuery.getState().sql });
  if (!r.ok) {
    useQuery.setState({ error: r.error });
    return false;
  }
  const list = await client.request('query.saved.list', {});
  if (list.ok) useQuery.setState({ saved: list.value, notice: `Saved query “${r.value.name}”` });
  return true;
}

export async function deleteSaved(client: Client, id: number): Promise<void> {
  await client.request('query.saved.delete', { id });
  const list = await client.request('query.saved.list', {});
  if (list.ok) useQuery.setState({ saved: list.value });
}

/** Copies a cell or a row of the result, and says so. */
export async function copyCell(text: string, what: string): Promise<void> {
  const ok = await copyText(text);
  useQuery.setState({ notice: ok ? `Copied ${what}` : 'Copy failed' });
}
