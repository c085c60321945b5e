import type { IChartApiBase, IPrimitivePaneRenderer, IPrimitivePaneView, ISeriesPrimitive, SeriesAttachedParameter, Time } from 'lightweight-charts';

// What the chart's background primitives (session shading, volume) share: one pane view drawn below the series, the
// chart it is attached to, and a redraw request once attached.

class BottomView implements IPrimitivePaneView {
  constructor(readonly r: IPrimitivePaneRenderer) {}
  zOrder(): 'bottom' {
    return 'bottom';
  }
  renderer(): IPrimitivePaneRenderer {
    return this.r;
  }
}

/** A series primitive with one renderer drawn below the series; subclasses set what it draws in updateAllViews. */
export abstract class BottomPrimitive<R extends IPrimitivePaneRenderer> implements ISeriesPrimitive<Time> {
  protected chart: IChartApiBase<Time> | null = null;
  private requestUpdate: (() => void) | null = null;
  private readonly views: readonly IPrimitivePaneView[];

  constructor(protected readonly renderer: R) {
    this.views = [new BottomView(renderer)];
  }

  attached(p: SeriesAttachedParameter<Time>): void {
    this.chart = p.chart;
    this.requestUpdate = p.requestUpdate;
  }

  detached(): void {
    this.chart = null;
    this.requestUpdate = null;
  }

  /** asks the chart to redraw (nothing before the primitive is attached) */
  protected redraw(): void {
    this.requestUpdate?.();
  }

  abstract updateAllViews(): void;

  paneViews(): readonly IPrimitivePaneView[] {
    return this.views;
  }
}
