// Clocks of the ingest runner's progress: wall time of overlapping work, and a smoothed rate.

/** Wall time during which at least one of possibly overlapping intervals was open. */
export class WallClock {
  private open = 0;
  private since = 0;
  private total = 0;
  constructor(private readonly now: () => number = () => performance.now()) {}
  start(): () => void {
    if (this.open++ === 0) this.since = this.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.open === 0) this.total += this.now() - this.since;
    };
  }
  /** milliseconds so far (an interval still open counts up to now) */
  ms(): number {
    return Math.round(this.total + (this.open > 0 ? this.now() - this.since : 0));
  }
}

/** Bars per second smoothed over a few seconds, so a burst of pages or a slow one does not make the number jump. */
export class RateMeter {
  private rate = 0;
  private last: { t: number; n: number } | null = null;
  constructor(private readonly tauMs = 3000) {}
  /** the count so far at time t (ms); returns the smoothed rate */
  sample(t: number, n: number): number {
    if (!this.last) {
      this.last = { t, n };
      return 0;
    }
    const dt = t - this.last.t;
    if (dt <= 0) return this.rate;
    const inst = ((n - this.last.n) / dt) * 1000;
    this.rate = this.rate === 0 ? inst : this.rate + (1 - Math.exp(-dt / this.tauMs)) * (inst - this.rate);
    this.last = { t, n };
    return this.rate;
  }
}
