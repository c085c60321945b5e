import { useState } from 'react';
import { copyText } from '../clipboard';
import { shortJobId } from '../format';

/**
 * "Started job 1a2b3c4d": the short id the jobs table shows; the full id on hover, in `data-job-id` (what tests read),
 * in the job's details, and copied by the button.
 */
export function StartedJob({ id }: { id: string }) {
  const [copied, setCopied] = useState<string | null>(null);
  return (
    <>
      <span>
        Started job{' '}
        <code title={id} data-job-id={id}>
          {shortJobId(id)}
        </code>
      </span>
      <button type="button" className="small" aria-label={`Copy job id ${id}`} onClick={() => void copyText(id).then((ok) => setCopied(ok ? id : null))}>
        {copied === id ? 'Copied' : 'Copy id'}
      </button>
    </>
  );
}
