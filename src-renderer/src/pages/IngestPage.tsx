import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { TIMEFRAMES, type Timeframe } from '../../../src-main/contract/schemas';
import type { ErrorValue } from '../../../src-main/shared/errors';
import { useClient } from '../clientContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { JobsTable } from '../components/JobsTable';
import { localDate, splitSymbols } from '../format';
import { refreshJobs, useSession } from '../state/session';

export function IngestPage() {
  const client = useClient();
  useEffect(() => {
    void refreshJobs(client);
  }, [client]);
  return (
    <div className="page page-ingest">
      <IngestForm />
      <JobsTable />
    </div>
  );
}

function IngestForm() {
  const client = useClient();
  const providers = useSession((s) => s.providers);
  const providersError = useSession((s) => s.providersError);
  const [provider, setProvider] = useState<string>('');
  const [symbols, setSymbols] = useState('');
  const [start, setStart] = useState(() => localDate(7));
  const [end, setEnd] = useState(() => localDate(1));
  const [timeframe, setTimeframe] = useState<Timeframe>('1m');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<ErrorValue | null>(null);
  const [started, setStarted] = useState<string | null>(null);

  // Default to the fake provider (works offline, needs no keys) once the list is in.
  const selected = provider || (providers?.some((p) => p.name === 'fake') ? 'fake' : (providers?.[0]?.name ?? ''));
  const info = providers?.find((p) => p.name === selected);
  const timeframes = useMemo(
    () => (info && info.timeframes.length > 0 ? TIMEFRAMES.filter((t) => info.timeframes.includes(t)) : [...TIMEFRAMES]),
    [info],
  );

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSubmitting(true);
    setError(null);
    setStarted(null);
    const r = await client.request('ingest.start', {
      provider: selected,
      symbols: splitSymbols(symbols),
      start,
      end,
      timeframe,
    });
    setSubmitting(false);
    if (r.ok) setStarted(r.value.jobId);
    else setError(r.error);
  }

  return (
    <section className="panel" aria-labelledby="ingest-form-title">
      <h2 id="ingest-form-title">New ingestion</h2>
      <form className="form-grid" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="ingest-provider">Provider</label>
          <select id="ingest-provider" value={selected} onChange={(e) => setProvider(e.target.value)} disabled={!providers}>
            {!providers && <option value="">Loading…</option>}
            {providers?.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
                {p.configured ? '' : ' (not configured)'}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-wide">
          <label htmlFor="ingest-symbols">Symbols</label>
          <input
            id="ingest-symbols"
            type="text"
            value={symbols}
            onChange={(e) => setSymbols(e.target.value)}
            placeholder="AAPL, MSFT, SPY"
            autoComplete="off"
            spellCheck={false}
            aria-describedby="ingest-symbols-hint"
          />
          <span id="ingest-symbols-hint" className="hint">
            Comma or space separated
          </span>
        </div>
        <div className="field">
          <label htmlFor="ingest-start">Start</label>
          <input id="ingest-start" type="date" value={start} onChange={(e) => setStart(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="ingest-end">End</label>
          <input id="ingest-end" type="date" value={end} onChange={(e) => setEnd(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="ingest-timeframe">Timeframe</label>
          <select id="ingest-timeframe" value={timeframe} onChange={(e) => setTimeframe(e.target.value as Timeframe)}>
            {timeframes.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-action">
          <button type="submit" className="primary" disabled={submitting || !selected}>
            {submitting ? 'Starting…' : 'Start ingestion'}
          </button>
        </div>
      </form>
      {info && (
        <p className="hint provider-hint">
          {info.description}
          {!info.configured && info.needs.length > 0 && <> · needs {info.needs.join(', ')}</>}
        </p>
      )}
      {providersError && <p className="hint error-text">Providers could not be listed: {providersError}</p>}
      <ErrorAlert error={error} title="Not started" />
      <p role="status" className="form-status">
        {started && (
          <>
            Started job <code>{started}</code>
          </>
        )}
      </p>
    </section>
  );
}
