import { useEffect, useRef, useState } from 'react';

// The live charts are redrawn as the engine's samples come (about once a second). Six charts of up to 300 samples
// cost tens of ms on a quiet machine, but seconds on a loaded one, where redrawing each second kept the page's main
// thread 100% busy (clicks waited 8 s, a screenshot 110 s, at load 20 on 2 cores). So they are redrawn at a pace their
// measured cost allows: at most `share` of the time drawing, never more often than minMs, at least every maxMs.

export interface PaceOptions {
  minMs: number;
  maxMs: number;
  /** the share of the time that drawing may take (0-1) */
  share: number;
}

export const LIVE_PACE: PaceOptions = { minMs: 1000, maxMs: 10_000, share: 0.25 };

/** When the next value may be drawn, from the last draw and what it cost. */
export class Pacer {
  private lastAt = Number.NEGATIVE_INFINITY;
  private costMs = 0;

  constructor(private readonly o: PaceOptions) {}

  /** The time between two draws now. */
  interval(): number {
    return Math.min(this.o.maxMs, Math.max(this.o.minMs, this.costMs / this.o.share));
  }

  /** How long to wait, from `now`, before drawing a new value. */
  delay(now: number): number {
    return Math.max(0, this.lastAt + this.interval() - now);
  }

  /** A draw started at `at`. */
  drew(at: number): void {
    this.lastAt = at;
  }

  /** The last draw took `ms`, from its start to the frame that showed it. */
  cost(ms: number): void {
    this.costMs = Math.max(0, ms);
  }
}

/** `value`, handed on at the pace its drawing allows (see above): the latest one each time, none lost but skipped ones. */
export function usePaced<T>(value: T, opts: PaceOptions = LIVE_PACE): T {
  const pacer = useRef<Pacer | null>(null);
  pacer.current ??= new Pacer(opts);
  const [shown, setShown] = useState(value);
  const drawing = useRef<number | null>(null);

  useEffect(() => {
    if (Object.is(value, shown)) return;
    const p = pacer.current!;
    const timer = setTimeout(() => {
      const at = performance.now();
      p.drew(at);
      drawing.current = at;
      setShown(value);
    }, p.delay(performance.now()));
    return () => clearTimeout(timer);
  }, [value, shown]);

  useEffect(() => {
    const since = drawing.current;
    if (since === null) return;
    drawing.current = null;
    // committed; the next frame paints it (style, layout, paint), and the task after that frame ends the draw
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => pacer.current!.cost(performance.now() - since), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [shown]);

  return shown;
}
