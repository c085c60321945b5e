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

export function formatDuration(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}
