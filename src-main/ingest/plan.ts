import { sessionFor, tradingDays, zonedTimeToUtc, EXCHANGE_TZ } from '../calendar';
import { pagesOf, type Bars } from '../lake/pages';

export interface IngestTask {
  symbol: string;
  year: number;
  /** exchange-local dates, inclusive, within one calendar year: the range fetched */
  start: string;
  end: string;
  /** trading days in [start, end], ascending */
  days: string[];
  /** the range [from, to) in epoch ms that this task owns in its partition */
  from: number;
  to: number;
}

export function nextDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function makeTask(symbol: string, year: number, start: string, end: string): IngestTask {
  return {
    symbol,
    year,
    start,
    end,
    days: tradingDays(start, end),
    from: zonedTimeToUtc(start, 0, 0, EXCHANGE_TZ),
    to: zonedTimeToUtc(nextDate(end), 0, 0, EXCHANGE_TZ),
  };
}

/**
 * One task per (symbol, calendar year) of the range: a task fills exactly one lake partition, so its write can merge
 * with what the partition already holds and publish one file. Tasks without a trading day are dropped.
 */
export function planIngest(symbols: string[], start: string, end: string): IngestTask[] {
  const tasks: IngestTask[] = [];
  const y0 = Number(start.slice(0, 4));
  const y1 = Number(end.slice(0, 4));
  for (const symbol of symbols) {
    for (let y = y0; y <= y1; y++) {
      const t = makeTask(symbol, y, y === y0 ? start : `${y}-01-01`, y === y1 ? end : `${y}-12-31`);
      if (t.days.length > 0) tasks.push(t);
    }
  }
  return tasks;
}

/**
 * Incremental ingest: keeps of each task only the span from its first to its last session not yet covered (a covered
 * day inside that span is fetched again and rewritten identically, which is cheaper than many small requests).
 * Tasks with nothing missing are dropped.
 */
export function narrowToMissing(tasks: IngestTask[], covered: (t: IngestTask) => Set<string>): IngestTask[] {
  const out: IngestTask[] = [];
  for (const t of tasks) {
    const have = covered(t);
    const missing = t.days.filter((d) => !have.has(d));
    if (missing.length === 0) continue;
    out.push(missing.length === t.days.length ? t : makeTask(t.symbol, t.year, missing[0]!, missing.at(-1)!));
  }
  return out;
}

/**
 * Rows per session of a task's delivery, for the sessions that are over (a session still trading is not recorded as
 * covered: its later bars are still to come). Sessions without bars count 0.
 */
export function rowsBySession(t: IngestTask, bars: Bars, now: number): Map<string, number> {
  // bars held as pages are read where they lie, a page at a time (no accessor call per bar: 2.4M of them showed)
  return tallyBySession(t, pagesOf(bars).map((p) => ({ at: p.ts, n: p.length })), now);
}

/** The sessions of a rowsBySession() tally that are over at `now` (one taken with now = Infinity before a write). */
export function closedBy(sessions: Map<string, number>, now: number): Map<string, number> {
  return new Map([...sessions].filter(([d]) => (sessionFor(d)?.postClose ?? Infinity) <= now));
}

/**
 * rowsBySession() from counts per UTC hour (key: the hour's start, epoch ms), as a relation write reports them. An
 * exchange-local midnight is always a whole UTC hour, so every bar of an hour falls on the same exchange day.
 */
export function rowsBySessionFromHours(t: IngestTask, rowsByHour: Map<number, number>, now: number): Map<string, number> {
  const hours = [...rowsByHour.keys()].sort((a, b) => a - b);
  return tallyBySession(t, [{ at: hours, n: hours.length, weights: hours.map((h) => rowsByHour.get(h)!) }], now);
}

/**
 * Sums the weights (1 each without them) of entries ascending by `at`, over parts in order, into the task's days; days
 * still trading at `now` are left out.
 */
function tallyBySession(t: IngestTask, parts: ReadonlyArray<{ at: ArrayLike<number>; n: number; weights?: ArrayLike<number> }>, now: number): Map<string, number> {
  const { starts, ends } = dayBounds(t);
  let i = 0;
  const counts = new Array<number>(t.days.length).fill(0);
  for (const { at, n, weights } of parts) {
    for (let k = 0; k < n; k++) {
      const ts = at[k]!;
      while (i + 1 < starts.length && ts >= starts[i + 1]!) i++;
      // bars before the first session day, or on a day after it that is not a session, fall outside every session
      if (ts >= starts[i]! && ts < ends[i]!) counts[i]! += weights ? weights[k]! : 1;
    }
  }
  return overBy(t, counts, now);
}

/** Each of the task's days' start and end (exchange-local midnights) in epoch ms. */
function dayBounds(t: IngestTask): { starts: number[]; ends: number[] } {
  return { starts: t.days.map((d) => zonedTimeToUtc(d, 0, 0, EXCHANGE_TZ)), ends: t.days.map((d) => zonedTimeToUtc(nextDate(d), 0, 0, EXCHANGE_TZ)) };
}

/** The counts of the days whose session is over at `now`. */
function overBy(t: IngestTask, counts: number[], now: number): Map<string, number> {
  const out = new Map<string, number>();
  t.days.forEach((d, j) => {
    const s = sessionFor(d);
    if (s && s.postClose <= now) out.set(d, counts[j]!);
  });
  return out;
}

/**
 * The units a worker takes one at a time: tasks sharing one range (the usual daily update: every symbol from the same
 * session) go in groups the provider fetches together (`split`, its groupSymbols); every other task alone. Groups keep
 * the order in which their first task was planned.
 */
export function groupTasks(tasks: IngestTask[], split?: (range: IngestTask, symbols: string[]) => string[][]): IngestTask[][] {
  if (!split) return tasks.map((t) => [t]);
  const byRange = new Map<string, IngestTask[]>();
  for (const t of tasks) {
    const key = `${t.start}|${t.end}`;
    const list = byRange.get(key);
    if (list) list.push(t);
    else byRange.set(key, [t]);
  }
  const out: IngestTask[][] = [];
  for (const list of byRange.values()) {
    const bySymbol = new Map(list.map((t) => [t.symbol, t]));
    const placed = new Set<string>();
    for (const symbols of split(list[0]!, [...bySymbol.keys()])) {
      const group = symbols.filter((s) => bySymbol.has(s) && !placed.has(s)).map((s) => bySymbol.get(s)!);
      group.forEach((t) => placed.add(t.symbol));
      if (group.length > 0) out.push(group);
    }
    // a symbol the provider left out of every group is still fetched, alone
    for (const t of list) if (!placed.has(t.symbol)) out.push([t]);
  }
  return out;
}
