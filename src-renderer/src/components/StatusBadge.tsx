import type { JobStatus } from '../../../src-main/contract/schemas';

export function StatusBadge({ status }: { status: JobStatus }) {
  return (
    <span className="badge" data-status={status}>
      {status}
    </span>
  );
}
