/**
 * Runs a job's progress reports at most once per `everyMs`, and never loses the last one: a report that falls inside
 * the window is sent when the window ends. Without that, a job that paused right after a throttled report (a held
 * fetch, a long rate-limit wait, a slow page) showed a stale state until its next page: a unit already fetched or
 * written looked untouched, and tests waiting on that state waited forever.
 */
export class TrailingThrottle {
  private last = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private latest: (() => void) | undefined;

  constructor(
    private readonly everyMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs `send` now if the window allows (or `force`), else once the window ends (the latest `send` given by then). */
  call(send: () => void, force = false): void {
    const now = this.now();
    if (force || now - this.last >= this.everyMs) {
      this.cancel();
      this.last = now;
      send();
      return;
    }
    this.latest = send;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const latest = this.latest;
      this.latest = undefined;
      if (latest) this.call(latest, true);
    }, this.everyMs - (now - this.last));
    this.timer.unref();
  }

  /** Drops a report still waiting for its window (the job has ended: its last word is sent by other means). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.latest = undefined;
  }
}
