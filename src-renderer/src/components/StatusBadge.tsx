import type { JobStatus } from '../../../src-main/contract/schemas';
import type { ErrorValue } from '../../../src-main/shared/errors';

/** A failed job whose process died is shown as interrupted: it did not fail on its own, and it can be resumed. */
export function jobStatusLabel(status: JobStatus, error: ErrorValue | null): string {
  return status === 'failed' && error?.code === 'E_INTERRUPTED' ? 'interrupted' : status;
}

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  const text = label ?? status;
  return (
    <span className="badge" data-status={text === 'interrupted' ? 'interrupted' : status}>
      {text}
    </span>
  );
}
