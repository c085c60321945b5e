import { useMemo, useState } from 'react';
import type { ErrorValue } from '../../../src-main/shared/errors';
import { useClient } from '../clientContext';
import { duration, formatInt, formatTime } from '../format';
import { sortJobs, TERMINAL, useJobs, type JobView } from '../state/jobs';
import { ErrorAlert } from './ErrorAlert';
import { ProgressBar } from './ProgressBar';
import { StatusBadge } from './StatusBadge';

const MAX_SYMBOLS_SHOWN = 6;

function symbolsText(symbols: string[]): string {
  if (symbols.length <= MAX_SYMBOLS_SHOWN) return symbols.join(', ');
  return `${symbols.slice(0, MAX_SYMBOLS_SHOWN).join(', ')} +${symbols.length - MAX_SYMBOLS_SHOWN}`;
}

/** Enough of an id to tell jobs apart on screen; the full id is in the tooltip and the accessible names. */
function shortId(id: string): string {
  return id.length > 10 ? id.slice(0, 8) : id;
}

export function JobsTable() {
  const byId = useJobs((s) => s.byId);
  const loaded = useJobs((s) => s.loaded);
  const loadError = useJobs((s) => s.loadError);
  const jobs = useMemo(() => sortJobs(byId), [byId]);
  const [cancelError, setCancelError] = useState<ErrorValue | null>(null);

  return (
    <section className="panel panel-fill" aria-labelledby="jobs-title">
      <div className="panel-head">
        <h2 id="jobs-title">Jobs</h2>
        <span className="muted">{jobs.length > 0 && `${jobs.length} shown, newest first`}</span>
      </div>
      {loadError && <p className="hint error-text">Jobs could not be listed: {loadError}</p>}
      <ErrorAlert error={cancelError} title="Not cancelled" />
      {jobs.length === 0 ? (
        <p className="empty">{loaded ? 'No jobs yet. Start an ingestion above.' : 'Loading jobs…'}</p>
      ) : (
        <div className="table-scroll">
          <table className="grid jobs" aria-labelledby="jobs-title">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Job</th>
                <th scope="col">Provider</th>
                <th scope="col">Symbols</th>
                <th scope="col">Range</th>
                <th scope="col">TF</th>
                <th scope="col" className="num">
                  Rows
                </th>
                <th scope="col" className="col-progress">
                  Progress
                </th>
                <th scope="col">Created</th>
                <th scope="col">Took</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => (
                <JobRow key={job.id} job={job} onCancelError={setCancelError} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function JobRow({ job, onCancelError }: { job: JobView; onCancelError: (e: ErrorValue | null) => void }) {
  const client = useClient();
  const [cancelling, setCancelling] = useState(false);
  const cancellable = !TERMINAL.has(job.status);

  async function cancel() {
    setCancelling(true);
    onCancelError(null);
    const r = await client.request('ingest.cancel', { jobId: job.id });
    setCancelling(false);
    if (!r.ok) onCancelError(r.error);
  }

  return (
    <tr aria-label={`Job ${job.id}`} data-status={job.status}>
      <td>
        <StatusBadge status={job.status} />
      </td>
      <td className="mono" title={job.id}>
        {shortId(job.id)}
      </td>
      <td>
        {job.provider}
        {job.feed && <span className="muted"> / {job.feed}</span>}
      </td>
      <td className="mono symbols" title={job.symbols.join(', ')}>
        {symbolsText(job.symbols)}
      </td>
      <td className="mono nowrap">
        {job.start} → {job.end}
      </td>
      <td className="mono">{job.timeframe}</td>
      <td className="num">
        {formatInt(job.rowsWritten)}
      </td>
      <td className="col-progress">
        <ProgressBar value={job.progress} label={`Progress of job ${job.id}`} status={job.status} />
        {job.error ? (
          <div className="row-note error-text" title={job.error.message}>
            {job.error.code}: {job.error.message}
          </div>
        ) : (
          job.message && <div className="row-note muted">{job.message}</div>
        )}
      </td>
      <td className="mono nowrap muted">{formatTime(job.createdAt)}</td>
      <td className="mono nowrap muted">{duration(job.startedAt, job.finishedAt)}</td>
      <td className="actions">
        {cancellable && (
          <button type="button" className="small" aria-label={`Cancel job ${job.id}`} disabled={cancelling} onClick={() => void cancel()}>
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </td>
    </tr>
  );
}
