import type { ValidationRunSummary } from '../../../../src-main/contract/validation';
import { useClient } from '../../clientContext';
import { formatInt } from '../../format';
import { Time } from '../Time';
import { scopeText, selectRun, sourceText, useValidation } from '../../state/validation';
import { ErrorAlert } from '../ErrorAlert';

function SeverityCounts({ run }: { run: ValidationRunSummary }) {
  return (
    <>
      <td className="num">{run.bySeverity.error > 0 ? <span className="sev sev-error">{formatInt(run.bySeverity.error)}</span> : 0}</td>
      <td className="num">{run.bySeverity.warning > 0 ? <span className="sev sev-warning">{formatInt(run.bySeverity.warning)}</span> : 0}</td>
      <td className="num">{formatInt(run.bySeverity.info)}</td>
    </>
  );
}

/** A run's scope, wrapped between its words, never inside a date (a line ending "2024-"). */
function ScopeWords({ text }: { text: string }) {
  const parts = text.split(/(\d{4}-\d{2}-\d{2})/);
  return <>{parts.map((part, i) => (i % 2 ? <span key={i} className="nowrap">{part}</span> : part))}</>;
}

/** The runs, newest first; Findings opens one. */
export function RunsTable() {
  const client = useClient();
  const runs = useValidation((s) => s.runs);
  const loaded = useValidation((s) => s.runsLoaded);
  const error = useValidation((s) => s.runsError);
  const selected = useValidation((s) => s.selected);
  return (
    <section className="panel vruns" aria-labelledby="vruns-title">
      <div className="panel-head">
        <h2 id="vruns-title">Runs</h2>
        <span className="muted">{runs.length > 0 && `${runs.length} shown, newest first`}</span>
      </div>
      <ErrorAlert error={error} title="Runs could not be listed" />
      {runs.length === 0 ? (
        <p className="empty">
          {loaded ? (
            <>
              No validation runs yet. Ingest some bars, then press <strong>Run validation</strong> (or run <code>marketpipe validate</code> or{' '}
              <code>marketpipe reconcile</code>).
            </>
          ) : (
            'Loading runs…'
          )}
        </p>
      ) : (
        <div className="table-scroll">
          <table className="grid vruns-table" aria-labelledby="vruns-title">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Kind</th>
                <th scope="col">Scope</th>
                <th scope="col">Provider / feed</th>
                <th scope="col">Calendar</th>
                <th scope="col" className="num">Bars</th>
                <th scope="col" className="num">Errors</th>
                <th scope="col" className="num">Warnings</th>
                <th scope="col" className="num">Info</th>
                <th scope="col">Job</th>
                <th scope="col">
                  <span className="sr-only">Open</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} aria-label={`Run ${r.id}`} className={r.id === selected ? 'selected' : undefined}>
                  <td className="nowrap">
                    <Time at={r.createdAt} />
                  </td>
                  <td>{r.kind === 'reconcile' ? 'reconcile' : 'validate'}</td>
                  <td className="vscope" title={scopeText(r)}>
                    <ScopeWords text={scopeText(r)} />
                  </td>
                  <td>{sourceText(r)}</td>
                  <td>{r.calendarVersion}</td>
                  <td className="num">{formatInt(r.barsChecked)}</td>
                  <SeverityCounts run={r} />
                  <td title={r.jobId ?? undefined}>{r.jobId ? r.jobId.slice(0, 8) : '—'}</td>
                  <td>
                    <button type="button" className="small" aria-pressed={r.id === selected} onClick={() => void selectRun(client, r.id)}>
                      Findings
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
