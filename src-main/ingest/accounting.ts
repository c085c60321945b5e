import type { JobAccounting } from '../contract/schemas';
import type { SourceRows } from '../providers/types';
import type { IngestTask } from './plan';

// Every row a job receives is accounted for: stored, or counted with the reason it was not (issue "Hold under hostile
// load", item 5). The job record carries the tally (jobs.accounting, migration 0013), kept current after every unit, so
// a killed job's resume goes on from it. The invariant, at every moment:
//   received = stored + duplicates + outsideSessions + alreadyInLake + future + refused + pending
// where `pending` (rows of a file still to fetch) is kept inside alreadyInLake until the fetch ends: the rows a
// file holds that no unit of the job fetched are those whose sessions the lake already covers.

export type Accounting = JobAccounting;

export function emptyAccounting(): Accounting {
  return { received: 0, stored: 0, duplicates: 0, outsideSessions: 0, alreadyInLake: 0, future: 0, refused: 0, duplicatesUnrecorded: 0 };
}

/**
 * The accounting a job starts with when its provider read its own source (csv): every row received; those after the
 * last closed session are future; those on a day without a session that no unit of the full plan (`planned`: the
 * tasks before coverage removed what the lake holds) covers are outside sessions, since no unit will fetch them; the
 * rest wait in alreadyInLake until the units fetch them.
 */
export function accountingFromSource(rows: SourceRows, planned: IngestTask[]): Accounting {
  const bySymbol = new Map<string, IngestTask[]>();
  for (const t of planned) bySymbol.set(t.symbol, [...(bySymbol.get(t.symbol) ?? []), t]);
  let outside = 0;
  for (const c of rows.closedDays) {
    const covered = (bySymbol.get(c.symbol) ?? []).some((t) => t.start <= c.date && c.date <= t.end);
    if (!covered) outside += c.rows;
  }
  return { ...emptyAccounting(), received: rows.received, future: rows.future, outsideSessions: outside, alreadyInLake: rows.received - rows.future - outside };
}

/**
 * The running tally of one run of a job. `planned`: the rows were counted from the source before the run (received is
 * fixed, and each unit moves its rows out of alreadyInLake); otherwise each delivery adds to received.
 */
export class JobTally {
  private readonly a: Accounting;
  private recorded: number;

  constructor(
    start: Accounting | null,
    private readonly planned: boolean,
    /** duplicates the job already recorded in detail (a resume continues under the same cap) */
    recorded: number,
    private readonly detailLimit: number,
  ) {
    this.a = { ...(start ?? emptyAccounting()) };
    this.recorded = recorded;
    // the units that failed or were cancelled in an earlier run are fetched again: their rows are not refused any more
    if (this.planned) this.a.alreadyInLake += this.a.refused;
    else this.a.received -= this.a.refused;
    this.a.refused = 0;
  }

  private delivered(n: number): void {
    if (this.planned) this.a.alreadyInLake -= n;
    else this.a.received += n;
  }

  /**
   * A unit is durable: `stored` rows written, `duplicates` dropped, `detail` of them known in detail. Returns how many
   * of those may still be recorded (the job's cap less what it recorded); the caller records that many.
   */
  unit(stored: number, duplicates: number, detail: number): number {
    this.delivered(stored + duplicates);
    this.a.stored += stored;
    this.a.duplicates += duplicates;
    const room = Math.max(0, this.detailLimit - this.recorded);
    const detailed = Math.min(room, detail, duplicates);
    this.recorded += detailed;
    this.a.duplicatesUnrecorded += duplicates - detailed;
    return detailed;
  }

  /** A unit's delivery that will not be stored (its write failed, or the job was cancelled before it). */
  refused(n: number): void {
    this.delivered(n);
    this.a.refused += n;
  }

  get value(): Accounting {
    return { ...this.a, alreadyInLake: Math.max(0, this.a.alreadyInLake) };
  }
}

/** One line for people: where the received rows went (only the reasons that apply). */
export function describeAccounting(a: Accounting): string {
  const parts = [`${a.stored} stored`];
  if (a.duplicates) parts.push(`${a.duplicates} duplicate${a.duplicates === 1 ? '' : 's'} dropped (one copy of each kept; see validation's duplicate_bar)`);
  if (a.outsideSessions) parts.push(`${a.outsideSessions} on days without a trading session (not stored)`);
  if (a.alreadyInLake) parts.push(`${a.alreadyInLake} already in the lake (--force fetches them again)`);
  if (a.future) parts.push(`${a.future} after the last closed session (not stored)`);
  if (a.refused) parts.push(`${a.refused} refused (their unit did not finish)`);
  return `${a.received} rows received: ${parts.join(', ')}`;
}
