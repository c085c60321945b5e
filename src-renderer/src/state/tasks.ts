import { create } from 'zustand';
import type { EventPayload } from '../../../src-main/contract';
import type { JobTask } from '../../../src-main/contract/schemas';

/** A job's units (symbol x year) as far as we know them: one `jobs.tasks` on open, then `jobs.unit` events. */
interface UnitsView {
  state: 'loading' | 'ready' | 'error';
  tasks: JobTask[];
  error: string | null;
}

interface TasksState {
  /** Jobs whose details are open. */
  open: Record<string, true>;
  byJob: Record<string, UnitsView>;
  setOpen(jobId: string, open: boolean): void;
  /** A `jobs.tasks` request is on its way; what is known stays on screen meanwhile. */
  begin(jobId: string): void;
  loaded(jobId: string, tasks: JobTask[]): void;
  failed(jobId: string, message: string): void;
  /** `jobs.unit`: one unit is durable in the lake. */
  unit(u: EventPayload<'jobs.unit'>): void;
}

const key = (symbol: string, year: number) => `${symbol}\u0000${year}`;

export const useTasks = create<TasksState>()((set) => ({
  open: {},
  byJob: {},
  setOpen: (jobId, open) =>
    set((s) => {
      if (open === !!s.open[jobId]) return s;
      const next = { ...s.open };
      if (open) next[jobId] = true;
      else delete next[jobId];
      return { open: next };
    }),
  begin: (jobId) =>
    set((s) => ({ byJob: { ...s.byJob, [jobId]: { state: 'loading', tasks: s.byJob[jobId]?.tasks ?? [], error: null } } })),
  loaded: (jobId, tasks) =>
    set((s) => {
      const known = s.byJob[jobId];
      return { byJob: { ...s.byJob, [jobId]: { state: 'ready', tasks: mergeTasks(known?.tasks ?? [], tasks), error: null } } };
    }),
  failed: (jobId, message) =>
    set((s) => ({ byJob: { ...s.byJob, [jobId]: { state: 'error', tasks: s.byJob[jobId]?.tasks ?? [], error: message } } })),
  unit: (u) =>
    set((s) => {
      const known = s.byJob[u.jobId];
      // Nobody looked at this job: its units are fetched when someone does.
      if (!known) return s;
      const tasks = known.tasks.slice();
      const i = tasks.findIndex((t) => t.symbol === u.symbol && t.year === u.year);
      if (i >= 0) tasks[i] = { ...tasks[i]!, status: 'done', rows: u.rows };
      // Not in what we hold yet (the snapshot is still on its way): remembered, and merged into it when it comes.
      else tasks.push({ symbol: u.symbol, year: u.year, start: '', end: '', days: 0, status: 'done', rows: u.rows });
      return { byJob: { ...s.byJob, [u.jobId]: { ...known, tasks } } };
    }),
}));

/**
 * A unit only ever goes from pending to done, so a snapshot taken before an event we already applied must not
 * undo it: done wins. The snapshot decides which units exist.
 */
export function mergeTasks(known: JobTask[], snapshot: JobTask[]): JobTask[] {
  if (known.length === 0) return snapshot;
  const done = new Map<string, number>();
  for (const t of known) if (t.status === 'done') done.set(key(t.symbol, t.year), t.rows);
  return snapshot.map((t) => {
    const rows = done.get(key(t.symbol, t.year));
    return rows === undefined || t.status === 'done' ? t : { ...t, status: 'done', rows };
  });
}

type SymbolStatus = 'done' | 'partial' | 'pending' | 'up to date';

export interface SymbolProgress {
  symbol: string;
  units: number;
  unitsDone: number;
  sessions: number;
  /** sessions of done units and those received of units in flight */
  sessionsDone: number;
  /** bars written, and received of units in flight */
  rows: number;
  status: SymbolStatus;
  /** 0-100, by sessions: those of done units and those received of units in flight */
  percent: number;
}

/** A unit in flight and the trading days of it received so far (from `jobs.progress`). */
export interface InflightUnit {
  symbol: string;
  year: number;
  daysFetched: number;
  /** bars received of it */
  rows: number;
}

/**
 * Per-symbol view of a job's units, in the job's symbol order. A symbol of the job without units had every session
 * in the lake already (incremental ingest): it is up to date. `inflight`: the sessions received of units not yet
 * written count towards their symbol's percent, so it moves with the job's (a unit is a whole year).
 */
export function summarize(symbols: readonly string[], tasks: readonly JobTask[], inflight: readonly InflightUnit[] = []): SymbolProgress[] {
  const by = new Map<string, SymbolProgress>();
  const row = (symbol: string): SymbolProgress => {
    let r = by.get(symbol);
    if (!r) {
      r = { symbol, units: 0, unitsDone: 0, sessions: 0, sessionsDone: 0, rows: 0, status: 'up to date', percent: 100 };
      by.set(symbol, r);
    }
    return r;
  };
  for (const s of symbols) row(s);
  for (const t of tasks) {
    const r = row(t.symbol);
    r.units++;
    r.sessions += t.days;
    if (t.status === 'done') {
      r.unitsDone++;
      r.sessionsDone += t.days;
      r.rows += t.rows;
    }
  }
  for (const u of inflight) {
    const t = tasks.find((x) => x.symbol === u.symbol && x.year === u.year);
    // a unit already done counts as done; one we do not know yet (its days unknown) cannot be placed
    if (!t || t.status === 'done') continue;
    const r = row(u.symbol);
    r.sessionsDone += Math.min(u.daysFetched, t.days);
    r.rows += u.rows;
  }
  for (const r of by.values()) {
    if (r.units === 0) continue;
    r.status = r.unitsDone === r.units ? 'done' : r.unitsDone > 0 ? 'partial' : 'pending';
    r.percent = r.status === 'done' ? 100 : r.sessions > 0 ? (r.sessionsDone / r.sessions) * 100 : (r.unitsDone / r.units) * 100;
  }
  return [...by.values()];
}
