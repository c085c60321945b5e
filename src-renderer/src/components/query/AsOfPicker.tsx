import { useEffect, useId, useRef, useState } from 'react';
import type { SnapshotView } from '../../../../src-main/contract/query';
import { useClient } from '../../clientContext';
import { asOfOf, loadSnapshots, setAsOf, shortJob, useQueryAsOf } from '../../state/queryAsOf';
import { Time } from '../Time';

/** The snapshot the picker's button names: the list's entry for the chosen job or time, when it is listed. */
function chosen(spec: string | null, snapshots: SnapshotView[]): SnapshotView | undefined {
  return spec === null ? undefined : snapshots.find((s) => s.jobId === spec || s.at === spec);
}

/**
 * "As of: Latest ▾": opens a panel listing the lake's snapshots (time, job, kind; newest first), Latest on top, and a
 * field for a job id or an ISO time. Escape or a click outside closes it.
 */
export function AsOfPicker({ disabled }: { disabled: boolean }) {
  const client = useClient();
  const { spec, snapshots, oldest, loading, listError } = useQueryAsOf();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [typedError, setTypedError] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const panelId = useId();
  const fieldId = useId();

  useEffect(() => {
    if (!open) return;
    void loadSnapshots(client);
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open, client]);

  const pick = (value: string | null) => {
    setAsOf(value);
    setTypedError(null);
    setOpen(false);
  };
  const listed = chosen(spec, snapshots);
  // a job names its snapshot best (two jobs may commit within one minute); a snapshot without one by its time
  const label = spec === null ? 'Latest' : listed?.jobId ? `job ${shortJob(listed.jobId)}` : listed ? <Time at={listed.at} seconds /> : spec;

  return (
    <div className="query-asof" ref={root} onKeyDown={(e) => e.key === 'Escape' && open && (e.stopPropagation(), setOpen(false))}>
      <button
        type="button"
        className={spec === null ? 'query-asof-button' : 'query-asof-button query-asof-past'}
        aria-expanded={open}
        aria-controls={panelId}
        aria-haspopup="dialog"
        disabled={disabled}
        onClick={() => setOpen((v) => !v)}
        title="Which snapshot of the lake the query reads"
        data-testid="asof-button"
      >
        As of: {label} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div className="query-asof-panel" id={panelId} role="dialog" aria-label="Read the lake as of">
          <ul className="query-asof-list" aria-label="Snapshots" aria-busy={loading}>
            <li>
              <button type="button" aria-pressed={spec === null} onClick={() => pick(null)}>
                <span className="query-asof-when">Latest</span>
                <span className="muted">the lake as it is now</span>
              </button>
            </li>
            {snapshots.map((s) => (
              <li key={s.id}>
                <button type="button" aria-pressed={listed?.id === s.id} onClick={() => pick(asOfOf(s))} data-testid="asof-snapshot">
                  <Time at={s.at} seconds className="query-asof-when" />
                  <span className="query-asof-job" title={s.jobId ?? undefined}>
                    {s.jobId ? `job ${shortJob(s.jobId)}` : `snapshot ${s.id}`}
                  </span>
                  <span className="muted">{s.kind}</span>
                </button>
              </li>
            ))}
          </ul>
          {listError && <p className="query-asof-error">{listError}</p>}
          <form
            className="query-asof-form"
            onSubmit={(e) => {
              e.preventDefault();
              const why = setAsOf(typed);
              setTypedError(why);
              if (!why) setOpen(false);
            }}
          >
            <label htmlFor={fieldId}>Job id or ISO time (UTC unless it has an offset)</label>
            <div className="query-asof-row">
              <input id={fieldId} value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="2024-07-01T16:00:00" spellCheck={false} autoComplete="off" />
              <button type="submit">Use</button>
            </div>
            {typedError && <p className="query-asof-error">{typedError}</p>}
          </form>
          {oldest && (
            <p className="muted query-asof-oldest">
              Oldest retained: snapshot {oldest.id}, <Time at={oldest.at} />
            </p>
          )}
        </div>
      )}
    </div>
  );
}

/** The result header's "as of": which snapshot the rows were read from. */
export function AsOfCaption({ snapshot }: { snapshot: SnapshotView | null }) {
  if (!snapshot) return <span className="muted"> · latest</span>;
  return (
    <span className="query-asof-caption" data-testid="result-asof">
      {' '}
      · as of snapshot {snapshot.id} (<Time at={snapshot.at} seconds />
      {snapshot.jobId ? <span title={snapshot.jobId}>, job {shortJob(snapshot.jobId)}</span> : null})
    </span>
  );
}
