import { asBatch, barsAscending, pagedBatch, type Bars } from '../lake/pages';
import { dropRepeats, type DeliveryDuplicates, type PageRepeat } from '../providers/batch';
import type { BarBatch } from '../providers/types';
import { rowsBySession, type IngestTask } from './plan';
import { NO_DUPLICATES, mergeRepeats } from './repeats';

// A unit's bars as the ingest runner receives them (issue 13): the pages as they are, in a list, not copied into one
// growing buffer on the engine's thread. What the runner learns from the bars (duplicates, rows per session) is read
// from the pages before the write, which hands them to the lake's stage worker (their buffers transferred).

/** The pages of one unit so far, and the repeats they dropped (AscendingPage: the adapters' pages). */
export class UnitPages {
  readonly pages: BarBatch[] = [];
  readonly repeats: PageRepeat[] = [];
  /** rows over the pages */
  length = 0;
  constructor(readonly symbol: string) {}

  /** `dropped`: the repeats the page left out (repeatsOf), when the caller reports them */
  add(page: BarBatch, dropped: PageRepeat[] = []): void {
    for (const r of dropped) this.repeats.push(r);
    if (page.length === 0) return;
    this.pages.push(page);
    this.length += page.length;
  }
}

/** What a unit writes, and what the job records of it. */
export interface SettledUnit {
  bars: Bars;
  duplicates: DeliveryDuplicates;
  /** rows per session day, every day with a session (closedBy() keeps those over when the unit is checkpointed) */
  sessions: Map<string, number>;
}

/**
 * A unit's bars ready to write. A delivery in strictly ascending ts order with no repeat dropped (the usual case) stays
 * in its pages; one with repeats is de-duplicated as before (the last copy of each ts kept, the others reported), which
 * needs its rows together: that copy is made only then.
 */
export function settleUnit(t: IngestTask, u: UnitPages): SettledUnit {
  const paged = pagedBatch(u.symbol, u.pages);
  if (u.repeats.length === 0 && barsAscending(paged)) return { bars: paged, duplicates: NO_DUPLICATES, sessions: rowsBySession(t, paged, Infinity) };
  const { batch, duplicates } = dropRepeats(asBatch(paged));
  return { bars: batch, duplicates: mergeRepeats(batch, u.repeats, duplicates), sessions: rowsBySession(t, batch, Infinity) };
}
