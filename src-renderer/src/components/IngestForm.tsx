import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { Timeframe } from '../../../src-main/contract/schemas';
import type { ErrorValue } from '../../../src-main/shared/errors';
import { useClient } from '../clientContext';
import { blockedReason, defaultProvider, readsFiles, startIngest, symbolsProblem, timeframesOf, useIngestForm } from '../state/ingestForm';
import { useSession } from '../state/session';
import { ErrorAlert } from './ErrorAlert';
import { StartedJob } from './StartedJob';

/** IANA zone names for the time zone field's suggestions (free text stays allowed: the engine checks it). */
function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
}

export function IngestForm() {
  const client = useClient();
  const providers = useSession((s) => s.providers);
  const providersError = useSession((s) => s.providersError);
  const form = useIngestForm();
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<ErrorValue | null>(null);
  const [started, setStarted] = useState<string | null>(null);

  const selected = form.provider;
  const info = providers?.find((p) => p.name === selected);
  const files = readsFiles(selected);
  const timeframes = useMemo(() => timeframesOf(info), [info]);
  const feed = form.feed || info?.defaultFeed || '';
  const blocked = blockedReason(info);
  const badSymbols = symbolsProblem(form.symbols);
  const zones = useMemo(() => (files ? timeZones() : []), [files]);

  // Once the list is in, settle on a provider (and what depends on it) unless the user already chose one.
  useEffect(() => {
    if (providers && !providers.some((p) => p.name === useIngestForm.getState().provider)) {
      const name = defaultProvider(providers);
      useIngestForm.getState().setProvider(name, providers.find((p) => p.name === name), '');
    }
  }, [providers]);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (blocked) return;
    setSubmitting(true);
    setError(null);
    setStarted(null);
    const r = await startIngest(client, info);
    setSubmitting(false);
    if (r.ok) setStarted(r.jobId);
    else setError(r.error);
  }

  const optional = files ? 'ingest-files-hint' : undefined;
  return (
    <section className="panel" aria-labelledby="ingest-form-title">
      <h2 id="ingest-form-title">New ingestion</h2>
      <form className="ingest-form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="form-grid">
          <div className="field">
            <label htmlFor="ingest-provider">Provider</label>
            <select
              id="ingest-provider"
              value={selected}
              onChange={(e) => form.setProvider(e.target.value, providers?.find((p) => p.name === e.target.value), selected)}
              disabled={!providers}
            >
              {!providers && <option value="">Loading…</option>}
              {providers?.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                  {p.configured ? '' : p.needs.length > 0 ? ' (no keys)' : ' (not configured)'}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="ingest-feed">Feed</label>
            <select id="ingest-feed" value={feed} onChange={(e) => form.set({ feed: e.target.value })} disabled={!info}>
              {!info && <option value="">—</option>}
              {info?.feeds.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          </div>
          <div className="field field-wide">
            <label htmlFor="ingest-symbols">Symbols</label>
            <input
              id="ingest-symbols"
              type="text"
              value={form.symbols}
              onChange={(e) => form.set({ symbols: e.target.value })}
              placeholder={files ? 'all in the files' : 'AAPL, MSFT, SPY'}
              autoComplete="off"
              spellCheck={false}
              aria-describedby={`${files ? 'ingest-symbols-hint ingest-files-hint' : 'ingest-symbols-hint'}${badSymbols ? ' ingest-symbols-error' : ''}`}
              aria-invalid={badSymbols !== null}
            />
            <span id="ingest-symbols-hint" className="hint">
              Comma or space separated{files && ', optional'}
            </span>
            {badSymbols && (
              <span id="ingest-symbols-error" className="field-error" role="alert">
                {badSymbols}
              </span>
            )}
          </div>
          <div className="field">
            <label htmlFor="ingest-start">Start</label>
            <input id="ingest-start" type="date" value={form.start} onChange={(e) => form.set({ start: e.target.value })} aria-describedby={optional} />
          </div>
          <div className="field">
            <label htmlFor="ingest-end">End</label>
            <input id="ingest-end" type="date" value={form.end} onChange={(e) => form.set({ end: e.target.value })} aria-describedby={optional} />
          </div>
          <div className="field">
            <label htmlFor="ingest-timeframe">Timeframe</label>
            <select id="ingest-timeframe" value={form.timeframe} onChange={(e) => form.set({ timeframe: e.target.value as Timeframe | '' })}>
              {files && <option value="">from files</option>}
              {timeframes.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
        </div>
        {files && (
          <div className="form-grid form-grid-files">
            <div className="field field-source">
              <label htmlFor="ingest-source">Source path</label>
              <input
                id="ingest-source"
                type="text"
                value={form.source}
                onChange={(e) => form.set({ source: e.target.value })}
                placeholder="/data/bars or /data/bars/AAPL.csv"
                autoComplete="off"
                spellCheck={false}
                className="mono-input"
                aria-describedby="ingest-source-hint"
              />
              <span id="ingest-source-hint" className="hint">
                A CSV file or a folder of them, on the engine&apos;s machine
              </span>
            </div>
            <div className="field field-tz">
              <label htmlFor="ingest-tz">Time zone</label>
              <input
                id="ingest-tz"
                type="text"
                value={form.tz}
                onChange={(e) => form.set({ tz: e.target.value })}
                list={zones.length > 0 ? 'ingest-tz-zones' : undefined}
                autoComplete="off"
                spellCheck={false}
                aria-describedby="ingest-tz-hint"
              />
              {zones.length > 0 && (
                <datalist id="ingest-tz-zones">
                  {zones.map((z) => (
                    <option key={z} value={z} />
                  ))}
                </datalist>
              )}
              <span id="ingest-tz-hint" className="hint">
                For timestamps without an offset
              </span>
            </div>
            <p id="ingest-files-hint" className="hint files-hint">
              Symbols, Start, End and Timeframe are optional here: left empty, they are read from the files.
            </p>
          </div>
        )}
        <div className="form-actions">
          <label className="check">
            <input type="checkbox" checked={form.force} onChange={(e) => form.set({ force: e.target.checked })} aria-describedby="ingest-force-hint" />
            Force refetch
          </label>
          <span id="ingest-force-hint" className="hint">
            {form.force ? 'Every session is fetched again, even those already in the lake.' : 'Sessions already in the lake are skipped.'}
          </span>
          <span className="spacer" />
          {/* in the row of the button that started it: it moves nothing and covers nothing */}
          <span role="status" className="form-status">
            {started && <StartedJob id={started} />}
          </span>
          <button type="submit" className="primary" disabled={submitting || !selected || !!blocked || badSymbols !== null} aria-describedby={blocked ? 'ingest-blocked' : undefined}>
            {submitting ? 'Starting…' : 'Start ingestion'}
          </button>
        </div>
        {blocked && (
          <p id="ingest-blocked" className="blocked-reason">
            {blocked}
          </p>
        )}
      </form>
      {info && (
        <p className="hint provider-hint">
          <span className="mono">{info.name}</span>: {info.description}
          {info.needs.length > 0 && (
            <>
              {' '}
              · needs <code>{info.needs.join(', ')}</code> ({info.configured ? 'set' : 'not set'})
            </>
          )}
        </p>
      )}
      {providersError && <p className="hint error-text">Providers could not be listed: {providersError}</p>}
      <ErrorAlert error={error} title="Not started" />
    </section>
  );
}
