import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TrailingThrottle } from './trailing';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TrailingThrottle', () => {
  it('sends at most once a window, and the last report of a window when it ends', async () => {
    const sent: string[] = [];
    const t = new TrailingThrottle(100, () => Date.now());
    t.call(() => sent.push('a'));
    t.call(() => sent.push('b'));
    t.call(() => sent.push('c'));
    expect(sent).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(99);
    expect(sent).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    // the job then pauses: its newest state is still sent
    expect(sent).toEqual(['a', 'c']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual(['a', 'c']);
  });

  it('a forced report goes at once and replaces a waiting one; cancel drops it', async () => {
    const sent: string[] = [];
    const t = new TrailingThrottle(100, () => Date.now());
    t.call(() => sent.push('a'));
    t.call(() => sent.push('b'));
    t.call(() => sent.push('forced'), true);
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toEqual(['a', 'forced']);
    await vi.advanceTimersByTimeAsync(150);
    t.call(() => sent.push('d'));
    t.call(() => sent.push('e'));
    t.cancel();
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toEqual(['a', 'forced', 'd']);
  });
});
