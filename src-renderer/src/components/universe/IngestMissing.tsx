import { useState, type FormEvent } from 'react';
import type { SymbolCoverage, Universe } from '../../../../src-main/contract/schemas';
import type { ErrorValue } from '../../../../src-main/shared/errors';
import { useClient } from '../../clientContext';
import { defaultProvider } from '../../state/ingestForm';
import { useJobs } from '../../state/jobs';
import { useNav } from '../../state/nav';
import { useSession } from '../../state/session';
import { defaultFrom, everySymbolHasData, ingestMissing, useUniverses } from '../../state/universe';
import { ErrorAlert } from '../ErrorAlert';
import { StartedJob } from '../StartedJob';
import { ProgressBar } from '../ProgressBar';
import { StatusBadge } from '../StatusBadge';

/** "Ingest missing days" for a universe, and the job it started. */
export function IngestMissing({ universe, coverage }: { universe: Universe; coverage: SymbolCoverage[] | null }) {
  const client = useClient();
  const providers = useSession((s) => s.providers);
  const go = useNav((s) => s.go);
  const [provider, setProvider] = useState('');
  const [from, setFrom] = useState(() => defaultFrom());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorValue | null>(null);
  const lastJob = useUniverses((s) => (s.lastJob?.universe === universe.name ? s.lastJob.jobId : null));
  const job = useJobs((s) => (lastJob ? s.byId[lastJob] : undefined));
  const chosen = provider || defaultProvider(providers);
  const needsFrom = coverage !== null && !everySymbolHasData(universe, coverage, chosen);
  const noSymbols = universe.symbols.length === 0;

  async function start(e: FormEvent) {
    e.preventDefault();
    if (!coverage || !chosen) return;
    setBusy(true);
    setError(null);
    const err = await ingestMissing(client, universe, coverage, chosen, from);
    setBusy(false);
    if (err) setError(err);
  }

  return (
    <div className="ingest-missing" role="group" aria-labelledby="ingest-missing-title">
      <form className="inline-form" onSubmit={(e) => void start(e)} noValidate>
        <h3 id="ingest-missing-title" className="panel-title">
          Ingest missing days
        </h3>
        <div className="field">
          <label htmlFor="universe-ingest-provider">Ingest provider</label>
          <select id="universe-ingest-provider" value={chosen} onChange={(e) => setProvider(e.target.value)} disabled={!providers}>
            {!providers && <option value="">Loading…</option>}
            {providers?.map((p) => (
              <option key={p.name} value={p.name} disabled={p.name === 'csv'}>
                {p.name}
                {p.configured ? '' : ' (not configured)'}
              </option>
            ))}
          </select>
        </div>
        {needsFrom && (
          <div className="field">
            <label htmlFor="universe-ingest-from">From</label>
            <input id="universe-ingest-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} aria-describedby="universe-ingest-hint" />
          </div>
        )}
        <button type="submit" className="primary" disabled={busy || !coverage || !chosen || noSymbols} aria-describedby="universe-ingest-hint">
          Ingest missing days
        </button>
        <span id="universe-ingest-hint" className="hint">
          {noSymbols
            ? 'Add symbols first.'
            : needsFrom
              ? 'Symbols without data start at From; every symbol is brought up to the last closed session. Sessions already held are skipped.'
              : 'Each symbol from where it stops, up to the last closed session. Sessions already held are skipped.'}
        </span>
      </form>
      <ErrorAlert error={error} title="Not started" />
      <div role="status" className="form-status ingest-missing-status">
        {lastJob && (
          <>
            <StartedJob id={lastJob} />
            {job && (
              <>
                <StatusBadge status={job.status} />
                <ProgressBar value={job.progress} label={`Progress of ingestion for ${universe.name}`} tone={job.status} compact />
              </>
            )}
            <a
              href="#/ingest"
              onClick={(e) => {
                e.preventDefault();
                go('ingest');
              }}
            >
              Follow it on the Ingest page
            </a>
          </>
        )}
      </div>
    </div>
  );
}
