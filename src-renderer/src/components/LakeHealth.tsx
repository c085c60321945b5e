import { useEffect } from 'react';
import { useClient } from '../clientContext';
import { problemLine, repairLake, useLakeHealth, watchLakeHealth } from '../state/lakeHealth';
import { ErrorAlert } from './ErrorAlert';

const SHOWN = 8;

/**
 * Problems the engine's quick check finds in the lake (a missing or resized Parquet file), with a Repair button; what
 * the repair did stays shown until the next problem. Renders nothing while the lake is sound.
 */
export function LakeHealth() {
  const client = useClient();
  const { problems, repairing, repaired, error } = useLakeHealth();
  useEffect(() => watchLakeHealth(client), [client]);
  const bad = problems ?? [];
  if (bad.length === 0 && !repaired && !error) return null;
  return (
    <section className="panel lake-health" aria-labelledby="lake-health-title">
      <h2 id="lake-health-title">{bad.length > 0 ? `Lake problems: ${bad.length} file${bad.length === 1 ? '' : 's'}` : 'Lake repaired'}</h2>
      {bad.length > 0 && (
        <>
          <p className="muted">
            Queries that need these files fail; everything else works. Repair moves them to the data folder&apos;s quarantine/ (nothing is deleted),
            rebuilds the derived timeframes and lists what to fetch again.
          </p>
          <ul className="lake-problems">
            {bad.slice(0, SHOWN).map((p) => (
              <li key={`${p.file}:${p.kind}`}>
                <code>{problemLine(p)}</code>
              </li>
            ))}
            {bad.length > SHOWN && <li className="muted">and {bad.length - SHOWN} more</li>}
          </ul>
          <button type="button" className="primary" onClick={() => void repairLake(client)} disabled={repairing}>
            {repairing ? 'Repairing…' : 'Repair'}
          </button>
        </>
      )}
      {repaired && (
        <div className="lake-repaired" role="status">
          <p>
            Moved {repaired.quarantined.length} file{repaired.quarantined.length === 1 ? '' : 's'} to quarantine, rebuilt {repaired.rebuilt.length}{' '}
            partition{repaired.rebuilt.length === 1 ? '' : 's'}.
          </p>
          {repaired.actions.length > 0 && (
            <>
              <p>To fetch again what they held, run:</p>
              <ul>
                {repaired.actions.map((a) => (
                  <li key={a}>
                    <code>{a}</code>
                  </li>
                ))}
              </ul>
            </>
          )}
          {repaired.lost.length > 0 && (
            <>
              <p>No source is left for:</p>
              <ul>
                {repaired.lost.map((l) => (
                  <li key={l}>{l}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      <ErrorAlert error={error} title="The lake check did not answer" />
    </section>
  );
}
