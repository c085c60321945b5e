import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../contract/pipeline';
import { stagesOf } from './timeline';

const ev = (type: TimelineEvent['type'], payload: Record<string, unknown>): TimelineEvent => ({ id: type, type, occurredAt: '2024-01-02T00:00:00Z', causationId: null, payload });
const ingested = ev('ingest.completed', { status: 'succeeded', fetchMs: 204_000, writeMs: 3000, fetchWallMs: 61_000, writeWallMs: 2500, workers: 4, rowsWritten: 10, durationMs: 67_000 });
const statuses = (events: TimelineEvent[], now: Parameters<typeof stagesOf>[1]) => stagesOf(events, now).map((s) => `${s.stage}:${s.status}`);

describe('stagesOf', () => {
  it('runs the stages in order: only the current one runs, those after it are pending', () => {
    expect(statuses([], 'fetch')).toEqual(['fetch:running', 'write:running', 'validate:pending', 'aggregate:pending']);
    expect(statuses([ingested], 'validate')).toEqual(['fetch:done', 'write:done', 'validate:running', 'aggregate:pending']);
    expect(statuses([ingested, ev('validation.completed', { durationMs: 5, findings: 0, errors: 0, warnings: 0 })], 'aggregate')).toEqual([
      'fetch:done',
      'write:done',
      'validate:done',
      'aggregate:running',
    ]);
    // a job that is not running (killed, or ended without these events) runs nothing
    expect(statuses([ingested], null)).toEqual(['fetch:done', 'write:done', 'validate:pending', 'aggregate:pending']);
  });

  it('gives fetch and write in wall time, with the time summed over the workers beside it', () => {
    const [fetch, write] = stagesOf([ingested], null);
    expect(fetch).toMatchObject({ durationMs: 61_000, summedMs: 204_000, workers: 4 });
    expect(write).toMatchObject({ durationMs: 2500, summedMs: 3000, workers: 4 });
    // an event of an older build has only the sums: no wall time is made up from them
    const [old] = stagesOf([ev('ingest.completed', { status: 'succeeded', fetchMs: 204_000, writeMs: 3000, rowsWritten: 1, durationMs: 67_000 })], null);
    expect(old).toMatchObject({ durationMs: null, summedMs: 204_000, workers: null });
  });
});
