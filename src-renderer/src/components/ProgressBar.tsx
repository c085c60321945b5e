import type { JobStatus } from '../../../src-main/contract/schemas';

export function ProgressBar({ value, label, status }: { value: number; label: string; status: JobStatus }) {
  const v = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div className="progress-wrap">
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={v}
        className="progress"
        data-status={status}
      >
        <div className="progress-fill" style={{ width: `${v}%` }} />
      </div>
      <span className="progress-pct" aria-hidden="true">
        {v}%
      </span>
    </div>
  );
}
