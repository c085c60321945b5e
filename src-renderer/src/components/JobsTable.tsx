import { useMemo, useState, type MouseEvent } from 'react';
import type { ErrorValue } from '../../../src-main/shared/errors';
import { useClient } from '../clientContext';
import { errorWords } from '../errorWords';
import { duration, formatEta, formatInt, shortJobId } from '../format';
import { Time } from './Time';
import { jobAction, openValidationRun, RESUMABLE, shownRows, sortJobs, TERMINAL, useJobs, validationWords, type JobView, type RunStats } from '../state/jobs';
import { hashFor } from '../state/nav';
import { loadTasks } from '../state/session';
import { useTasks } from '../state/tasks';
import { ErrorAlert } from './ErrorAlert';
import { JobDetails } from './JobDetails';
import { ProgressBar } from './ProgressBar';
import { jobStatusLabel, StatusBadge } from './StatusBadge';
import { ActionsHeader } from './ActionsHeader';

const MAX_SYMBOLS_SHOWN = 6;
const COLUMNS = 12;

function symbolsText(symbols: string[]): string {
  if (symbols.length <= MAX_SYMBOLS_SHOWN) return symbols.join(', ');
  return `${symbols.slice(0, MAX_SYMBOLS_SHOWN).join(', ')} +${symbols.length - MAX_SYMBOLS_SHOWN}`;
}

interface ActionError {
  title: string;
  error: ErrorValue;
}

export function JobsTable() {
  const byId = useJobs((s) => s.byId);
  const loaded = useJobs((s) => s.loaded);
  const loadError = useJobs((s) => s.loadError);
  const open = useTasks((s) => s.open);
  const jobs = useMemo(() => sortJobs(byId), [byId]);
  const [actionError, setActionError] = useState<ActionError | null>(null);

  return (
    <section className="panel panel-fill" aria-labelledby="jobs-title">
      <div className="panel-head">
        <h2 id="jobs-title">Jobs</h2>
        <span className="muted">{jobs.length > 0 && `${jobs.length} shown, newest first`}</span>
      </div>
      {loadError && <p className="hint error-text">Jobs could not be listed: {loadError}</p>}
      <ErrorAlert error={actionError?.error ?? null} title={actionError?.title} />
      {jobs.length === 0 ? (
        <p className="empty">{loaded ? 'No jobs yet. Start an ingestion above.' : 'Loading jobs…'}</p>
      ) : (
        <div className="table-scroll">
          <table className="grid jobs" aria-labelledby="jobs-title">
            <thead>
              <tr>
                <th scope="col" className="col-toggle">
                  <span className="sr-only">Details</span>
                </th>
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
                <ActionsHeader />
              </tr>
            </thead>
            {jobs.map((job) => (
              <JobRows key={job.id} job={job} expanded={!!open[job.id]} onActionError={setActionError} />
            ))}
          </table>
        </div>
      )}
    </section>
  );
}

/** A job's row and, when open, its details row: one tbody each, so they stay together (and stripe together). */
function JobRows({ job, expanded, onActionError }: { job: JobView; expanded: boolean; onActionError: (e: ActionError | null) => void }) {
  const client = useClient();
  const [busy, setBusy] = useState<'cancel' | 'resume' | null>(null);
  const cancellable = !TERMINAL.has(job.status);
  const resumable = RESUMABLE.has(job.status);
  const detailsId = `job-details-${job.id}`;
  // The live numbers of a run get a line of their own under its row: full words, no squeezed column.
  const live = job.stats && !TERMINAL.has(job.status) ? job.stats : null;

  function toggle() {
    const next = !expanded;
    useTasks.getState().setOpen(job.id, next);
    if (next) void loadTasks(client, job.id);
  }

  async function act(kind: 'cancel' | 'resume') {
    setBusy(kind);
    onActionError(null);
    const err = await jobAction(client, kind, job.id);
    setBusy(null);
    if (err) onActionError({ title: kind === 'cancel' ? 'Not cancelled' : 'Not resumed', error: err });
  }

  // Clicking anywhere on the job (but a control, its details, or while selecting text) toggles it too: the button is
  // the accessible way.
  function onGroupClick(e: MouseEvent<HTMLTableSectionElement>) {
    const target = e.target as HTMLElement;
    if (target.closest('button, a, input, select, textarea, .details-row')) return;
    if (window.getSelection()?.toString()) return;
    toggle();
  }

  return (
    <tbody className={expanded ? 'job-group is-open' : 'job-group'} onClick={onGroupClick}>
      <tr aria-label={`Job ${job.id}`} data-status={job.status} className="job-row">
        <td className="col-toggle">
          <button
            type="button"
            className="disclosure"
            aria-label="Details"
            aria-expanded={expanded}
            aria-controls={expanded ? detailsId : undefined}
            title={expanded ? 'Hide per-symbol progress' : 'Show per-symbol progress'}
            onClick={toggle}
          >
            <svg width="10" height="10" viewBox="0 0 10 10" aria-hidden="true">
              <path d="M3 1.5 L7 5 L3 8.5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
          </button>
        </td>
        <td>
          <StatusBadge status={job.status} label={jobStatusLabel(job.status, job.error)} />
        </td>
        <td className="mono" title={job.id}>
          {shortJobId(job.id)}
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
        <td className="num" title={TERMINAL.has(job.status) ? 'bars written to the lake' : 'bars received so far'}>
          {formatInt(shownRows(job))}
        </td>
        <td className="col-progress">
          <ProgressBar value={job.progress} label={`Progress of job ${job.id}`} tone={job.status} />
          {job.error ? (
            // A cancel or a dead process is not the job's own failure: said quietly, without the code.
            job.error.code === 'E_CANCELLED' || job.error.code === 'E_INTERRUPTED' ? (
              <div className="row-note muted" title={`${job.error.code}: ${job.error.message}`}>
                {job.error.message}
              </div>
            ) : (
              <div className="row-note error-text" title={`Error code ${job.error.code}: ${job.error.message}`}>
                {errorWords(job.error.code)}: {job.error.message}
              </div>
            )
          ) : (
            !live && job.message && !TERMINAL.has(job.status) && <div className="row-note muted">{job.message}</div>
          )}
          <ValidationNote job={job} />
        </td>
        <td className="mono nowrap muted">
          <Time at={job.createdAt} />
        </td>
        <td className="mono nowrap muted">{duration(job.startedAt, job.finishedAt)}</td>
        <td className="actions">
          {cancellable && (
            <button type="button" className="small" aria-label={`Cancel job ${job.id}`} disabled={busy !== null} onClick={() => void act('cancel')}>
              {busy === 'cancel' ? 'Cancelling…' : 'Cancel'}
            </button>
          )}
          {resumable && (
            <button
              type="button"
              className="small"
              title={`Run the units of job ${job.id} that are not done yet`}
              disabled={busy !== null}
              onClick={() => void act('resume')}
            >
              Resume
            </button>
          )}
        </td>
      </tr>
      {live && (
        <tr className="run-row" aria-label={`Run of job ${job.id}`}>
          <td colSpan={3} />
          <td colSpan={COLUMNS - 3}>
            <RunStatsLine stats={live} />
          </td>
        </tr>
      )}
      {expanded && (
        <tr className="details-row" id={detailsId}>
          <td colSpan={COLUMNS}>
            <JobDetails job={job} />
          </td>
        </tr>
      )}
    </tbody>
  );
}

/** Once its validate stage is done: what the job's validation found, linking to the run on the Validation page. */
function ValidationNote({ job }: { job: JobView }) {
  const client = useClient();
  const v = useJobs((s) => s.validations[job.id]);
  if (!v || job.stage === 'fetch' || job.stage === 'validate') return null;
  const tone = v.errors > 0 ? 'error-text' : v.warnings > 0 ? 'warn-text' : 'muted';
  return (
    <div className={`row-note validation-note ${tone}`}>
      Validation:{' '}
      <a
        href={hashFor('validation', { run: v.runId })}
        aria-label={`Validation of job ${job.id}: ${validationWords(v)}. Open run ${v.runId}`}
        onClick={(e) => {
          e.preventDefault();
          openValidationRun(client, v.runId);
        }}
      >
        {validationWords(v)}
      </a>
    </div>
  );
}

function RunStatsLine({ stats }: { stats: RunStats }) {
  return (
    <dl className="run-stats">
      <div>
        <dt className="sr-only">Speed</dt>
        <dd>
          <span className="stat-v">{formatInt(stats.barsPerSecond)}</span> bars/s
        </dd>
      </div>
      <div>
        <dt>ETA</dt>
        <dd className="stat-v">{stats.etaSeconds === null ? '…' : formatEta(stats.etaSeconds)}</dd>
      </div>
      <div data-warn={stats.retries > 0 || undefined}>
        <dt className="sr-only">Retries</dt>
        <dd>
          <span className="stat-v">{formatInt(stats.retries)}</span> {stats.retries === 1 ? 'retry' : 'retries'}
        </dd>
      </div>
      <div data-warn={stats.rateLimitWaits > 0 || undefined}>
        <dt className="sr-only">Rate-limit waits</dt>
        <dd>
          <span className="stat-v">{formatInt(stats.rateLimitWaits)}</span> rate-limit {stats.rateLimitWaits === 1 ? 'wait' : 'waits'}
        </dd>
      </div>
      {stats.active.length > 0 && (
        <div className="run-active">
          <dt>fetching</dt>
          <dd className="mono" title={stats.active.join(', ')}>
            {symbolsText(stats.active)}
          </dd>
        </div>
      )}
    </dl>
  );
}
