import { cancelledError } from './cancel';

// Tokens are fractional and time is sub-millisecond, so a token refilled "exactly" on time can read 0.9999999.
const EPSILON = 1e-9;

interface Waiter {
  resolve: () => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/**
 * The provider's rate limiter: a continuous token bucket, ratePerMinute tokens a minute, holding at most `capacity`.
 * In any window of T ms it hands out at most capacity + T * rate tokens, which is exactly the provider's budget, and
 * while requests queue it hands them out as fast as that allows, so a long backfill runs at ~100% of the limit.
 * Waiters are served strictly first come, first served: a newcomer never overtakes the queue, even if a token is free.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly perMs: number;
  private readonly queue: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    ratePerMinute: number,
    readonly capacity: number,
    // performance.now: monotonic, so a wall-clock jump can neither starve nor flood the bucket
    private readonly now: () => number = () => performance.now(),
  ) {
    this.perMs = ratePerMinute / 60_000;
    this.tokens = capacity;
    this.last = now();
  }

  /**
   * Resolves once a token is ours. When it has to wait, reports the expected wait (ms, > 0) through onWait before
   * waiting. Rejects with E_CANCELLED as soon as the signal fires, giving up its place in the queue.
   */
  take(signal: AbortSignal, onWait?: (waitMs: number) => void): Promise<void> {
    if (signal.aborted) return Promise.reject(cancelledError());
    this.refill();
    if (this.queue.length === 0 && this.tokens >= 1 - EPSILON) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    const waitMs = Math.max(1, Math.ceil((this.queue.length + 1 - this.tokens) / this.perMs));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        signal,
        onAbort: () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(cancelledError());
          // an emptied queue must not leave a timer keeping the process alive
          this.drain();
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      // after queueing, so a hook that aborts synchronously finds the waiter to remove
      onWait?.(waitMs);
      this.drain();
    });
  }

  /** Requests currently waiting (for tests and diagnostics). */
  get waiting(): number {
    return this.queue.length;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + (t - this.last) * this.perMs);
    this.last = t;
  }

  private drain(): void {
    this.refill();
    while (this.queue.length > 0 && this.tokens >= 1 - EPSILON) {
      const w = this.queue.shift();
      if (!w) break;
      this.tokens -= 1;
      w.signal.removeEventListener('abort', w.onAbort);
      w.resolve();
    }
    if (this.queue.length === 0) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.timer === undefined) {
      // Ref'd on purpose: a request waiting for a token is work in progress, and the process must not exit under it.
      // Timers may fire a little early against performance.now (libuv's cached loop time): drain re-arms if so.
      const delay = Math.max(1, Math.ceil((1 - this.tokens) / this.perMs));
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, delay);
    }
  }
}
