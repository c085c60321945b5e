import { useCallback, useEffect, useRef, useState } from 'react';
import type { EditorView } from '@codemirror/view';
import { useClient } from '../clientContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { AsOfCaption, AsOfPicker } from '../components/query/AsOfPicker';
import { CellViewer } from '../components/query/CellViewer';
import { ResultChart } from '../components/query/ResultChart';
import { cellDisplay, ResultGrid } from '../components/query/ResultGrid';
import { HistoryPanel, SavedPanel, SchemaPanel } from '../components/query/SidePanels';
import { selectionOf, SqlEditor, type RunSelection } from '../components/query/SqlEditor';
import { QueryTabs } from '../components/query/QueryTabs';
import { formatElapsed, formatInt } from '../format';
import { useTimeZone } from '../state/display';
import { useNav } from '../state/nav';
import { usePageExport } from '../commands';
import { layoutQueryError } from '../state/queryError';
import {
  cancelQuery,
  chartSpec,
  copyCell,
  deleteSaved,
  exportResult,
  insertSql,
  isInstantType,
  isNumericType,
  loadChartRows,
  loadSide,
  runQuery,
  saveQuery,
  setSql,
  sortBy,
  useQuery,
} from '../state/query';
import { timeoutLabel } from '../state/queryTimeout';
import '../components/query/query.css';

const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** "Running… 3.4 s (limit 300 s)": ticks while the query runs, beside the timeout it runs under. */
function Elapsed({ since, timeoutS }: { since: number; timeoutS: number | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(t);
  }, []);
  return (
    <>
      Running… <span data-testid="elapsed">{formatElapsed(Math.max(0, now - since))}</span>
      {timeoutS !== null && (
        <span className="muted" data-testid="query-timeout" title="Query timeout: change it on the Settings page">
          {' '}
          ({timeoutLabel(timeoutS)})
        </span>
      )}
    </>
  );
}

/** A query error on its lines: the message, DuckDB's LINE echo and a caret under the token it points at. */
function QueryErrorText({ message, sql }: { message: string; sql: string }) {
  const l = layoutQueryError(message, sql);
  if (!l.line) return <>{message}</>;
  return (
    <>
      {l.head}
      {'\n\n'}
      {l.line}
      {l.caret ? `\n${l.caret}` : ''}
    </>
  );
}

export function QueryPage() {
  const client = useClient();
  const { sql, running, sorting, result, error, version, notice, exporting, history, saved, schema, startedAt, runningTimeoutS, cancelled, errorRange, ranSql, chart, activeTab, resultTab } = useQuery();
  const timeZone = useTimeZone();
  const [showChart, setShowChart] = useState(false);
  const [viewing, setViewing] = useState<{ row: number; col: number } | null>(null);
  const viewRef = useRef<EditorView | null>(null);

  useEffect(() => {
    void loadSide(client);
  }, [client]);

  const run = useCallback(
    (selection: RunSelection = selectionOf(viewRef.current)) => {
      setShowChart(false);
      setViewing(null);
      void runQuery(client, selection ?? undefined);
    },
    [client],
  );

  // the result, error or cancel shown belongs to the tab that ran it
  const mine = resultTab === null || resultTab === activeTab;
  const shownResult = mine ? result : null;
  const shownError = mine ? error : null;
  const shownCancelled = mine ? cancelled : null;

  const actions = {
    onSort: (column: string) => void sortBy(client, column),
    onCopy: (text: string, what: string) => void copyCell(text, what),
    onOpenChart: (symbol: string, at: string) => useNav.getState().openChart({ symbol, at }),
    onView: (row: number, col: number) => setViewing({ row, col }),
  };
  const canExport = !!shownResult && !running && !exporting;
  // File › Export… (desktop menu): the result as CSV, as the first export button does
  usePageExport('Export CSV', canExport ? () => void exportResult(client, 'csv') : null);
  const chartable = !!shownResult && !!chartSpec(shownResult.columns);

  // the chart's rows: fetched when it opens, and again for a new order of the result
  useEffect(() => {
    if (showChart && shownResult) void loadChartRows(client);
  }, [showChart, shownResult, client]);

  const viewedRow = viewing && shownResult ? shownResult.cache.row(viewing.row) : undefined;
  const viewedColumn = viewing && shownResult ? shownResult.columns[viewing.col] : undefined;
  const viewedCell = viewedRow?.[viewing?.col ?? 0];

  return (
    <div className="page page-query">
      <div className="query-main">
        <section className="panel" aria-label="Query editor">
          <QueryTabs />
          <div className="panel-head">
            <span className="panel-title">SQL</span>
            <span className="muted">
              Read-only DuckDB over the lake · views <code>bars</code>, <code>bars_all</code> · {IS_MAC ? '⌘' : 'Ctrl'}+Enter runs the selection, or all
            </span>
          </div>
          <SqlEditor value={sql} onChange={setSql} onRun={run} schema={schema} errorRange={mine ? errorRange : null} viewRef={viewRef} />
          <div className="toolbar">
            <button type="button" className="primary" onClick={() => run()} disabled={running} title="Runs the selected text when there is a selection, else the whole editor">
              Run
            </button>
            <button type="button" onClick={() => void cancelQuery(client)} disabled={!running}>
              Cancel
            </button>
            <AsOfPicker disabled={running} />
            <span className="query-sep" />
            <button type="button" onClick={() => void exportResult(client, 'csv')} disabled={!canExport}>
              Export CSV
            </button>
            <button type="button" onClick={() => void exportResult(client, 'parquet')} disabled={!canExport}>
              Export Parquet
            </button>
            <button type="button" aria-pressed={showChart} onClick={() => setShowChart((v) => !v)} disabled={!chartable || running} title={chartable ? 'Line chart of the result' : 'Needs a time column and a numeric column'}>
              Chart result
            </button>
            <p role="status" className="query-meta" aria-busy={running || sorting}>
              {running && startedAt !== null ? (
                <Elapsed since={startedAt} timeoutS={runningTimeoutS} />
              ) : sorting ? (
                'Sorting…'
              ) : shownCancelled ? (
                <span className="query-cancelled">Cancelled after {formatElapsed(shownCancelled.elapsedMs)}</span>
              ) : shownResult ? (
                <>
                  <strong data-testid="row-count">{formatInt(shownResult.rowCount)}</strong> {shownResult.rowCount === 1 ? 'row' : 'rows'}
                  <span className="muted"> · {formatElapsed(shownResult.elapsedMs)}</span>
                  <AsOfCaption snapshot={shownResult.snapshot} />
                </>
              ) : null}
              {notice && <span className="muted query-notice"> · {notice}</span>}
            </p>
          </div>
          <ErrorAlert error={shownError} title="Query failed">
            {shownError?.code === 'E_QUERY' ? <QueryErrorText message={shownError.message} sql={ranSql ?? sql} /> : undefined}
          </ErrorAlert>
        </section>
        <section className="panel panel-fill query-results" aria-label="Results">
          {shownResult ? (
            shownResult.columns.length === 0 ? (
              <p className="empty">The statement returned no columns.</p>
            ) : (
              <>
                {showChart && <ResultChart result={shownResult} rows={chart && chart.queryId === shownResult.queryId ? chart : null} timeZone={timeZone} />}
                <div className="query-grid-row">
                  <ResultGrid
                    key={`${shownResult.queryId}:${shownResult.sort?.column ?? ''}:${shownResult.sort?.dir ?? ''}`}
                    result={shownResult}
                    version={version}
                    sorting={sorting}
                    actions={actions}
                    timeZone={timeZone}
                  />
                  {viewing && viewedColumn && viewedCell !== undefined && (
                    <CellViewer
                      column={viewedColumn}
                      row={viewing.row}
                      cell={viewedCell}
                      shown={cellDisplay(viewedCell, isNumericType(viewedColumn.type) ? 'num' : isInstantType(viewedColumn.type) ? 'instant' : 'text', timeZone)}
                      onCopy={(text) => void copyCell(text, 'value')}
                      onClose={() => setViewing(null)}
                    />
                  )}
                </div>
                {shownResult.rowCount === 0 && <p className="empty">No rows.</p>}
              </>
            )
          ) : (
            <p className="empty">{running ? 'Running…' : shownCancelled ? 'Cancelled: no result.' : shownError ? 'No result.' : 'Run a query to see its result here.'}</p>
          )}
        </section>
      </div>
      <aside className="query-side">
        <SchemaPanel schema={schema} onInsert={insertSql} />
        <SavedPanel saved={saved} onPick={setSql} onSave={(name) => saveQuery(client, name)} onDelete={(id) => void deleteSaved(client, id)} />
        <HistoryPanel history={history} onPick={setSql} />
      </aside>
    </div>
  );
}
