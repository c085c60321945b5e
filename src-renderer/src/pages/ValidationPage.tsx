import { useEffect } from 'react';
import type { Finding, ValidationRunSummary } from '../../../src-main/contract/validation';
import { useClient } from '../clientContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatElapsed, formatInt, formatTime, formatWhen } from '../format';
import { useNav } from '../state/nav';
import { usePageExport } from '../commands';
import {
  canPage,
  exportReport,
  followValidation,
  loadPage,
  PAGE_SIZE,
  rangeLabel,
  reconcileNow,
  runNow,
  scopeText,
  selectRun,
  setFilter,
  setRunForm,
  sourceText,
  symbolFilterError,
  useValidation,
} from '../state/validation';
import './validation.css';

const SEVERITY_OPTIONS = ['error', 'warning', 'info'] as const;

function SeverityCounts({ run }: { run: ValidationRunSummary }) {
  return (
    <>
      <td className="num">{run.bySeverity.error > 0 ? <span className="sev sev-error">{formatInt(run.bySeverity.error)}</span> : 0}</td>
      <td className="num">{run.bySeverity.warning > 0 ? <span className="sev sev-warning">{formatInt(run.bySeverity.warning)}</span> : 0}</td>
      <td className="num">{formatInt(run.bySeverity.info)}</td>
    </>
  );
}

function RunForm() {
  const client = useClient();
  const form = useValidation((s) => s.form);
  const running = useValidation((s) => s.running);
  const runError = useValidation((s) => s.runError);
  return (
    <section className="panel" aria-labelledby="vrun-title">
      <div className="panel-head">
        <h2 id="vrun-title">Run validation</h2>
        <span className="muted">Checks bars against the NYSE calendar and the rules; blank fields mean everything in the lake.</span>
      </div>
      <form
        className="vrun-form"
        onSubmit={(e) => {
          e.preventDefault();
          void runNow(client);
        }}
      >
        <div className="field">
          <label htmlFor="vrun-symbols">Symbols</label>
          <input id="vrun-symbols" className="mono-input" value={form.symbols} placeholder="all (or AAPL, MSFT)" onChange={(e) => setRunForm({ symbols: e.target.value })} autoComplete="off" spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor="vrun-start">Start</label>
          <input id="vrun-start" type="date" value={form.start} onChange={(e) => setRunForm({ start: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="vrun-end">End</label>
          <input id="vrun-end" type="date" value={form.end} onChange={(e) => setRunForm({ end: e.target.value })} />
        </div>
        <div className="vrun-actions">
          <button type="submit" className="primary" disabled={running}>
            Run validation
          </button>
        </div>
        <div className="field vrun-sources">
          <label htmlFor="vrun-sources">Sources</label>
          <input id="vrun-sources" className="mono-input" value={form.sources} placeholder="to reconcile: alpaca:sip, polygon" onChange={(e) => setRunForm({ sources: e.target.value })} autoComplete="off" spellCheck={false} />
        </div>
        <div className="vrun-actions vrun-reconcile">
          <button type="button" disabled={running} onClick={() => void reconcileNow(client)}>
            Reconcile
          </button>
          <span role="status" className="muted" aria-busy={running}>
            {running ? 'Working…' : ''}
          </span>
        </div>
      </form>
      <ErrorAlert error={runError} title="Run failed" />
    </section>
  );
}

function RunsTable() {
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
                  <td title={formatTime(r.createdAt)}>{formatWhen(r.createdAt)}</td>
                  <td>{r.kind === 'reconcile' ? 'reconcile' : 'validate'}</td>
                  <td className="vscope" title={scopeText(r)}>
                    {scopeText(r)}
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

function FindingRow({ f }: { f: Finding }) {
  const openChart = useNav((s) => s.openChart);
  // a reconciliation names both sources; the chart is opened on the symbol's preferred one then
  const single = (s: string | null) => (s && !s.includes(',') ? s : undefined);
  return (
    <tr>
      <td>{f.ts}</td>
      <td>{f.symbol}</td>
      <td>{f.timeframe}</td>
      <td>{f.rule}</td>
      <td>
        <span className={`sev sev-${f.severity}`}>{f.severity}</span>
      </td>
      <td className="vmsg" title={f.observed ?? undefined}>
        {f.message}
      </td>
      <td>
        <button
          type="button"
          className="small"
          aria-label={`Show bars around ${f.symbol} ${f.ts}`}
          onClick={() => openChart({ symbol: f.symbol, timeframe: f.timeframe, at: f.ts, provider: single(f.provider), feed: single(f.feed) })}
        >
          Show bars
        </button>
      </td>
    </tr>
  );
}

function Findings() {
  const client = useClient();
  const runs = useValidation((s) => s.runs);
  const selected = useValidation((s) => s.selected);
  const filters = useValidation((s) => s.filters);
  const page = useValidation((s) => s.page);
  const loading = useValidation((s) => s.pageLoading);
  const error = useValidation((s) => s.pageError);
  const exportStatus = useValidation((s) => s.exportStatus);
  const exportError = useValidation((s) => s.exportError);
  const offset = useValidation((s) => s.offset);
  const run = runs.find((r) => r.id === selected) ?? null;
  // File › Export… (desktop menu): the report of the run shown
  usePageExport('Export CSV', run ? () => void exportReport(client, run) : null);
  if (!run) return null;
  const symbolError = symbolFilterError(filters.symbol);
  return (
    <section className="panel panel-fill" aria-labelledby="vfind-title">
      <div className="panel-head">
        <h2 id="vfind-title">
          Findings of run <code>{run.id}</code>
        </h2>
        <span className="muted">
          {run.kind === 'reconcile' ? 'reconciliation' : 'validation'} · {scopeText(run)} · {formatInt(run.findingsTotal)} finding(s) · {formatElapsed(run.elapsedMs)}
        </span>
      </div>
      <div className="vfilters">
        <label className="inline-field">
          <span>Symbol</span>
          <input className="mono-input" value={filters.symbol} placeholder="any" aria-invalid={symbolError !== null} onChange={(e) => setFilter(client, { symbol: e.target.value })} spellCheck={false} autoComplete="off" />
        </label>
        <label className="inline-field">
          <span>Rule</span>
          <select value={filters.rule} onChange={(e) => setFilter(client, { rule: e.target.value })}>
            <option value="">any</option>
            {run.rules.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <span>Severity</span>
          <select value={filters.severity} onChange={(e) => setFilter(client, { severity: e.target.value })}>
            <option value="">any</option>
            {SEVERITY_OPTIONS.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <span className="spacer" />
        <button type="button" onClick={() => void exportReport(client, run)}>
          Export CSV
        </button>
        <span role="status" className="muted">
          {exportStatus ?? ''}
        </span>
      </div>
      {symbolError && <p className="hint error-text">{symbolError}</p>}
      <ErrorAlert error={error ?? exportError} title={error ? 'Findings could not be read' : 'Export failed'} />
      {run.findingsTotal === 0 ? (
        <p className="empty">No findings: every bar in this run passed {run.kind === 'reconcile' ? 'the comparison' : 'every rule'}.</p>
      ) : page && page.rows.length > 0 ? (
        <>
          <div className="table-scroll">
            <table className="grid vfindings" aria-label="Findings" aria-busy={loading}>
              <thead>
                <tr>
                  <th scope="col">Time (UTC)</th>
                  <th scope="col">Symbol</th>
                  <th scope="col">TF</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Message</th>
                  <th scope="col">
                    <span className="sr-only">Chart</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.rows.map((f, i) => (
                  <FindingRow key={`${offset}-${i}`} f={f} />
                ))}
              </tbody>
            </table>
          </div>
          <div className="vpager">
            <button type="button" className="small" disabled={!canPage(page, -1) || loading} onClick={() => void loadPage(client, Math.max(0, offset - PAGE_SIZE))}>
              Previous
            </button>
            <span aria-live="polite">{rangeLabel(page, formatInt)}</span>
            <button type="button" className="small" disabled={!canPage(page, 1) || loading} onClick={() => void loadPage(client, offset + PAGE_SIZE)}>
              Next
            </button>
          </div>
        </>
      ) : (
        <p className="empty">{error ? 'No findings shown.' : loading || !page ? 'Loading findings…' : 'No findings match these filters.'}</p>
      )}
    </section>
  );
}

export function ValidationPage() {
  const client = useClient();
  useEffect(() => followValidation(client), [client]);
  return (
    <div className="page page-validation">
      <RunForm />
      <RunsTable />
      <Findings />
    </div>
  );
}
