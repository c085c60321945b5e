import type { IPrimitivePaneRenderer, Logical } from 'lightweight-charts';
import { BottomPrimitive } from './bottomPrimitive';
import type { ChartSession } from '../../../src-main/contract/chart';

// Session shading (pre-market, after hours, after an early close) as a series primitive drawn behind the candles: one
// rectangle per run of consecutive bars outside the regular session, computed once when the bars or the sessions
// change. It was a histogram series with a full-height point per bar: its setData of every bar held came with each
// window of bars while panning, and a frame drew a column per visible bar (a year of 1h bars: 1,155 of them).

/**
 * Runs of consecutive bars outside the regular session, as bar indices: [first0, last0, first1, last1, ...]. Bars
 * before the first session's pre-market or after the last one's after-hours are not shaded: the sessions of bars that
 * just arrived are still being fetched.
 */
export function extendedRuns(t: readonly number[], sessions: readonly ChartSession[]): { runs: number[]; bars: number } {
  const runs: number[] = [];
  let bars = 0;
  if (sessions.length === 0) return { runs, bars };
  const first = sessions[0]!.preOpen;
  const end = sessions[sessions.length - 1]!.postClose;
  let s = 0;
  let start = -1;
  for (let i = 0; i < t.length; i++) {
    const x = t[i]!;
    while (s < sessions.length - 1 && sessions[s]!.postClose <= x) s++;
    const ses = sessions[s]!;
    const regular = x < first || x >= end || (x >= ses.open && x < ses.close);
    if (!regular) {
      bars++;
      if (start < 0) start = i;
    } else if (start >= 0) {
      runs.push(start, i - 1);
      start = -1;
    }
  }
  if (start >= 0) runs.push(start, t.length - 1);
  return { runs, bars };
}

type Target = Parameters<IPrimitivePaneRenderer['draw']>[0];

class ShadingRenderer implements IPrimitivePaneRenderer {
  /** x ranges in media pixels: [left0, right0, left1, right1, ...] */
  xs: number[] = [];
  color = 'transparent';
  draw(): void {}
  drawBackground(target: Target): void {
    const xs = this.xs;
    if (xs.length === 0) return;
    target.useBitmapCoordinateSpace(({ context, horizontalPixelRatio: hr, bitmapSize }) => {
      context.fillStyle = this.color;
      for (let k = 0; k < xs.length; k += 2) {
        const left = Math.round(xs[k]! * hr);
        const right = Math.round(xs[k + 1]! * hr);
        if (right > left) context.fillRect(left, 0, right - left, bitmapSize.height);
      }
    });
  }
}

/** Attach to the candles series; setRuns when the bars or sessions change, setColor with the theme. */
export class SessionShading extends BottomPrimitive<ShadingRenderer> {
  private runs: number[] = [];

  constructor() {
    super(new ShadingRenderer());
  }

  setRuns(runs: number[]): void {
    this.runs = runs;
    this.redraw();
  }

  setColor(color: string): void {
    this.renderer.color = color;
    this.redraw();
  }

  /** The visible runs' pixel ranges: half a bar's spacing either side of the first and last bar's centre. */
  updateAllViews(): void {
    const xs: number[] = [];
    const ts = this.chart?.timeScale();
    const vr = ts?.getVisibleLogicalRange();
    if (ts && vr) {
      for (let k = 0; k < this.runs.length; k += 2) {
        const a = this.runs[k]!;
        const b = this.runs[k + 1]!;
        if (b < vr.from - 1 || a > vr.to + 1) continue;
        const left = ts.logicalToCoordinate((a - 0.5) as Logical);
        const right = ts.logicalToCoordinate((b + 0.5) as Logical);
        if (left !== null && right !== null) xs.push(left, right);
      }
    }
    this.renderer.xs = xs;
  }
}
