import type { IPrimitivePaneRenderer, Logical } from 'lightweight-charts';
import { BottomPrimitive } from './bottomPrimitive';

// Volume as a series primitive on the candles, drawn behind them in the bottom fifth of the pane, scaled to the
// highest volume in view (as the histogram series it replaces was, on its own overlay scale). Why not a series: every
// series with data makes each setData of the chart rebuild the time scale from all of them; with the candles the only
// series holding bars, a window of bars that arrives while panning is one setData on lightweight-charts' fast path.

/** Share of the pane's height the tallest bar in view takes (the histogram's scale margins: top 0.8, bottom 0). */
const HEIGHT = 0.2;

type Target = Parameters<IPrimitivePaneRenderer['draw']>[0];

/** The visible bars' columns: x centres (media px), heights as a share of the pane, and whether each rose. */
interface Columns {
  x: number[];
  h: number[];
  up: boolean[];
  /** bar spacing, media px */
  spacing: number;
}

/** The index range [first, last] of `n` bars that a visible logical range touches (empty when last < first). */
export function visibleIndices(n: number, from: number, to: number): { first: number; last: number } {
  return { first: Math.max(0, Math.floor(from)), last: Math.min(n - 1, Math.ceil(to)) };
}

/** Column heights as a share of the pane: volume over the highest volume of bars first..last. */
export function columnHeights(v: readonly number[], first: number, last: number): number[] {
  let max = 0;
  for (let i = first; i <= last; i++) if (v[i]! > max) max = v[i]!;
  const out: number[] = [];
  for (let i = first; i <= last; i++) out.push(max > 0 ? (v[i]! / max) * HEIGHT : 0);
  return out;
}

class VolumeRenderer implements IPrimitivePaneRenderer {
  cols: Columns = { x: [], h: [], up: [], spacing: 0 };
  upColor = 'transparent';
  downColor = 'transparent';
  draw(): void {}
  drawBackground(target: Target): void {
    const { x, h, up, spacing } = this.cols;
    if (x.length === 0) return;
    target.useBitmapCoordinateSpace(({ context, horizontalPixelRatio: hr, bitmapSize }) => {
      const span = spacing * hr;
      // a pixel between columns once they are wide enough to show one
      const width = Math.max(1, Math.floor(span) - (span > 3 ? 1 : 0));
      const bottom = bitmapSize.height;
      // one colour at a time: fewer state changes for the canvas
      for (const rising of [true, false]) {
        context.fillStyle = rising ? this.upColor : this.downColor;
        for (let k = 0; k < x.length; k++) {
          if (up[k] !== rising || !(h[k]! > 0)) continue;
          const height = Math.max(1, Math.round(h[k]! * bottom));
          context.fillRect(Math.round(x[k]! * hr - width / 2), bottom - height, width, height);
        }
      }
    });
  }
}

/** Attach to the candles series (after the session shading: drawn over it); setBars when the bars held change. */
export class VolumeBars extends BottomPrimitive<VolumeRenderer> {
  private v: readonly number[] = [];
  private rose: boolean[] = [];

  constructor() {
    super(new VolumeRenderer());
  }

  /** The bars held (the candles' data, index for index). */
  setBars(o: readonly number[], c: readonly number[], v: readonly number[]): void {
    this.v = v;
    this.rose = c.map((x, i) => x >= o[i]!);
    this.redraw();
  }

  setColors(up: string, down: string): void {
    this.renderer.upColor = up;
    this.renderer.downColor = down;
    this.redraw();
  }

  updateAllViews(): void {
    const cols: Columns = { x: [], h: [], up: [], spacing: 0 };
    const ts = this.chart?.timeScale();
    const range = ts?.getVisibleLogicalRange();
    if (ts && range && this.v.length) {
      const { first, last } = visibleIndices(this.v.length, range.from, range.to);
      const heights = columnHeights(this.v, first, last);
      for (let i = first; i <= last; i++) {
        const x = ts.logicalToCoordinate(i as Logical);
        if (x === null) continue;
        cols.x.push(x);
        cols.h.push(heights[i - first]!);
        cols.up.push(this.rose[i]!);
      }
      const a = ts.logicalToCoordinate(first as Logical);
      const b = ts.logicalToCoordinate((first + 1) as Logical);
      cols.spacing = a !== null && b !== null ? b - a : 1;
    }
    this.renderer.cols = cols;
  }
}
