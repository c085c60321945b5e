/** `tone` picks the colour: a job status, or a unit status (done). */
export function ProgressBar({ value, label, tone, compact = false }: { value: number; label: string; tone: string; compact?: boolean }) {
  const v = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div className={compact ? 'progress-wrap progress-compact' : 'progress-wrap'}>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={v}
        className="progress"
        data-status={tone}
      >
        <div className="progress-fill" style={{ width: `${v}%` }} />
      </div>
      <span className="progress-pct" aria-hidden="true">
        {v}%
      </span>
    </div>
  );
}
