import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MpError } from '../../shared/errors';
import { TokenBucket } from './token-bucket';

// Fake timers make the bucket's arithmetic exact and let a 5-minute backfill run in milliseconds.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const live = (): AbortSignal => new AbortController().signal;

describe('TokenBucket', () => {
  it('lets a burst through at once, then paces at the rate and reports each wait', async () => {
    const bucket = new TokenBucket(60, 3); // one a second
    const waits: number[] = [];
    const granted: number[] = [];
    const t0 = performance.now();
    const all = Array.from({ length: 5 }, () =>
      bucket.take(live(), (w) => waits.push(w)).then(() => granted.push(performance.now() - t0)),
    );
    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all(all);
    expect(granted).toEqual([0, 0, 0, 1000, 2000]);
    expect(waits).toEqual([1000, 2000]);
  });

  it('serves waiters first come, first served', async () => {
    const bucket = new TokenBucket(600, 1);
    const order: number[] = [];
    await bucket.take(live());
    const all = [0, 1, 2, 3].map((i) => bucket.take(live()).then(() => order.push(i)));
    await vi.advanceTimersByTimeAsync(400);
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('a cancelled waiter leaves the queue at once, and the next one keeps its turn', async () => {
    const bucket = new TokenBucket(60, 1);
    await bucket.take(live());
    const ac = new AbortController();
    const cancelled = bucket.take(ac.signal);
    const next = bucket.take(live());
    ac.abort();
    await expect(cancelled).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(bucket.waiting).toBe(1);
    // the cancelled waiter spent nothing: the next one gets the token due at 1 s, not at 2 s
    await vi.advanceTimersByTimeAsync(1000);
    await expect(next).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects an already aborted signal without queueing', async () => {
    const bucket = new TokenBucket(60, 1);
    const ac = new AbortController();
    ac.abort();
    await expect(bucket.take(ac.signal)).rejects.toBeInstanceOf(MpError);
    expect(bucket.waiting).toBe(0);
  });

  it('a cancel from inside the wait hook finds the waiter and removes it', async () => {
    const bucket = new TokenBucket(60, 1);
    await bucket.take(live());
    const ac = new AbortController();
    await expect(bucket.take(ac.signal, () => ac.abort())).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(bucket.waiting).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a long backfill uses the whole budget and never exceeds burst + rate in any 60 s window', async () => {
    const rate = 200;
    const burst = 3;
    const n = 1000;
    const bucket = new TokenBucket(rate, burst);
    const at: number[] = [];
    const t0 = performance.now();
    const all = Array.from({ length: n }, () => bucket.take(live()).then(() => at.push(performance.now() - t0)));
    await vi.advanceTimersByTimeAsync(6 * 60_000);
    await Promise.all(all);
    expect(at).toHaveLength(n);
    // two pointers over the sorted grant times: the most grants in any window of 60 s
    let most = 0;
    for (let lo = 0, hi = 0; hi < at.length; hi++) {
      while ((at[hi] ?? 0) - (at[lo] ?? 0) >= 60_000) lo++;
      most = Math.max(most, hi - lo + 1);
    }
    expect(most).toBeLessThanOrEqual(burst + rate);
    // ~100% of the allowed rate: the n - burst paced grants take (n - burst) / rate minutes, plus timer rounding
    const ideal = ((n - burst) / rate) * 60_000;
    expect(at[n - 1]).toBeGreaterThanOrEqual(ideal - 1);
    expect(at[n - 1]).toBeLessThanOrEqual(ideal + 1000);
  });
});
