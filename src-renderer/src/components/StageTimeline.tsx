import { formatDuration, stageBars, summedText, useTimelines } from '../state/timeline';

const LABEL: Record<string, string> = { fetch: 'Fetch', write: 'Write', validate: 'Validate', aggregate: 'Aggregate' };

/**
 * How long each stage of a job took, in wall time: fetch and write (with the time summed over the job's workers
 * beside it, said as such), then the validation and the aggregation the job caused. Stages are pending, running or
 * done in order. Bars are relative to the longest stage; a stage that failed says why.
 */
export function StageTimeline({ jobId }: { jobId: string }) {
  const timeline = useTimelines((s) => s.byJob[jobId]);
  const error = useTimelines((s) => s.errors[jobId]);
  if (error && !timeline) return <p className="details-note error-text">Stages could not be loaded: {error}</p>;
  if (!timeline) return null;
  return (
    <ol className="stage-timeline" aria-label={`Stages of job ${jobId}`}>
      {stageBars(timeline.stages).map((s) => (
        <li key={s.stage} aria-label={LABEL[s.stage]} data-stage={s.stage} data-status={s.status} className={`stage stage-${s.status}`}>
          <span className="stage-name">{LABEL[s.stage]}</span>
          <span className="stage-track" aria-hidden="true">
            <span className="stage-bar" style={{ width: `${s.share}%` }} />
          </span>
          <span className="stage-time num">{s.status === 'done' || s.status === 'failed' ? formatDuration(s.durationMs) : s.status}</span>
          <span className={s.status === 'failed' ? 'stage-detail error-text' : 'stage-detail muted'}>
            {[s.status === 'failed' ? `failed: ${s.detail ?? ''}` : s.status === 'skipped' ? `skipped: ${s.detail ?? ''}` : s.detail, summedText(s)].filter(Boolean).join(' · ')}
          </span>
        </li>
      ))}
    </ol>
  );
}
