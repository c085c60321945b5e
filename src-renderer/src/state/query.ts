import { create } from 'zustand';
import type { Cell } from '../../../src-main/contract/schemas';
import type { Column, ExportFormat, HistoryEntry, SavedQuery, SchemaView, SnapshotView, Sort } from '../../../src-main/contract/query';
import type { ErrorValue } from '../../../src-main/shared/errors';
import type { Client } from '../client';
import { copyText } from '../clipboard';
import { PAGE_SIZE, PageCache } from './pageCache';
import { layoutQueryError } from './queryError';
import { useQueryAsOf } from './queryAsOf';
import { useQueryTimeout } from './queryTimeout';

const DEFAULT_SQL =
  "SELECT symbol, count(*) AS bars, min(ts) AS first, max(ts) AS last FROM bars WHERE timeframe = '1m' GROUP BY symbol ORDER BY symbol";

const TIME_TYPE = /^(TIMESTAMP|DATE)/i;
const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|DECIMAL|DOUBLE|FLOAT|REAL)/i;

export const isNumericType = (type: string): boolean => NUMERIC_TYPE.test(type);
/** An instant (TIMESTAMPTZ): shown in the app's time zone; a naive TIMESTAMP is shown as written. */
export const isInstantType = (type: string): boolean => /^(TIMESTAMP WITH TIME ZONE|TIMESTAMPTZ)/i.test(type);

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
  /** the snapshot the result was read from ("As of"); null: the live lake */
  snapshot: SnapshotView | null;
}

/** An editor tab: its own SQL, kept across restarts (localStorage). */
export interface QueryTab {
  id: string;
  name: string;
  sql: string;
}

/** A run the user cancelled: said as such, not as a failure. */
export interface Cancelled {
  elapsedMs: number;
}

/** Rows fetched for "Chart result": every row up to CHART_MAX_ROWS, in the result's order. */
export interface ChartRows {
  queryId: string;
  rows: Cell[][];
  /** rows in the result */
  total: number;
  loading: boolean;
}

interface QueryState {
  /** the active tab's SQL */
  sql: string;
  tabs: QueryTab[];
  activeTab: string;
  /** the tab the result, error or cancel below belongs to */
  resultTab: string | null;
  running: boolean;
  runningId: string | null;
  /** Date.now() when the running query started (for the elapsed timer) */
  startedAt: number | null;
  /** the running query's timeout in seconds, as sent (0: none), shown beside the elapsed timer */
  runningTimeoutS: number | null;
  cancelRequested: boolean;
  cancelled: Cancelled | null;
  /** where the last error points in the editor (character offsets in the tab's SQL) */
  errorRange: { from: number; to: number } | null;
  /** the SQL text the last run sent (the selection, or the whole editor) */
  ranSql: string | null;
  chart: ChartRows | null;
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

const TABS_KEY = 'mp.query.tabs';
/** Rows "Chart result" fetches at most: more are not drawn, and the caption says so. */
export const CHART_MAX_ROWS = 20_000;

function newTabId(): string {
  return `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** Tabs as stored: a valid list, or one tab with the default SQL. */
export function parseTabs(raw: string | null): { tabs: QueryTab[]; activeTab: string } {
  const fallback = () => {
    const id = newTabId();
    return { tabs: [{ id, name: 'Query 1', sql: DEFAULT_SQL }], activeTab: id };
  };
  if (!raw) return fallback();
  try {
    const v = JSON.parse(raw) as { tabs?: unknown; activeTab?: unknown };
    const tabs = Array.isArray(v.tabs)
      ? v.tabs.filter((t): t is QueryTab => !!t && typeof t === 'object' && typeof (t as QueryTab).id === 'string' && typeof (t as QueryTab).name === 'string' && typeof (t as QueryTab).sql === 'string').slice(0, 30)
      : [];
    if (tabs.length === 0) return fallback();
    const activeTab = typeof v.activeTab === 'string' && tabs.some((t) => t.id === v.activeTab) ? v.activeTab : tabs[0]!.id;
    return { tabs, activeTab };
  } catch {
    return fallback();
  }
}

function loadTabs(): { tabs: QueryTab[]; activeTab: string } {
  try {
    return parseTabs(typeof window !== 'undefined' ? window.localStorage.getItem(TABS_KEY) : null);
  } catch {
    return parseTabs(null);
  }
}

let saveTimer: ReturnType<typeof setTimeout> | null = null;
function persistTabs(): void {
  if (typeof window === 'undefined') return;
  if (saveTimer) clearTimeout(saveTimer);
  // typing writes at most every 300 ms
  saveTimer = setTimeout(() => {
    saveTimer = null;
    const { tabs, activeTab } = useQuery.getState();
    try {
      window.localStorage.setItem(TABS_KEY, JSON.stringify({ tabs, activeTab }));
    } catch {
      // storage full or denied: the tabs live on for this session
    }
  }, 300);
}

const initialTabs = loadTabs();

export const useQuery = create<QueryState>()(() => ({
  sql: initialTabs.tabs.find((t) => t.id === initialTabs.activeTab)!.sql,
  tabs: initialTabs.tabs,
  activeTab: initialTabs.activeTab,
  resultTab: null,
  running: false,
  runningId: null,
  startedAt: null,
  runningTimeoutS: null,
  cancelRequested: false,
  cancelled: null,
  errorRange: null,
  ranSql: null,
  chart: null,
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

/** The editor's text (the active tab's). Editing clears the error's mark: its offsets no longer hold. */
export function setSql(sql: string): void {
  useQuery.setState((s) => ({ sql, tabs: s.tabs.map((t) => (t.id === s.activeTab ? { ...t, sql } : t)), errorRange: s.sql === sql ? s.errorRange : null }));
  persistTabs();
}

/** Appends a name (a table, a column) to the editor's text. */
export function insertSql(text: string): void {
  setSql(`${useQuery.getState().sql} ${text}`);
}

/** Opens a new tab (empty, or with the given SQL) and makes it active. */
export function newTab(sql = ''): void {
  useQuery.setState((s) => {
    const used = new Set(s.tabs.map((t) => t.name));
    let n = s.tabs.length + 1;
    while (used.has(`Query ${n}`)) n++;
    const tab = { id: newTabId(), name: `Query ${n}`, sql };
    return { tabs: [...s.tabs, tab], activeTab: tab.id, sql, errorRange: null };
  });
  persistTabs();
}

export function selectTab(id: string): void {
  const s = useQuery.getState();
  const tab = s.tabs.find((t) => t.id === id);
  if (!tab || id === s.activeTab) return;
  useQuery.setState({ activeTab: id, sql: tab.sql, errorRange: null });
  persistTabs();
}

/** Closes a tab (the last one stays); its neighbour becomes active. */
export function closeTab(id: string): void {
  const s = useQuery.getState();
  if (s.tabs.length <= 1) return;
  const i = s.tabs.findIndex((t) => t.id === id);
  if (i < 0) return;
  const tabs = s.tabs.filter((t) => t.id !== id);
  if (s.activeTab !== id) {
    useQuery.setState({ tabs });
  } else {
    const next = tabs[Math.min(i, tabs.length - 1)]!;
    useQuery.setState({ tabs, activeTab: next.id, sql: next.sql, errorRange: null });
  }
  persistTabs();
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

/** Drops the shown result (engine-side too): a new run, an error or a cancel never shows an old result under it. */
function clearResult(client: Client): void {
  const previous = useQuery.getState().result;
  if (!previous) return;
  previous.cache.dispose();
  void client.request('query.close', { queryId: previous.queryId });
  useQuery.setState({ result: null, chart: null });
}

/**
 * Runs the active tab's SQL, or `selection` (the selected text and where it starts in the editor) when given. The
 * previous result is cleared at once; a cancel by the user ends as `cancelled`, not as an error; an error's position is
 * located in the editor's text.
 */
export async function runQuery(client: Client, selection?: { text: string; from: number }): Promise<void> {
  const s = useQuery.getState();
  if (s.running) return;
  const sql = selection && selection.text.trim() ? selection.text : s.sql;
  const offset = selection && selection.text.trim() ? selection.from : 0;
  if (!sql.trim()) return void useQuery.setState({ error: { code: 'E_BAD_INPUT', message: 'There is no SQL to run.' }, resultTab: s.activeTab, cancelled: null });
  const queryId = newQueryId();
  const startedAt = Date.now();
  clearResult(client);
  const timeoutSeconds = useQueryTimeout.getState().seconds;
  const asOf = useQueryAsOf.getState().spec;
  useQuery.setState({ running: true, runningId: queryId, startedAt, runningTimeoutS: timeoutSeconds, cancelRequested: false, cancelled: null, error: null, errorRange: null, notice: null, resultTab: s.activeTab, ranSql: sql });
  const r = await client.request('query.open', { sql, queryId, limit: PAGE_SIZE, timeoutSeconds, ...(asOf !== null ? { asOf } : {}) });
  const cancelRequested = useQuery.getState().cancelRequested;
  if (r.ok) {
    const cache = makeCache(client, queryId, r.value.rowCount, null);
    cache.put(0, r.value.first.rows);
    useQuery.setState({ running: false, runningId: null, startedAt: null, cancelRequested: false, result: { queryId, sql, columns: r.value.columns, rowCount: r.value.rowCount, elapsedMs: r.value.elapsedMs, sort: null, cache, snapshot: r.value.snapshot ?? null } });
  } else if (r.error.code === 'E_CANCELLED' || (cancelRequested && r.error.code === 'E_INTERRUPTED')) {
    useQuery.setState({ running: false, runningId: null, startedAt: null, cancelRequested: false, cancelled: { elapsedMs: Date.now() - startedAt } });
  } else {
    const layout = r.error.code === 'E_QUERY' ? layoutQueryError(r.error.message, sql) : null;
    const range = layout?.range ? { from: layout.range.from + offset, to: layout.range.to + offset } : null;
    useQuery.setState({ running: false, runningId: null, startedAt: null, cancelRequested: false, error: r.error, errorRange: range });
  }
  void refreshHistory(client);
}

/** Asks the engine to stop the running query; the run then ends as cancelled. */
export async function cancelQuery(client: Client): Promise<void> {
  const id = useQuery.getState().runningId;
  if (!id) return;
  useQuery.setState({ cancelRequested: true });
  await client.request('query.cancel', { queryId: id });
}

/** Fetches the rows "Chart result" draws: every row up to CHART_MAX_ROWS, in the result's current order. */
export async function loadChartRows(client: Client): Promise<void> {
  const result = useQuery.getState().result;
  if (!result) return;
  // loaded or loading for this result and order (a new order resets `chart`)
  const have = useQuery.getState().chart;
  if (have && have.queryId === result.queryId) return;
  const want = Math.min(result.rowCount, CHART_MAX_ROWS);
  useQuery.setState({ chart: { queryId: result.queryId, rows: [], total: result.rowCount, loading: true } });
  const rows: Cell[][] = [];
  const step = 1000;
  for (let offset = 0; offset < want; offset += step) {
    const r = await client.request('query.page', { queryId: result.queryId, offset, limit: Math.min(step, want - offset), sort: result.sort });
    if (useQuery.getState().result !== result) return; // a new run or a new order took its place (and reset `chart`)
    if (!r.ok) return void useQuery.setState({ chart: null, error: r.error });
    rows.push(...r.value.rows);
  }
  useQuery.setState({ chart: { queryId: result.queryId, rows, total: result.rowCount, loading: false } });
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
  useQuery.setState({ sorting: false, result: { ...result, sort, cache }, chart: null });
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
