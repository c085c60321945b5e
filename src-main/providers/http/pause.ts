import { sleep } from './cancel';

/**
 * A provider-wide pause: once the provider said its budget is spent (a 429, or X-RateLimit-Remaining: 0), no request
 * of this client leaves before the time it named, whichever worker sent the request that drew the answer. Rate limits
 * like Alpaca's are per account, so one request's 429 is every request's. Requests already in flight are not
 * cancelled. Wall-clock time (Date.now), because the reset the provider names is a wall-clock instant.
 */
export class ProviderPause {
  private until = 0;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Extends the pause to at least `ms` from now (never shortens one already longer). */
  extend(ms: number): void {
    if (!(ms > 0)) return;
    this.until = Math.max(this.until, this.now() + Math.ceil(ms));
  }

  /** ms left of the pause (0 when none). */
  remaining(): number {
    return Math.max(0, this.until - this.now());
  }

  /**
   * Resolves once no pause is in force (at once when none is), reporting each wait through onWait first. A pause
   * extended while waiting is waited for too. Rejects with E_CANCELLED as soon as the signal fires.
   */
  async wait(signal: AbortSignal, onWait?: (waitMs: number) => void): Promise<void> {
    for (let ms = this.remaining(); ms > 0; ms = this.remaining()) {
      onWait?.(ms);
      await sleep(ms, signal);
    }
  }
}
