import type { Finding } from '../../../../src-main/contract/validation';
import { useClient } from '../../clientContext';
import { usePageExport } from '../../commands';
import { formatElapsed, formatInt } from '../../format';
import { useNav } from '../../state/nav';
import { canPage, exportReport, loadPage, PAGE_SIZE, rangeLabel, scopeText, setFilter, symbolFilterError, useValidation } from '../../state/validation';
import { ErrorAlert } from '../ErrorAlert';
import { Time } from '../Time';

const SEVERITY_OPTIONS = ['error', 'warning', 'info'] as const;

function FindingRow({ f }: { f: Finding }) {
  const openChart = useNav((s) => s.openChart);
  // a reconciliation names both sources; the chart is opened on the symbol's preferred one then
  const single = (s: string | null) => (s && !s.includes(',') ? s : undefined);
  return (
    <tr>
      <td className="nowrap">
        <Time at={f.ts} seconds />
      </td>
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

/** The findings of the selected run: filters, export, pages. */
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
