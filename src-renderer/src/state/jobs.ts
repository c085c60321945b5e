import { create } from 'zustand';
import type { EventPayload } from '../../../src-main/contract/contract';
import type { Job, JobStatus } from '../../../src-main/contract/schemas';

export const TERMINAL: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

export interface JobView extends Job {
  /** The last progress message of a running job, if any. */
  message: string | null;
}

interface JobsState {
  byId: Record<string, JobView>;
  loaded: boolean;
  loadError: string | null;
  /** A snapshot from `jobs.list`. It is newer than any event already received (same ordered channel). */
  replaceFromList(jobs: Job[]): void;
  setLoadError(message: string | null): void;
  /** `job.updated`: the full job as it stands. */
  upsert(job: Job): void;
  /** `job.progress`: fine-grained numbers between two `job.updated`. */
  progress(p: EventPayload<'job.progress'>): void;
}

export const useJobs = create<JobsState>()((set) => ({
  byId: {},
  loaded: false,
  loadError: null,
  replaceFromList: (jobs) =>
    set((s) => {
      const byId = { ...s.byId };
      for (const job of jobs) byId[job.id] = merge(byId[job.id], job);
      return { byId, loaded: true, loadError: null };
    }),
  setLoadError: (message) => set({ loadError: message }),
  upsert: (job) => set((s) => ({ byId: { ...s.byId, [job.id]: merge(s.byId[job.id], job) } })),
  progress: (p) =>
    set((s) => {
      const job = s.byId[p.jobId];
      // Unknown job: its job.updated will follow. Finished job: a late, throttled progress must not rewind it.
      if (!job || TERMINAL.has(job.status)) return s;
      return {
        byId: {
          ...s.byId,
          [p.jobId]: {
            ...job,
            status: job.status === 'queued' ? 'running' : job.status,
            progress: Math.max(job.progress, p.progress),
            rowsWritten: Math.max(job.rowsWritten, p.rowsWritten),
            message: p.message || job.message,
          },
        },
      };
    }),
}));

/**
 * Jobs only move forward, but a `jobs.list` snapshot may have been taken before an event that reached us first
 * (the server answers after an await). So a finished job is never rewound, and numbers never go down.
 */
export function merge(known: JobView | undefined, incoming: Job): JobView {
  if (!known) return { ...incoming, message: null };
  if (TERMINAL.has(known.status) && !TERMINAL.has(incoming.status)) return known;
  if (TERMINAL.has(incoming.status)) return { ...incoming, message: null };
  return {
    ...incoming,
    status: known.status === 'running' && incoming.status === 'queued' ? 'running' : incoming.status,
    progress: Math.max(known.progress, incoming.progress),
    rowsWritten: Math.max(known.rowsWritten, incoming.rowsWritten),
    message: known.message,
  };
}

/** Newest first. */
export function sortJobs(byId: Record<string, JobView>): JobView[] {
  return Object.values(byId).sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id.localeCompare(a.id)));
}
