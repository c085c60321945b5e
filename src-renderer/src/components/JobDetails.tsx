import { useMemo } from 'react';
import { formatInt } from '../format';
import { TERMINAL, type JobView } from '../state/jobs';
import { summarize, useTasks, type SymbolProgress } from '../state/tasks';
import { ProgressBar } from './ProgressBar';
import { StageTimeline } from './StageTimeline';
import { StatusBadge } from './StatusBadge';
import { errorWords } from '../errorWords';

/** The colour of a symbol's bar: green when done, otherwise as its job stands (running, failed, cancelled). */
function toneOf(p: SymbolProgress, job: JobView): string {
  if (p.status === 'done' || p.status === 'up to date') return 'succeeded';
  return TERMINAL.has(job.status) ? job.status : 'running';
}

/** Per-symbol progress of one job: its units from `jobs.tasks`, kept current by `jobs.unit` events. */
export function JobDetails({ job }: { job: JobView }) {
  const units = useTasks((s) => s.byJob[job.id]);
  const tasks = units?.tasks;
  const live = TERMINAL.has(job.status) ? undefined : job.stats?.units;
  const rows = useMemo(() => summarize(job.symbols, tasks ?? [], live), [job.symbols, tasks, live]);
  const active = useMemo(() => new Set(TERMINAL.has(job.status) ? [] : (job.stats?.active ?? [])), [job.status, job.stats]);

  const failure = job.error && job.error.code !== 'E_CANCELLED' && (
    <p className="details-note error-text" title={`Error code ${job.error.code}`}>
      {errorWords(job.error.code)}: {job.error.message}
    </p>
  );
  // the full id (the table and the notices show its first characters), selectable to copy; not worded "Job …": the
  // details row is named from its text and must not pass for a job's row
  const idLine = (
    <p className="details-note muted">
      Full id <code>{job.id}</code>
    </p>
  );
  if (!units || (units.state === 'loading' && units.tasks.length === 0)) {
    return <p className="details-note muted">Loading units…</p>;
  }
  if (units.state === 'error' && units.tasks.length === 0) {
    return (
      <div className="details">
        {failure}
        {idLine}
        <StageTimeline jobId={job.id} />
        <p className="details-note error-text">Units could not be listed: {units.error}</p>
      </div>
    );
  }

  const all = units.tasks;
  if (all.length === 0) {
    return (
      <div className="details">
        {failure}
        {idLine}
        <StageTimeline jobId={job.id} />
        <p className="details-note muted">
          {job.status === 'succeeded' && job.rowsWritten === 0
            ? 'Nothing to fetch: every session asked for was already in the lake. Tick Force refetch to fetch it again.'
            : 'This job recorded no units.'}
        </p>
      </div>
    );
  }

  const done = all.filter((t) => t.status === 'done').length;
  const sessions = all.reduce((n, t) => n + t.days, 0);
  // sessions written, and received of the units in flight: as the symbols' rows below count them
  const sessionsDone = rows.reduce((n, r) => n + (r.status === 'up to date' ? 0 : r.sessionsDone), 0);
  const skipped = rows.filter((r) => r.status === 'up to date').length;
  return (
    <div className="details">
      {failure}
      {idLine}
      <StageTimeline jobId={job.id} />
      <p className="details-note muted">
        {formatInt(done)} of {formatInt(all.length)} units done (a unit is one symbol-year) · {formatInt(sessionsDone)} of {formatInt(sessions)}{' '}
        sessions{TERMINAL.has(job.status) ? '' : ' received'}
        {skipped > 0 && <> · {formatInt(skipped)} symbols already up to date in the lake</>}
        {units.state === 'error' && <span className="error-text"> · refresh failed: {units.error}</span>}
      </p>
      <div className="details-scroll">
        <table className="subgrid" aria-label={`Symbols of job ${job.id}`}>
          <thead>
            <tr>
              <th scope="col">Symbol</th>
              <th scope="col" className="num">
                Units
              </th>
              <th scope="col" className="num">
                Sessions
              </th>
              <th scope="col" className="num">
                Rows
              </th>
              <th scope="col">Status</th>
              <th scope="col" className="col-sym-progress">
                Progress
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.symbol} aria-label={r.symbol} data-status={r.status}>
                <th scope="row" className="mono">
                  {r.symbol}
                </th>
                <td className="num">
                  {r.unitsDone}/{r.units}
                </td>
                <td className="num">
                  {formatInt(r.sessionsDone)}/{formatInt(r.sessions)}
                </td>
                <td className="num">{formatInt(r.rows)}</td>
                <td>
                  <StatusBadge status={r.status === 'up to date' ? 'skipped' : r.status} label={r.status} />
                  {active.has(r.symbol) && r.status !== 'done' && (
                    <span className="fetching" title="being fetched now">
                      fetching
                    </span>
                  )}
                </td>
                <td className="col-sym-progress">
                  <ProgressBar value={r.percent} label={`Progress of ${r.symbol}`} tone={toneOf(r, job)} compact />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
