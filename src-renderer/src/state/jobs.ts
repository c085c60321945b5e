import { create } from 'zustand';
import type { EventPayload } from '../../../src-main/contract';
import type { Job, JobStatus } from '../../../src-main/contract/schemas';
import type { ErrorValue } from '../../../src-main/shared/errors';
import type { Client } from '../client';
import { errorText } from '../errorWords';
import { useNav } from './nav';
import { selectRun } from './validation';

export const TERMINAL: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);
/** A job that ended before its units were all done: `ingest.resume` runs the rest under the same id. */
export const RESUMABLE: ReadonlySet<JobStatus> = new Set(['failed', 'cancelled']);

/** How the current run of a job is going, from its latest `jobs.progress`. */
export interface RunStats {
  barsPerSecond: number;
  /** null until the engine can tell */
  etaSeconds: number | null;
  retries: number;
  rateLimitWaits: number;
  /** symbols being fetched right now */
  active: string[];
  /** units in flight and the trading days received of each (per-symbol progress between two units) */
  units: EventPayload<'jobs.progress'>['units'];
}

/** What the validation a job caused found: shown on the job's row, linking to the run on the Validation page. */
export interface JobValidation {
  runId: string;
  errors: number;
  warnings: number;
  infos: number;
}

export interface JobView extends Job {
  /**
   * Bars received so far (written bars of earlier runs included): moves with every page, like `progress`, while
   * `rowsWritten` grows a whole unit (a symbol-year) at a time. Equal to rowsWritten once the run has ended.
   */
  rowsReceived: number;
  /** The last progress message of a running job, if any. */
  message: string | null;
  /** Live numbers of a running job; null before its first progress event and once it has finished. */
  stats: RunStats | null;
}

interface JobsState {
  byId: Record<string, JobView>;
  loaded: boolean;
  loadError: string | null;
  /** the latest validation each job caused, by job id */
  validations: Record<string, JobValidation>;
  /** A snapshot from `jobs.list`: may be older than an event that reached us first. */
  replaceFromList(jobs: Job[]): void;
  setLoadError(message: string | null): void;
  /** `jobs.updated`: the full job as it stands, newer than anything received before it. */
  upsert(job: Job): void;
  /** `jobs.progress`: fine-grained numbers between two `jobs.updated`. */
  progress(p: EventPayload<'jobs.progress'>): void;
  /** `validation.completed` of a run a job caused, or the runs as listed (newest first): the newest per job wins. */
  validated(runs: Array<JobValidation & { jobId: string | null }>): void;
}

export const useJobs = create<JobsState>()((set) => ({
  byId: {},
  loaded: false,
  loadError: null,
  validations: {},
  replaceFromList: (jobs) =>
    set((s) => {
      const byId = { ...s.byId };
      for (const job of jobs) byId[job.id] = mergeSnapshot(byId[job.id], job);
      return { byId, loaded: true, loadError: null };
    }),
  setLoadError: (message) => set({ loadError: message }),
  upsert: (job) => set((s) => ({ byId: { ...s.byId, [job.id]: mergeEvent(s.byId[job.id], job) } })),
  progress: (p) =>
    set((s) => {
      const job = s.byId[p.jobId];
      // Unknown job: its jobs.updated will follow. Finished job: a late progress must not rewind it.
      if (!job || TERMINAL.has(job.status)) return s;
      return {
        byId: {
          ...s.byId,
          [p.jobId]: {
            ...job,
            status: job.status === 'queued' ? 'running' : job.status,
            progress: Math.max(job.progress, p.progress),
            rowsWritten: Math.max(job.rowsWritten, p.rowsWritten),
            rowsReceived: Math.max(job.rowsReceived, p.rowsReceived, p.rowsWritten),
            message: p.message || job.message,
            stats: {
              barsPerSecond: p.barsPerSecond,
              etaSeconds: p.etaSeconds,
              retries: p.retries,
              rateLimitWaits: p.rateLimitWaits,
              active: p.active,
              units: p.units,
            },
          },
        },
      };
    }),
  validated: (runs) =>
    set((s) => {
      const validations = { ...s.validations };
      // oldest first, so the newest run of a job is the one kept
      for (const r of [...runs].reverse()) if (r.jobId) validations[r.jobId] = { runId: r.runId, errors: r.errors, warnings: r.warnings, infos: r.infos };
      return { validations };
    }),
}));

function fresh(job: Job): JobView {
  return { ...job, rowsReceived: job.rowsWritten, message: null, stats: null };
}

/** The rows a job's row shows: received so far while it runs (they move with its progress), written once it ended. */
export function shownRows(job: JobView): number {
  return TERMINAL.has(job.status) ? job.rowsWritten : Math.max(job.rowsWritten, job.rowsReceived);
}

/** The words for a job's validation result on its row. */
export function validationWords(v: JobValidation): string {
  if (v.errors + v.warnings + v.infos === 0) return 'no findings';
  const n = (k: number, one: string) => `${k.toLocaleString('en-US')} ${k === 1 ? one : `${one}s`}`;
  return [n(v.errors, 'error'), n(v.warnings, 'warning'), ...(v.infos > 0 ? [`${v.infos.toLocaleString('en-US')} info`] : [])].join(', ');
}

/** Numbers of one run never go down between two updates; the live fields stay until the run ends. */
function forward(known: JobView, incoming: Job): JobView {
  return {
    ...incoming,
    status: known.status === 'running' && incoming.status === 'queued' ? 'running' : incoming.status,
    progress: Math.max(known.progress, incoming.progress),
    rowsWritten: Math.max(known.rowsWritten, incoming.rowsWritten),
    rowsReceived: Math.max(known.rowsReceived, incoming.rowsWritten),
    message: known.message,
    stats: known.stats,
  };
}

/**
 * `jobs.updated` events come in the order the engine emitted them, after every answer already received: the
 * incoming job is the truth. A finished job that comes back unfinished was resumed (a new run under the same id).
 */
function mergeEvent(known: JobView | undefined, incoming: Job): JobView {
  if (!known || TERMINAL.has(incoming.status) || TERMINAL.has(known.status)) return fresh(incoming);
  return forward(known, incoming);
}

/**
 * A `jobs.list` snapshot may have been taken before an event that reached us first (the server answers after an
 * await). So a finished job is rewound only by a later run of it (resumed: it started after the old run ended),
 * and numbers never go down.
 */
export function mergeSnapshot(known: JobView | undefined, incoming: Job): JobView {
  if (!known) return fresh(incoming);
  if (TERMINAL.has(known.status) && !TERMINAL.has(incoming.status)) return isLaterRun(known, incoming) ? fresh(incoming) : known;
  if (TERMINAL.has(incoming.status)) {
    // The same finished run, or an older one than a resumed run we already follow.
    if (!TERMINAL.has(known.status) ? isLaterRun(incoming, known) : (known.finishedAt ?? '') > (incoming.finishedAt ?? '')) return known;
    return fresh(incoming);
  }
  return forward(known, incoming);
}

/** `b` is a run of the job that started after `a` finished. */
function isLaterRun(a: Job, b: Job): boolean {
  return !!a.finishedAt && !!b.startedAt && b.startedAt >= a.finishedAt;
}

/** Newest first. */
export function sortJobs(byId: Record<string, JobView>): JobView[] {
  return Object.values(byId).sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id.localeCompare(a.id)));
}

/** Cancels a running job, or resumes one that ended before its units were all done; the engine's refusal, if any. */
export async function jobAction(client: Client, kind: 'cancel' | 'resume', jobId: string): Promise<ErrorValue | null> {
  const r = kind === 'cancel' ? await client.request('ingest.cancel', { jobId }) : await client.request('ingest.resume', { jobId });
  return r.ok ? null : r.error;
}

/** The validation runs jobs caused (the Ingest page shows each job's latest); refreshed with the jobs. */
export async function refreshJobValidations(client: Client): Promise<void> {
  const r = await client.request('validation.runs', { limit: 200 });
  if (!r.ok) return useJobs.getState().setLoadError(errorText(r.error));
  useJobs
    .getState()
    .validated(r.value.filter((run) => run.kind === 'validation').map((run) => ({ jobId: run.jobId, runId: run.id, errors: run.bySeverity.error, warnings: run.bySeverity.warning, infos: run.bySeverity.info })));
}

/** Opens a run on the Validation page (from a job's row). */
export function openValidationRun(client: Client, runId: string): void {
  useNav.getState().go('validation', { run: runId });
  void selectRun(client, runId);
}
