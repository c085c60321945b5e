import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type LogicalRange,
  type MouseEventParams,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { ChartFinding, ChartSession } from '../../../src-main/contract/chart';
import type { Timeframe } from '../../../src-main/contract/schemas';
import type { ErrorValue } from '../../../src-main/shared/errors';
import type { Client } from '../client';
import { fetchBars, fetchFindings, fetchSessions } from '../state/chart';
import { palette, type Palette } from './palette';
import { fromChartTime, toChartTime } from './time';
import { applyWindow, barIndexFor, fetchWindow, initialView, logicalFor, need, visibleTimeRange, type Loaded, type Range } from './window';

// The imperative side of the chart explorer: owns the lightweight-charts instance, asks the engine for windows of bars
// as the view moves (decisions in window.ts), and draws candles, volume, session shading and finding markers.
// React renders the controls around it and reads its state through onState.

/** bars per request: a window is three views, so about MAX_BARS / 3 bars are visible before a coarser timeframe */
const MAX_BARS = 5_000;
/** bars held at most, after merging windows while panning */
const KEEP_BARS = 3 * MAX_BARS;

interface ChartTargetResolved {
  symbol: string;
  provider: string;
  feed: string;
  timeframe: Timeframe;
  /** first and last bar of the source, epoch ms */
  extent: Range;
  /** instant to centre on */
  at?: number;
}

export interface ChartViewState {
  barsLoaded: number;
  timeframeShown: Timeframe | null;
  loading: boolean;
  markers: number;
  findings: number;
  truncated: boolean;
  error: ErrorValue | null;
  /** what the pointer is over: one bar and the findings on it */
  hover: { t: number; o: number; h: number; l: number; c: number; v: number; findings: ChartFinding[] } | null;
}

const asTime = (ms: number) => toChartTime(ms) as UTCTimestamp;

export class ChartController {
  private readonly chart: IChartApi;
  private readonly sessionsSeries: ISeriesApi<'Histogram'>;
  private readonly candles: ISeriesApi<'Candlestick'>;
  private readonly volume: ISeriesApi<'Histogram'>;
  private readonly markers: ISeriesMarkersPluginApi<Time>;
  private colors: Palette;
  private target: ChartTargetResolved | null = null;
  private loaded: Loaded | null = null;
  private sessions: ChartSession[] = [];
  private findings: ChartFinding[] = [];
  /** findings per bar index of `loaded` */
  private findingsAt = new Map<number, ChartFinding[]>();
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
  private state: ChartViewState = { barsLoaded: 0, timeframeShown: null, loading: false, markers: 0, findings: 0, truncated: false, error: null, hover: null };
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
      timeScale: { timeVisible: true, secondsVisible: false, rightOffset: 4 },
      localization: { priceFormatter: (p: number) => p.toFixed(2) },
    });
    // First added, drawn first: the shading sits behind the candles, on its own hidden 0..1 scale.
    this.sessionsSeries = this.chart.addSeries(HistogramSeries, { priceScaleId: 'sessions', lastValueVisible: false, priceLineVisible: false, base: 0 });
    this.chart.priceScale('sessions').applyOptions({ visible: false, scaleMargins: { top: 0, bottom: 0 } });
    this.volume = this.chart.addSeries(HistogramSeries, { priceScaleId: 'volume', priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false });
    this.chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    this.candles = this.chart.addSeries(CandlestickSeries, {});
    this.candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.24 } });
    this.markers = createSeriesMarkers(this.candles, []);
    this.applyTheme();
    this.chart.timeScale().subscribeVisibleLogicalRangeChange(this.onRange);
    this.chart.subscribeCrosshairMove(this.onCrosshair);
    this.media = window.matchMedia('(prefers-color-scheme: dark)');
    this.media.addEventListener('change', this.onScheme);
    this.resizer = new ResizeObserver(() => {
      const view = this.view;
      this.chart.resize(Math.max(el.clientWidth, 1), Math.max(el.clientHeight, 1));
      if (view) this.restoreView(view);
    });
    this.resizer.observe(el);
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
    if (this.loaded) this.draw();
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
    this.sessions = [];
    this.findings = [];
    this.findingsAt.clear();
    this.finerRefusedAt = null;
    this.coarserRefusedAt = null;
    this.inFlight = false;
    this.recheck = false;
    this.view = initialView(target.timeframe, target.extent, target.at);
    this.logical = undefined;
    this.el.dataset.barsLoaded = '0';
    this.el.dataset.markers = '0';
    this.setState({ barsLoaded: 0, timeframeShown: null, markers: 0, findings: 0, truncated: false, error: null, hover: null });
    void this.fetch(fetchWindow(this.view, target.extent), 'initial', target.timeframe);
  }

  /** The centre of what is visible, for keeping the place when the timeframe changes. */
  center(): number | undefined {
    return this.view ? Math.round((this.view.from + this.view.to) / 2) : undefined;
  }

  private readonly onRange = (lr: LogicalRange | null): void => {
    if (!lr || !this.loaded || !this.target) return;
    const view = visibleTimeRange(this.loaded.t, this.loaded.timeframe, lr.from, lr.to);
    if (!view) return;
    this.view = view;
    this.visibleBars = lr.to - lr.from;
    this.logical = { from: lr.from, to: lr.to };
    this.el.dataset.visibleBars = String(Math.round(this.visibleBars));
    this.el.dataset.visibleFrom = new Date(view.from).toISOString();
    this.el.dataset.visibleTo = new Date(view.to).toISOString();
    const mid = visibleTimeRange(this.loaded.t, this.loaded.timeframe, (lr.from + lr.to) / 2, (lr.from + lr.to) / 2);
    if (mid) this.el.dataset.visibleCenter = new Date(mid.from).toISOString();
    // at most one decision per frame while the user drags or zooms
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.check();
    });
  };

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

  private async fetch(window: Range, reason: 'initial' | 'edge' | 'finer' | 'coarser', timeframe: Timeframe): Promise<void> {
    const target = this.target;
    if (!target) return;
    const gen = this.generation;
    this.inFlight = true;
    const maxBars = this.maxBars();
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
    this.loaded = applyWindow(before, got, view, KEEP_BARS);
    this.draw();
    if (reason === 'initial' && target.at !== undefined) this.centreOn(target.at, view);
    else this.restoreView(view);
    this.setState({ loading: false, error: null, barsLoaded: this.loaded.t.length, timeframeShown: this.loaded.timeframe, truncated: b.truncated });
    this.el.dataset.barsLoaded = String(this.loaded.t.length);
    this.el.dataset.timeframeShown = this.loaded.timeframe;
    void this.loadOverlays(gen);
    if (this.recheck) {
      this.recheck = false;
      this.check();
    }
  }

  /** After new bars, the same instants stay in view (bar indices shift when bars are added on the left). */
  private restoreView(view: Range): void {
    const l = this.loaded;
    if (!l || l.t.length === 0) return;
    const from = logicalFor(l.t, l.timeframe, view.from);
    const to = logicalFor(l.t, l.timeframe, view.to);
    if (to > from) this.chart.timeScale().setVisibleLogicalRange({ from, to });
  }

  /** Opens with `at` in the middle of the chart (in bars: nights and weekends take no room on the time scale). */
  private centreOn(at: number, view: Range): void {
    const l = this.loaded;
    if (!l || l.t.length === 0) return;
    const half = (logicalFor(l.t, l.timeframe, view.to) - logicalFor(l.t, l.timeframe, view.from)) / 2;
    // an instant beyond the bars held (a session missing before the first bar) puts that edge of the bars in view
    const n = l.t.length;
    const mid = Math.min(Math.max(logicalFor(l.t, l.timeframe, at), half), Math.max(half, n - 1 - half));
    if (half > 0) this.chart.timeScale().setVisibleLogicalRange({ from: mid - half, to: mid + half });
  }

  /** Sessions and findings of the loaded range; drawn when they arrive, the candles never wait for them. */
  private async loadOverlays(gen: number): Promise<void> {
    const target = this.target;
    const l = this.loaded;
    if (!target || !l || l.t.length === 0) return;
    const range = { from: l.t[0]!, to: l.t[l.t.length - 1]! + 1 };
    // At an end of the data, findings beyond it (sessions missing after the last bar) go on the end bar.
    const findingsRange = { from: l.from <= target.extent.from ? 0 : range.from, to: l.to > target.extent.to ? 8_640_000_000_000 : range.to };
    const [sessions, findings] = await Promise.all([
      l.timeframe === '1d' ? Promise.resolve(null) : fetchSessions(this.client, range),
      fetchFindings(this.client, { symbol: target.symbol, provider: target.provider, feed: target.feed, ...findingsRange }),
    ]);
    if (gen !== this.generation || l !== this.loaded) return;
    this.sessions = sessions?.ok ? sessions.value.sessions : [];
    this.findings = findings?.ok ? findings.value.findings : [];
    const failed = (sessions && !sessions.ok ? sessions.error : null) ?? (!findings.ok ? findings.error : null);
    if (failed) this.setState({ error: failed });
    this.drawOverlays();
  }

  private draw(): void {
    const l = this.loaded;
    if (!l) return;
    const c = this.colors;
    const n = l.t.length;
    const candles = new Array<{ time: UTCTimestamp; open: number; high: number; low: number; close: number }>(n);
    const volume = new Array<{ time: UTCTimestamp; value: number; color: string }>(n);
    for (let i = 0; i < n; i++) {
      const time = asTime(l.t[i]!);
      candles[i] = { time, open: l.o[i]!, high: l.h[i]!, low: l.l[i]!, close: l.c[i]! };
      volume[i] = { time, value: l.v[i]!, color: l.c[i]! >= l.o[i]! ? c.volumeUp : c.volumeDown };
    }
    this.candles.setData(candles);
    this.volume.setData(volume);
    this.drawOverlays();
  }

  /**
   * Session shading: a full-height column behind every bar outside the regular session (pre-market, after hours, and
   * after an early close). Markers: one per bar with findings, its rules as the text.
   */
  private drawOverlays(): void {
    const l = this.loaded;
    if (!l) return;
    const c = this.colors;
    const shade: Array<{ time: UTCTimestamp; value: number; color: string }> = [];
    if (l.timeframe !== '1d' && this.sessions.length) {
      let s = 0;
      for (let i = 0; i < l.t.length; i++) {
        const t = l.t[i]!;
        while (s < this.sessions.length - 1 && this.sessions[s]!.postClose <= t) s++;
        const ses = this.sessions[s]!;
        const regular = t >= ses.open && t < ses.close;
        shade.push({ time: asTime(t), value: 1, color: regular ? 'rgba(0, 0, 0, 0)' : c.extended });
      }
    }
    this.sessionsSeries.setData(shade);
    this.el.dataset.sessions = String(this.sessions.length);
    this.el.dataset.extendedBars = String(shade.filter((x) => x.color !== 'rgba(0, 0, 0, 0)').length);

    this.findingsAt.clear();
    for (const f of this.findings) {
      const i = barIndexFor(l.t, f.t, l.timeframe);
      if (i < 0) continue;
      const list = this.findingsAt.get(i) ?? [];
      list.push(f);
      this.findingsAt.set(i, list);
    }
    const rank = (sev: string) => (sev === 'error' ? 2 : sev === 'warning' ? 1 : 0);
    const markers: SeriesMarker<Time>[] = [...this.findingsAt.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([i, fs]) => {
        const worst = Math.max(...fs.map((f) => rank(f.severity)));
        return {
          time: asTime(l.t[i]!),
          position: 'aboveBar',
          shape: 'arrowDown',
          color: worst === 2 ? c.err : worst === 1 ? c.warn : c.info,
          text: [...new Set(fs.map((f) => f.rule))].join(', '),
        };
      });
    this.markers.setMarkers(markers);
    this.el.dataset.markers = String(markers.length);
    this.setState({ markers: markers.length, findings: this.findings.length });
  }

  private readonly onCrosshair = (p: MouseEventParams<Time>): void => {
    const l = this.loaded;
    if (!l || p.time === undefined) {
      if (this.state.hover) this.setState({ hover: null });
      return;
    }
    const ms = fromChartTime(p.time as number);
    const i = barIndexFor(l.t, ms, l.timeframe);
    if (i < 0) return;
    this.setState({ hover: { t: l.t[i]!, o: l.o[i]!, h: l.h[i]!, l: l.l[i]!, c: l.c[i]!, v: l.v[i]!, findings: this.findingsAt.get(i) ?? [] } });
  };

  destroy(): void {
    this.generation++;
    if (this.frame) cancelAnimationFrame(this.frame);
    this.media.removeEventListener('change', this.onScheme);
    this.resizer.disconnect();
    this.chart.timeScale().unsubscribeVisibleLogicalRangeChange(this.onRange);
    this.chart.unsubscribeCrosshairMove(this.onCrosshair);
    this.chart.remove();
  }
}
