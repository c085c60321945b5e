import { useClient } from '../../clientContext';
import { usePageExport } from '../../commands';
import { formatElapsed, formatInt } from '../../format';
import { exportFindings, exportReport, scopeText, setFilter, undoAck, useValidation } from '../../state/validation';
import { severitySummary, symbolFilterError } from '../../state/validationFindings';
import { ErrorAlert } from '../ErrorAlert';
import { AckForm } from './AckForm';
import { FindingsFacets } from './FindingsFacets';
import { FindingsPager } from './FindingsPager';
import { FindingsTable } from './FindingsTable';

/** The findings of the selected run: counts as filters, filters, sortable table, pages, acknowledgements, export. */
export function Findings() {
  const client = useClient();
  const runs = useValidation((s) => s.runs);
  const selected = useValidation((s) => s.selected);
  const filters = useValidation((s) => s.filters);
  const page = useValidation((s) => s.page);
  const loading = useValidation((s) => s.pageLoading);
  const error = useValidation((s) => s.pageError);
  const exportStatus = useValidation((s) => s.exportStatus);
  const exportError = useValidation((s) => s.exportError);
  const ackStatus = useValidation((s) => s.ackStatus);
  const run = runs.find((r) => r.id === selected) ?? null;
  // File › Export… (desktop menu): what the page shows
  usePageExport('Export CSV', run ? () => void exportFindings(client, run) : null);
  if (!run) return null;
  const symbolError = symbolFilterError(filters.symbol);
  const acked = page?.counts.acknowledged ?? 0;
  return (
    <section className="panel panel-fill" aria-labelledby="vfind-title">
      <div className="panel-head">
        <h2 id="vfind-title">
          Findings of run <code>{run.id}</code>
        </h2>
        <span className="muted">
          {run.kind === 'reconcile' ? 'reconciliation' : 'validation'} · {scopeText(run)} · {formatInt(run.findingsTotal)} finding(s): {severitySummary(run.bySeverity, formatInt)} ·{' '}
          {formatElapsed(run.elapsedMs)}
        </span>
      </div>
      {run.findingsTotal > 0 && <FindingsFacets runRules={run.rules} counts={page?.counts ?? null} />}
      <div className="vfilters">
        <label className="inline-field">
          <span>Symbol</span>
          <input className="mono-input vsymbol" value={filters.symbol} placeholder="any" aria-invalid={symbolError !== null} onChange={(e) => setFilter(client, { symbol: e.target.value })} spellCheck={false} autoComplete="off" />
        </label>
        <label className="inline-field">
          <span>Message</span>
          <input type="search" value={filters.text} placeholder="contains…" maxLength={200} onChange={(e) => setFilter(client, { text: e.target.value })} spellCheck={false} autoComplete="off" />
        </label>
        <label className="inline-field vack-toggle">
          <input type="checkbox" checked={filters.acknowledged === 'show'} onChange={(e) => setFilter(client, { acknowledged: e.target.checked ? 'show' : 'hide' })} />
          <span>Show acknowledged ({formatInt(acked)})</span>
        </label>
        <span className="spacer" />
        <button type="button" onClick={() => void exportFindings(client, run)} title="The findings these filters select, acknowledged ones with their note when shown">
          Export CSV
        </button>
        <button type="button" onClick={() => void exportReport(client, run)} title="The run's audit report as written: every finding">
          Full report
        </button>
        <span role="status" className="muted">
          {exportStatus ?? ''}
        </span>
      </div>
      {symbolError && <p className="hint error-text">{symbolError}</p>}
      <AckForm />
      <div role="status" className="vack-status">
        {ackStatus && (
          <>
            {ackStatus.message}
            {ackStatus.undo && (
              <button type="button" className="small" onClick={() => void undoAck(client, ackStatus.undo!)}>
                Undo
              </button>
            )}
          </>
        )}
      </div>
      <ErrorAlert error={error ?? exportError} title={error ? 'Findings could not be read' : 'Export failed'} />
      {run.findingsTotal === 0 ? (
        <p className="empty">No findings: every bar in this run passed {run.kind === 'reconcile' ? 'the comparison' : 'every rule'}.</p>
      ) : page && page.rows.length > 0 ? (
        <>
          <FindingsTable runId={run.id} rows={page.rows} busy={loading} />
          <FindingsPager page={page} />
        </>
      ) : (
        <p className="empty">
          {error
            ? 'No findings shown.'
            : loading || !page
              ? 'Loading findings…'
              : page.total === 0 && acked > 0 && filters.acknowledged === 'hide'
                ? `No findings match these filters (${formatInt(acked)} acknowledged hidden).`
                : 'No findings match these filters.'}
        </p>
      )}
    </section>
  );
}
