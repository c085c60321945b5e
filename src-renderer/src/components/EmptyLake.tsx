import { useEffect, useState } from 'react';
import type { ErrorValue } from '../../../src-main/shared/errors';
import { useClient } from '../clientContext';
import { watchLakeEmpty } from '../state/lake';
import { createDemo } from '../state/universe';
import { ErrorAlert } from './ErrorAlert';
import './app.css';

/**
 * Shown while the lake holds no data at all: one button creates the demo universe and ingests it (the Universe
 * page's demo action, not a second one). Checked on arrival, on reconnection and whenever a job ends.
 */
export function EmptyLake() {
  const client = useClient();
  const [empty, setEmpty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [started, setStarted] = useState(false);
  const [error, setError] = useState<ErrorValue | null>(null);

  useEffect(() => watchLakeEmpty(client, setEmpty), [client]);

  if (!empty) return null;
  async function ingestDemo() {
    setBusy(true);
    setError(null);
    const err = await createDemo(client);
    setBusy(false);
    if (err) setError(err);
    else setStarted(true);
  }
  return (
    <section className="panel empty-lake" aria-labelledby="empty-lake-title">
      <h2 id="empty-lake-title">No data yet: ingest the demo universe</h2>
      <p className="muted">
        The lake is empty. The demo universe (AAPL, MSFT, SPY) takes its last five trading days from the simulated fake provider: no account or
        key needed. A notice appears when the job ends.
      </p>
      <button type="button" className="primary" onClick={() => void ingestDemo()} disabled={busy || started}>
        {busy ? 'Starting…' : started ? 'Ingesting the demo…' : 'Ingest demo universe'}
      </button>
      <ErrorAlert error={error} title="Demo not ingested: try again, or create a universe and ingest it by hand" />
    </section>
  );
}
