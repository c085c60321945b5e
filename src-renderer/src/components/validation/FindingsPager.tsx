import { useState } from 'react';
import type { FindingsPage } from '../../../../src-main/contract/validation';
import { useClient } from '../../clientContext';
import { formatInt } from '../../format';
import { loadPage, setPageSize, useValidation } from '../../state/validation';
import { canPage, offsetOfPage, PAGE_SIZES, pageCount, rangeLabel } from '../../state/validationFindings';

/** Previous / Next, a page number to jump to, and the page size. */
export function FindingsPager({ page }: { page: FindingsPage }) {
  const client = useClient();
  const size = useValidation((s) => s.pageSize);
  const offset = useValidation((s) => s.offset);
  const loading = useValidation((s) => s.pageLoading);
  const current = Math.floor(offset / size) + 1;
  const pages = pageCount(page.total, size);
  // what is typed, until Enter or leaving the field jumps (then it shows the page again)
  const [typed, setTyped] = useState<string | null>(null);
  const jump = () => {
    const to = typed === null ? null : offsetOfPage(typed, page.total, size);
    setTyped(null);
    if (to !== null && to !== offset) void loadPage(client, to);
  };
  return (
    <div className="vpager">
      <button type="button" className="small" disabled={!canPage(page, -1, size) || loading} onClick={() => void loadPage(client, Math.max(0, offset - size))}>
        Previous
      </button>
      <span aria-live="polite">{rangeLabel(page, formatInt)}</span>
      <button type="button" className="small" disabled={!canPage(page, 1, size) || loading} onClick={() => void loadPage(client, offset + size)}>
        Next
      </button>
      <label className="inline-field" htmlFor="vpage-input">
        <span>Page</span>
      </label>
      <input
        id="vpage-input"
        className="vpage-input"
        inputMode="numeric"
        value={typed ?? String(current)}
        onChange={(e) => setTyped(e.target.value)}
        onBlur={jump}
        onKeyDown={(e) => {
          if (e.key === 'Enter') jump();
        }}
        aria-describedby="vpage-of"
      />
      <span id="vpage-of">of {formatInt(pages)}</span>
      <label className="inline-field">
        <span>Rows per page</span>
        <select value={size} onChange={(e) => setPageSize(client, Number(e.target.value))}>
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
