import { useState } from 'react';
import type { ErrorValue } from '../../../../src-main/shared/errors';
import { useClient } from '../../clientContext';
import { createDemo } from '../../state/universe';
import { ErrorAlert } from '../ErrorAlert';

/** No universe yet: what one is, and the demo. */
export function UniverseEmptyState() {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorValue | null>(null);
  async function demo() {
    setBusy(true);
    setError(null);
    const err = await createDemo(client);
    setBusy(false);
    if (err) setError(err);
  }
  return (
    <section className="panel universe-empty" aria-labelledby="universe-empty-title">
      <h2 id="universe-empty-title">No universes yet</h2>
      <p className="muted">
        A universe is a named list of symbols that ingestion, updates and schedules start from. Create one on the left, drop a .csv
        file of symbols here, or start with a demo: AAPL, MSFT and SPY with their last five trading days from the fake provider.
      </p>
      <div>
        <button type="button" className="primary" onClick={() => void demo()} disabled={busy}>
          {busy ? 'Creating…' : 'Create demo universe'}
        </button>
      </div>
      <ErrorAlert error={error} title="Demo not created" />
    </section>
  );
}
