import { create } from 'zustand';
import type { JobTimeline, StageTiming } from '../../../src-main/contract/pipeline';

/** Each open job's stage timeline (fetch, write, validate, aggregate), from `jobs.timeline`, refreshed by pipeline events. */
interface TimelineState {
  byJob: Record<string, JobTimeline>;
  errors: Record<string, string>;
  loaded(t: JobTimeline): void;
  failed(jobId: string, message: string): void;
}

export const useTimelines = create<TimelineState>()((set) => ({
  byJob: {},
  errors: {},
  loaded: (t) =>
    set((s) => {
      const errors = { ...s.errors };
      delete errors[t.jobId];
      return { byJob: { ...s.byJob, [t.jobId]: t }, errors };
    }),
  failed: (jobId, message) => set((s) => ({ errors: { ...s.errors, [jobId]: message } })),
}));

interface StageBar extends StageTiming {
  /** width of its bar, 0-100, relative to the longest stage */
  share: number;
}

/** Bars for the timeline: each stage's duration against the longest one (a stage without a duration gets none). */
export function stageBars(stages: readonly StageTiming[]): StageBar[] {
  const longest = Math.max(1, ...stages.map((s) => s.durationMs ?? 0));
  return stages.map((s) => ({ ...s, share: s.durationMs === null ? 0 : Math.max(1, Math.round((s.durationMs / longest) * 100)) }));
}

/** Fetch and write: the time summed over the workers, labelled as such (only when it differs from the wall time). */
export function summedText(s: StageTiming): string | null {
  if (s.summedMs === null || s.summedMs === undefined || s.workers === 1 || s.summedMs === s.durationMs) return null;
  const n = s.workers ?? null;
  return `${formatDuration(s.summedMs)} ${n === null ? 'summed over the workers' : `summed over ${n} ${n === 1 ? 'worker' : 'workers'}`}`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}
