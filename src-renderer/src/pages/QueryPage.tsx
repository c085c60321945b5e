import { useCallback, useEffect, useState } from 'react';
import { useClient } from '../clientContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { ResultChart } from '../components/query/ResultChart';
import { ResultGrid } from '../components/query/ResultGrid';
import { HistoryPanel, SavedPanel, SchemaPanel } from '../components/query/SidePanels';
import { SqlEditor } from '../components/query/SqlEditor';
import { formatElapsed, formatInt } from '../format';
import { useNav } from '../state/nav';
import { usePageExport } from '../commands';
import { cancelQuery, chartSpec, copyCell, deleteSaved, exportResult, insertSql, loadSide, runQuery, saveQuery, setSql, sortBy, useQuery } from '../state/query';
import '../components/query/query.css';

const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export function QueryPage() {
  const client = useClient();
  const { sql, running, sorting, result, error, version, notice, exporting, history, saved, schema } = useQuery();
  const [showChart, setShowChart] = useState(false);

  useEffect(() => {
    void loadSide(client);
  }, [client]);

  const run = useCallback(() => {
    setShowChart(false);
    void runQuery(client);
  }, [client]);

  const actions = {
    onSort: (column: string) => void sortBy(client, column),
    onCopy: (text: string, what: string) => void copyCell(text, what),
    onOpenChart: (symbol: string, at: string) => useNav.getState().openChart({ symbol, at }),
  };
  const canExport = !!result && !running && !exporting;
  // File › Export… (desktop menu): the result as CSV, as the first export button does
  usePageExport('Export CSV', canExport ? () => void exportResult(client, 'csv') : null);
  const chartable = !!result && !!chartSpec(result.columns);

  return (
    <div className="page page-query">
      <div className="query-main">
        <section className="panel" aria-label="Query editor">
          <div className="panel-head">
            <span className="panel-title">SQL</span>
            <span className="muted">
              Read-only DuckDB over the lake · views <code>bars</code>, <code>bars_all</code> · {IS_MAC ? '⌘' : 'Ctrl'}+Enter runs
            </span>
          </div>
          <SqlEditor value={sql} onChange={setSql} onRun={run} schema={schema} />
          <div className="toolbar">
            <button type="button" className="primary" onClick={run} disabled={running}>
              Run
            </button>
            <button type="button" onClick={() => void cancelQuery(client)} disabled={!running}>
              Cancel
            </button>
            <span className="query-sep" />
            <button type="button" onClick={() => void exportResult(client, 'csv')} disabled={!canExport}>
              Export CSV
            </button>
            <button type="button" onClick={() => void exportResult(client, 'parquet')} disabled={!canExport}>
              Export Parquet
            </button>
            <button type="button" aria-pressed={showChart} onClick={() => setShowChart((s) => !s)} disabled={!chartable || running} title={chartable ? 'Line chart of the loaded rows' : 'Needs a time column and a numeric column'}>
              Chart result
            </button>
            <p role="status" className="query-meta" aria-busy={running || sorting}>
              {running ? (
                'Running…'
              ) : sorting ? (
                'Sorting…'
              ) : result ? (
                <>
                  <strong data-testid="row-count">{formatInt(result.rowCount)}</strong> {result.rowCount === 1 ? 'row' : 'rows'}
                  <span className="muted"> · {formatElapsed(result.elapsedMs)}</span>
                </>
              ) : null}
              {notice && <span className="muted query-notice"> · {notice}</span>}
            </p>
          </div>
          <ErrorAlert error={error} title="Query failed" />
        </section>
        <section className="panel panel-fill query-results" aria-label="Results">
          {result ? (
            result.columns.length === 0 ? (
              <p className="empty">The statement returned no columns.</p>
            ) : (
              <>
                {showChart && <ResultChart result={result} version={version} />}
                <ResultGrid key={`${result.queryId}:${result.sort?.column ?? ''}:${result.sort?.dir ?? ''}`} result={result} version={version} sorting={sorting} actions={actions} />
                {result.rowCount === 0 && <p className="empty">No rows.</p>}
              </>
            )
          ) : (
            <p className="empty">{error ? 'No result.' : 'Run a query to see its result here.'}</p>
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
