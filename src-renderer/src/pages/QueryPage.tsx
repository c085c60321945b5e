import type { KeyboardEvent } from 'react';
import { useClient } from '../clientContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { ResultTable } from '../components/ResultTable';
import { formatElapsed, formatInt } from '../format';
import { useQuery } from '../state/query';

const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export function QueryPage() {
  const client = useClient();
  const { sql, maxRows, running, result, error, runs } = useQuery();
  const { setSql, setMaxRows, started, succeeded, failed } = useQuery.getState();

  async function run() {
    const text = useQuery.getState().sql;
    if (useQuery.getState().running) return;
    started();
    const r = await client.request('query.run', { sql: text, maxRows: useQuery.getState().maxRows });
    if (r.ok) succeeded(text, r.value);
    else failed(text, r.error);
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void run();
    }
  }

  return (
    <div className="page page-query">
      <section className="panel" aria-label="Query editor">
        <div className="panel-head">
          <label htmlFor="query-sql" className="panel-title">
            SQL
          </label>
          <span className="muted">
            Read-only DuckDB over the lake · table <code>bars</code> · {IS_MAC ? '⌘' : 'Ctrl'}+Enter runs
          </span>
        </div>
        <textarea
          id="query-sql"
          className="sql"
          value={sql}
          onChange={(e) => setSql(e.target.value)}
          onKeyDown={onKeyDown}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          rows={6}
        />
        <div className="toolbar">
          <button type="button" className="primary" onClick={() => void run()} disabled={running}>
            Run
          </button>
          <label className="inline-field">
            <span>Max rows</span>
            <input
              type="number"
              min={1}
              max={100_000}
              value={maxRows}
              onChange={(e) => {
                const n = Number(e.target.value);
                if (Number.isInteger(n) && n >= 1 && n <= 100_000) setMaxRows(n);
              }}
            />
          </label>
          <p role="status" className="query-meta" aria-busy={running}>
            {running ? (
              'Running…'
            ) : result ? (
              <>
                <strong>{formatInt(result.rowCount)}</strong> {result.rowCount === 1 ? 'row' : 'rows'}
                {result.truncated ? (
                  <span className="badge badge-warn" title="The statement returned more rows than Max rows; only the first are shown.">
                    truncated
                  </span>
                ) : (
                  <span className="muted"> (complete)</span>
                )}
                <span className="muted"> · {formatElapsed(result.elapsedMs)}</span>
              </>
            ) : null}
          </p>
        </div>
        <ErrorAlert error={error} title="Query failed" />
      </section>
      <section className="panel panel-fill" aria-label="Result">
        {result ? (
          result.columns.length === 0 ? (
            <p className="empty">The statement returned no columns.</p>
          ) : (
            <>
              <ResultTable key={runs} result={result} />
              {result.rows.length === 0 && <p className="empty">No rows.</p>}
            </>
          )
        ) : (
          <p className="empty">{error ? 'No result.' : 'Run a query to see its result here.'}</p>
        )}
      </section>
    </div>
  );
}
