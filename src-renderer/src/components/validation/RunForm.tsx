import { useClient } from '../../clientContext';
import { reconcileNow, runNow, setRunForm, useValidation } from '../../state/validation';
import { ErrorAlert } from '../ErrorAlert';

/** "Run validation" / "Reconcile": the scope of a new run. */
export function RunForm() {
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
