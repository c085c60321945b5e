import { CandlestickSeries, ColorType, CrosshairMode, PriceScaleMode, createChart, type IChartApi, type ISeriesApi, type Logical, type LogicalRange, type MouseEventParams, type Time, type UTCTimestamp } from 'lightweight-charts';
import type { Timeframe } from '../../../src-main/contract/schemas';
import type { Client } from '../client';
import { MAX_CHART_BARS } from '../../../src-main/contract/chart';
import { fetchBars } from '../state/chart';
import { FindingsLayer } from './findingsLayer';
import { sameHover } from './hover';
import { markerBucket } from './markers';
import { OverlaySeries } from './overlaySeries';
import { VolumeBars } from './volumeBars';
import { DEFAULT_OVERLAYS, type ChartOverlays } from './overlays';
import { palette, type Palette } from './palette';
import { asTime } from './layer';
import { formatCrosshair, formatTick, fromChartTime, type TickKind } from './time';
import type { BarAnchor, ChartTargetResolved, ChartViewState, LegendBar } from './types';
import { applyWindow, barIndexFor, clampLogical, FIT_MIN_SPACING, fetchWindow, fitLogical, fitWindow, initialView, logicalFor, need, panLogical, visibleTimeRange, type Loaded, type Range } from './window';

// The imperative side of the chart explorer: owns the lightweight-charts instance, asks the engine for windows of bars
// as the view moves (decisions in window.ts), and draws candles and volume; session shading and finding markers are
// drawn by its FindingsLayer (findingsLayer.ts), the SMA, VWAP and compared symbol by its OverlaySeries (overlaySeries.ts).
// React renders the controls around it and reads its state through onState.

/** bars per request: a window is three views, so about MAX_BARS / 3 bars are visible before a coarser timeframe */
const MAX_BARS = 5_000;
/** bars held at most, after merging windows while panning */
const KEEP_BARS = 3 * MAX_BARS;

export class ChartController {
  private readonly chart: IChartApi;
  private readonly candles: ISeriesApi<'Candlestick'>;
  /** drawn by a primitive on the candles: the candles stay the only series with bars (see volumeBars.ts) */
  private readonly volume = new VolumeBars();
  /** session shading and finding markers */
  private readonly marks: FindingsLayer;
  /** SMA, VWAP and the compared symbol */
  private readonly lines: OverlaySeries;
  private overlays: ChartOverlays = DEFAULT_OVERLAYS;
  private colors: Palette;
  private target: ChartTargetResolved | null = null;
  private loaded: Loaded | null = null;
  private view: Range | null = null;
  private visibleBars = 0;
  private logical: { from: number; to: number } | undefined;
  private finerRefusedAt: number | null = null;
  private coarserRefusedAt: number | null = null;
  private inFlight = false;
  private recheck = false;
  /** bumped by show(): answers for an older target are dropped */
  private generation = 0;
  private frame = 0;
  /** a reading of the hovered bar after the chart's next paint (see followHover) */
  private followFrame = 0;
  private state: ChartViewState = { barsLoaded: 0, timeframeShown: null, loading: false, markers: 0, findings: 0, infoHidden: 0, findingsTruncated: false, truncated: false, error: null, hover: null, last: null, compare: null };
  private readonly media: MediaQueryList;
  private readonly resizer: ResizeObserver;
  private readonly onScheme = () => this.applyTheme();

  constructor(
    private readonly el: HTMLElement,
    private readonly client: Client,
    private readonly onState: (s: ChartViewState) => void,
  ) {
    this.colors = palette(el);
    // Sized by our own observer rather than autoSize: a resize must keep the instants in view, not the bar spacing.
    this.chart = createChart(el, {
      width: Math.max(el.clientWidth, 1),
      height: Math.max(el.clientHeight, 1),
      crosshair: { mode: CrosshairMode.Normal },
      timeScale: { timeVisible: true, secondsVisible: false, rightOffset: 4, tickMarkFormatter: (t: Time, kind: TickKind) => this.tick(t as number, kind) },
      localization: { priceFormatter: (p: number) => p.toFixed(2), timeFormatter: (t: Time) => formatCrosshair(t as number, this.loaded?.timeframe ?? null) },
    });
    // no borders: they are the bodies' colours, and drawing them doubles the rectangles of every frame
    this.candles = this.chart.addSeries(CandlestickSeries, { borderVisible: false });
    this.candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.24 } });
    const host = {
      el,
      client,
      target: () => this.target,
      loaded: () => this.loaded,
      colors: () => this.colors,
      overlays: () => this.overlays,
      generation: () => this.generation,
      setState: (patch: Partial<ChartViewState>) => this.setState(patch),
      findingsArrived: () => {
        const h = this.state.hover;
        const i = h && this.loaded ? barIndexFor(this.loaded.t, h.t, this.loaded.timeframe) : -1;
        if (i >= 0) this.setState({ hover: this.legendBar(i, true) });
      },
    };
    // the shading (attached by the findings layer) first, the volume over it, both behind the candles
    this.marks = new FindingsLayer(this.candles, host);
    this.candles.attachPrimitive(this.volume);
    this.lines = new OverlaySeries(this.chart, host);
    this.applyTheme();
    this.chart.timeScale().subscribeVisibleLogicalRangeChange(this.onRange);
    this.chart.subscribeCrosshairMove(this.onCrosshair);
    this.media = window.matchMedia('(prefers-color-scheme: dark)');
    this.media.addEventListener('change', this.onScheme);
    this.resizer = new ResizeObserver(() => {
      const view = this.view;
      this.chart.resize(Math.max(el.clientWidth, 1), Math.max(el.clientHeight, 1));
      if (view) this.restoreView(view);
      this.followHover();
    });
    this.resizer.observe(el);
  }

  /** An axis label; the year tick's is kept on the element for tests (written when it changes, once bars are held). */
  private tick(sec: number, kind: TickKind): string {
    const tf = this.loaded?.timeframe ?? null;
    const label = formatTick(sec, kind, tf);
    if (kind === 0 && tf && this.el.dataset.axisYearTick !== label) this.el.dataset.axisYearTick = label;
    return label;
  }

  private applyTheme(): void {
    const c = (this.colors = palette(this.el));
    this.chart.applyOptions({
      layout: { background: { type: ColorType.Solid, color: 'rgba(0, 0, 0, 0)' }, textColor: c.muted, fontSize: 11 },
      grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
      rightPriceScale: { borderColor: c.border },
      timeScale: { borderColor: c.border },
    });
    this.candles.applyOptions({ upColor: c.up, downColor: c.down, borderUpColor: c.up, borderDownColor: c.down, wickUpColor: c.up, wickDownColor: c.down });
    this.volume.setColors(c.volumeUp, c.volumeDown);
    this.lines.applyTheme(c);
    this.marks.applyTheme();
    if (this.loaded) {
      this.draw();
      this.marks.draw();
    }
  }

  private setState(patch: Partial<ChartViewState>): void {
    this.state = { ...this.state, ...patch };
    this.onState(this.state);
  }

  /** Shows a symbol's source at a timeframe (from scratch). */
  show(target: ChartTargetResolved): void {
    this.generation++;
    this.target = target;
    this.loaded = null;
    this.marks.reset();
    this.finerRefusedAt = null;
    this.coarserRefusedAt = null;
    this.inFlight = false;
    this.recheck = false;
    this.visibleBars = 0;
    this.logical = undefined;
    this.el.dataset.barsLoaded = '0';
    this.el.dataset.markers = '0';
    this.el.dataset.extentFrom = new Date(target.extent.from).toISOString();
    this.el.dataset.extentTo = new Date(target.extent.to).toISOString();
    this.setState({ barsLoaded: 0, timeframeShown: null, markers: 0, findings: 0, truncated: false, error: null, hover: null, last: null });
    if (target.at !== undefined) {
      this.view = initialView(target.timeframe, target.extent, target.at);
      void this.fetch(fetchWindow(this.view, target.extent), 'initial', target.timeframe);
    } else {
      // fit the data: the whole extent in Auto, else the last bars of the timeframe picked
      // a picked timeframe: twice the bars the fit shows (panning left loads more as it goes)
      const w = fitWindow(target.timeframe, target.extent, target.auto, Math.max(600, Math.ceil((2 * this.el.clientWidth) / FIT_MIN_SPACING)));
      this.view = w;
      void this.fetch(w, 'fit', target.timeframe);
    }
  }

  /** Log scale, SMA, VWAP, info findings and the compared symbol. */
  setOverlays(o: ChartOverlays): void {
    const before = this.overlays;
    this.overlays = o;
    this.applyScaleMode();
    if (o.compare !== before.compare) {
      this.lines.resetCompare();
      this.setState({ compare: o.compare ? { symbol: o.compare, error: null } : null });
    }
    if (!this.loaded) return;
    if (o.sma !== before.sma || o.vwap !== before.vwap || !o.compare !== !before.compare) this.drawIndicators();
    if (o.info !== before.info) this.marks.draw();
    if (o.compare && o.compare !== before.compare) void this.lines.loadCompare(this.generation);
  }

  /** Shows all the data again (the Fit button): the same as opening it. */
  fit(): void {
    if (this.target) this.show({ ...this.target, at: undefined });
  }

  private applyScaleMode(): void {
    const mode = this.overlays.compare ? PriceScaleMode.Percentage : this.overlays.log ? PriceScaleMode.Logarithmic : PriceScaleMode.Normal;
    this.candles.priceScale().applyOptions({ mode });
    this.el.dataset.scale = mode === PriceScaleMode.Percentage ? 'percent' : mode === PriceScaleMode.Logarithmic ? 'log' : 'normal';
  }

  /** The centre of what is visible, for keeping the place when the timeframe changes. */
  center(): number | undefined {
    return this.view ? Math.round((this.view.from + this.view.to) / 2) : undefined;
  }

  private readonly onRange = (lr: LogicalRange | null): void => {
    if (!this.updateView(lr)) return;
    // at most one decision per frame while the user drags or zooms
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.marks.setBucket(markerBucket(this.el.clientWidth / Math.max(this.visibleBars, 1)));
      this.check();
      this.followHover();
    });
  };

  /** Reads what the chart shows into view, visibleBars and logical (and the data attributes tests read). */
  private updateView(lr: LogicalRange | { from: number; to: number } | null): boolean {
    if (!lr || !this.loaded || !this.target) return false;
    const view = visibleTimeRange(this.loaded.t, this.loaded.timeframe, lr.from, lr.to);
    if (!view) return false;
    this.view = view;
    this.visibleBars = lr.to - lr.from;
    this.logical = { from: lr.from, to: lr.to };
    this.el.dataset.visibleBars = String(Math.round(this.visibleBars));
    this.el.dataset.visibleFrom = new Date(view.from).toISOString();
    this.el.dataset.visibleTo = new Date(view.to).toISOString();
    const mid = visibleTimeRange(this.loaded.t, this.loaded.timeframe, (lr.from + lr.to) / 2, (lr.from + lr.to) / 2);
    if (mid) this.el.dataset.visibleCenter = new Date(mid.from).toISOString();
    return true;
  }

  private check(): void {
    if (!this.loaded || !this.target || !this.view) return;
    if (this.inFlight) {
      this.recheck = true;
      return;
    }
    const n = need({
      view: this.view,
      visibleBars: this.visibleBars,
      logical: this.logical,
      loaded: this.loaded,
      requested: this.target.timeframe,
      extent: this.target.extent,
      maxBars: this.maxBars(),
      finerRefusedAt: this.finerRefusedAt,
      coarserRefusedAt: this.coarserRefusedAt,
      auto: this.target.auto,
    });
    if (n.kind === 'window') void this.fetch(n.window, n.reason, n.timeframe);
  }

  /**
   * Bars per request, by the chart's width: coarser bars come when a view holds more than a third of them, about one
   * bar per pixel. That zoom must be reachable: lightweight-charts stops zooming out once the bars held fill the width.
   */
  private maxBars(): number {
    return Math.min(MAX_BARS, Math.max(600, Math.round(this.el.clientWidth * 3)));
  }

  /** Bars per request: Auto fits the width; a picked timeframe gets what three views of it hold (within the cap). */
  private requestBars(reason: 'initial' | 'fit' | 'edge' | 'finer' | 'coarser', auto: boolean): number {
    if (reason === 'fit') return auto ? Math.max(100, Math.floor(this.el.clientWidth / 1.5)) : MAX_CHART_BARS;
    if (auto) return this.maxBars();
    return Math.min(MAX_CHART_BARS, Math.max(this.maxBars(), Math.ceil(this.visibleBars * 4)));
  }

  private async fetch(window: Range, reason: 'initial' | 'fit' | 'edge' | 'finer' | 'coarser', timeframe: Timeframe): Promise<void> {
    const target = this.target;
    if (!target) return;
    const gen = this.generation;
    this.inFlight = true;
    const maxBars = this.requestBars(reason, target.auto);
    this.setState({ loading: true });
    const r = await fetchBars(this.client, {
      symbol: target.symbol,
      provider: target.provider,
      feed: target.feed,
      timeframe,
      from: window.from,
      to: window.to,
      maxBars,
    });
    if (gen !== this.generation) return;
    this.inFlight = false;
    if (!r.ok) {
      this.setState({ loading: false, error: r.error });
      return;
    }
    const b = r.value;
    const got: Loaded = { timeframe: b.timeframe, from: b.from, to: b.to, t: b.t, o: b.o, h: b.h, l: b.l, c: b.c, v: b.v };
    const before = this.loaded;
    const view = this.view ?? window;
    if (reason === 'finer' && b.timeframe === before?.timeframe) this.finerRefusedAt = this.visibleBars;
    if (reason === 'coarser' && b.timeframe === before?.timeframe) this.coarserRefusedAt = this.visibleBars;
    if (b.timeframe !== before?.timeframe) {
      this.finerRefusedAt = null;
      this.coarserRefusedAt = null;
    }
    // held: what a pan may come back to, bounded by the view (six views) so a window's setData stays small
    const keep = Math.min(KEEP_BARS, Math.max(this.maxBars(), Math.ceil(this.visibleBars * 6)));
    this.loaded = reason === 'fit' ? got : applyWindow(before, got, view, keep);
    this.draw();
    const pan = reason === 'edge' && before?.timeframe === b.timeframe && before.t.length ? { bars: this.visibleBars, held: { from: before.t[0]!, to: before.t[before.t.length - 1]! } } : undefined;
    const shownRange = reason === 'fit' ? this.fitView() : reason === 'initial' && target.at !== undefined ? this.centreOn(target.at, view) : this.restoreView(view, pan);
    // what is visible now, before any decision on more bars (the chart reports it only a frame later)
    if (shownRange) this.updateView(shownRange);
    const l = this.loaded;
    const n = l.t.length;
    this.setState({ loading: false, error: null, barsLoaded: n, timeframeShown: l.timeframe, truncated: b.truncated, last: n ? this.legendBar(n - 1) : null });
    this.el.dataset.barsLoaded = String(n);
    this.el.dataset.timeframeShown = l.timeframe;
    if (n) {
      this.el.dataset.firstBar = new Date(l.t[0]!).toISOString();
      this.el.dataset.lastBar = new Date(l.t[n - 1]!).toISOString();
    }
    void this.marks.load(gen);
    if (this.overlays.compare) void this.lines.loadCompare(gen);
    if (this.recheck) {
      this.recheck = false;
      this.check();
    }
  }

  /** The data fills the plot: all bars held when they fit the width, else the last ones (see fitLogical). */
  private fitView(): Range | null {
    const l = this.loaded;
    if (!l || l.t.length === 0) return null;
    const r = fitLogical(l.t.length, this.el.clientWidth);
    this.chart.timeScale().setVisibleLogicalRange(r);
    return r;
  }

  /**
   * After new bars, the same instants stay in view (bar indices shift when bars are added on the left); after a pan,
   * as many bars as before (`pan`: see panLogical). A window that arrives beside the view (quick drags moved on while
   * it loaded) brings the view to the bars: never a blank plot.
   */
  private restoreView(view: Range, pan?: { bars: number; held: Range }): Range | null {
    const l = this.loaded;
    if (!l || l.t.length === 0) return null;
    const { from, to } = pan ? panLogical(l.t, l.timeframe, view, pan.bars, pan.held) : { from: logicalFor(l.t, l.timeframe, view.from), to: logicalFor(l.t, l.timeframe, view.to) };
    if (!(to > from)) return this.fitView();
    const r = clampLogical(from, to, l.t.length);
    this.chart.timeScale().setVisibleLogicalRange(r);
    return r;
  }

  /** Opens with `at` in the middle of the chart (in bars: nights and weekends take no room on the time scale). */
  private centreOn(at: number, view: Range): Range | null {
    const l = this.loaded;
    if (!l || l.t.length === 0) return null;
    const half = (logicalFor(l.t, l.timeframe, view.to) - logicalFor(l.t, l.timeframe, view.from)) / 2;
    // an instant beyond the bars held (a session missing before the first bar) puts that edge of the bars in view
    const n = l.t.length;
    const mid = Math.min(Math.max(logicalFor(l.t, l.timeframe, at), half), Math.max(half, n - 1 - half));
    if (!(half > 0)) return null;
    const r = { from: mid - half, to: mid + half };
    this.chart.timeScale().setVisibleLogicalRange(r);
    return r;
  }

  /** SMA and VWAP over the bars held. */
  private drawIndicators(): void {
    const l = this.loaded;
    if (!l) return;
    this.lines.drawIndicators(l);
    const n = l.t.length;
    if (n) this.setState({ last: this.legendBar(n - 1) });
  }

  /** The legend's bar `i`; its findings (fetched if need be) only for the bar under the pointer. */
  private legendBar(i: number, hover = false): LegendBar {
    const l = this.loaded!;
    const g = hover ? this.marks.groupFindings(i) : { count: 0, findings: [] };
    const cmp = this.overlays.compare !== null;
    const at = this.lines.valuesAt(i);
    const anchor = g.count > 0 ? this.anchor(i) : null;
    return { t: l.t[i]!, o: l.o[i]!, h: l.h[i]!, l: l.l[i]!, c: l.c[i]!, v: l.v[i]!, sma: cmp ? null : at.sma, vwap: cmp ? null : at.vwap, findingsCount: g.count, findings: g.findings, anchor };
  }

  /** Where bar `i` and the marker of its findings are drawn, for their list to stand beside them. */
  private anchor(i: number): BarAnchor | null {
    const l = this.loaded!;
    const ts = this.chart.timeScale();
    const m = this.marks.markerIndex(i);
    const xi = ts.logicalToCoordinate(i as Logical);
    const xm = ts.logicalToCoordinate(m as Logical);
    const yi = this.candles.priceToCoordinate(l.h[i]!);
    const ym = this.candles.priceToCoordinate(l.h[m] ?? l.h[i]!);
    const low = this.candles.priceToCoordinate(l.l[i]!);
    if (xi === null || xm === null || yi === null || ym === null || low === null) return null;
    const pane = this.chart.paneSize();
    return { left: Math.min(xi, xm), right: Math.max(xi, xm), top: Math.min(yi, ym), bottom: low, plotWidth: pane.width, plotHeight: pane.height };
  }

  private draw(): void {
    const l = this.loaded;
    if (!l) return;
    const n = l.t.length;
    const candles = new Array<{ time: UTCTimestamp; open: number; high: number; low: number; close: number }>(n);
    for (let i = 0; i < n; i++) candles[i] = { time: asTime(l.t[i]!), open: l.o[i]!, high: l.h[i]!, low: l.l[i]!, close: l.c[i]! };
    // the compared symbol's points are at the previous bars' times: off the time scale until they are read again
    this.lines.clearCompare();
    this.candles.setData(candles);
    this.volume.setBars(l.o, l.c, l.v);
    this.drawIndicators();
    this.marks.barsChanged();
  }

  private readonly onCrosshair = (p: MouseEventParams<Time>): void => {
    const l = this.loaded;
    if (!l || p.time === undefined) {
      if (this.state.hover) this.setState({ hover: null });
      return;
    }
    const ms = fromChartTime(p.time as number);
    const i = barIndexFor(l.t, ms, l.timeframe);
    if (i >= 0) this.hoverBar(i);
  };

  /** The legend's hovered bar `i`, told to React only when what it shows changed (see hover.ts). */
  private hoverBar(i: number): void {
    const next = this.legendBar(i, true);
    if (!sameHover(this.state.hover, next)) this.setState({ hover: next });
  }

  /** The hovered bar read again after the chart's next paint (new coordinates and autoscale): a zoom, pan or resize
   * moves the bar and its marker (and regroups the markers) while the pointer stays on that bar. */
  private followHover(): void {
    if (this.followFrame || !this.state.hover) return;
    this.followFrame = requestAnimationFrame(() => {
      this.followFrame = 0;
      const h = this.state.hover;
      const l = this.loaded;
      if (!h || !l) return;
      const i = barIndexFor(l.t, h.t, l.timeframe);
      if (i >= 0) this.hoverBar(i);
      else this.setState({ hover: null });
    });
  }

  destroy(): void {
    this.generation++;
    if (this.frame) cancelAnimationFrame(this.frame);
    if (this.followFrame) cancelAnimationFrame(this.followFrame);
    this.media.removeEventListener('change', this.onScheme);
    this.resizer.disconnect();
    this.chart.timeScale().unsubscribeVisibleLogicalRangeChange(this.onRange);
    this.chart.unsubscribeCrosshairMove(this.onCrosshair);
    this.marks.destroy();
    this.chart.remove();
  }
}
