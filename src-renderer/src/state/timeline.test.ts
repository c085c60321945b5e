import { describe, expect, it } from 'vitest';
import { formatDuration, stageBars, summedText } from './timeline';

describe('stage timeline', () => {
  it('scales bars to the longest stage and leaves stages without a duration bare', () => {
    const bars = stageBars([
      { stage: 'fetch', status: 'done', durationMs: 200, detail: null },
      { stage: 'write', status: 'done', durationMs: 800, detail: '3,120 bars' },
      { stage: 'validate', status: 'running', durationMs: null, detail: null },
      { stage: 'aggregate', status: 'done', durationMs: 1, detail: null },
    ]);
    expect(bars.map((b) => b.share)).toEqual([25, 100, 0, 1]);
  });

  it('formats durations for people', () => {
    expect([formatDuration(null), formatDuration(12), formatDuration(1540), formatDuration(125_000)]).toEqual(['', '12 ms', '1.5 s', '2 min 5 s']);
  });

  it('labels time summed over workers as such, and only when it is not the wall time', () => {
    const fetch = { stage: 'fetch' as const, status: 'done' as const, durationMs: 67_000, detail: null };
    expect(summedText({ ...fetch, summedMs: 204_000, workers: 4 })).toBe('3 min 24 s summed over 4 workers');
    expect(summedText({ ...fetch, summedMs: 204_000, workers: null })).toBe('3 min 24 s summed over the workers');
    expect(summedText({ ...fetch, summedMs: 67_000, workers: 1 })).toBeNull();
    expect(summedText({ ...fetch, summedMs: 70_000, workers: 1 })).toBeNull();
    expect(summedText(fetch)).toBeNull();
  });
});
