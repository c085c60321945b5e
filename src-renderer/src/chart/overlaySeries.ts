import { LineSeries, type IChartApi, type ISeriesApi, type LineData, type UTCTimestamp, type WhitespaceData } from 'lightweight-charts';
import { MAX_CHART_BARS } from '../../../src-main/contract/chart';
import { fetchBars, loadChartExtent } from '../state/chart';
import { sessionEnds, sma, vwap } from './indicators';
import type { Palette } from './palette';
import { NO_VALUE, asTime, type LayerHost } from './layer';
import type { Loaded } from './window';

// The lines drawn over the candles: SMA and VWAP of the bars held (indicators.ts computes them) and the closes of a
// compared symbol on a percent scale. The controller owns one and calls it when the bars, the theme or the overlays
// switched on change.

/** What the layer reads from the controller that owns it. */
export type OverlayHost = LayerHost;

export class OverlaySeries {
  private readonly smaSeries: ISeriesApi<'Line'>;
  private readonly vwapSeries: ISeriesApi<'Line'>;
  private readonly compareSeries: ISeriesApi<'Line'>;
  private smaValues: Array<number | null> = [];
  private vwapValues: Array<number | null> = [];
  /** which lines hold points: a setData([]) of an empty series still walks every point of the time scale */
  private readonly filled = new Set<ISeriesApi<'Line'>>();
  /** the compare symbol's source, found once per symbol */
  private compareSource: { symbol: string; provider: string; feed: string } | null = null;

  /** Adds its three line series to `chart` (after the candles: drawn over them). */
  constructor(
    chart: IChartApi,
    private readonly host: OverlayHost,
  ) {
    const line = { lineWidth: 2, lastValueVisible: false, priceLineVisible: false, crosshairMarkerVisible: false } as const;
    this.smaSeries = chart.addSeries(LineSeries, { ...line, visible: false, title: '' });
    // solid: a session's VWAP spans a few bars at 30m and 1h, where dashes broke it into specks among the candles
    this.vwapSeries = chart.addSeries(LineSeries, { ...line, visible: false });
    this.compareSeries = chart.addSeries(LineSeries, { ...line, visible: false, lastValueVisible: true });
  }

  applyTheme(c: Palette): void {
    this.smaSeries.applyOptions({ color: c.sma });
    this.vwapSeries.applyOptions({ color: c.vwap });
    this.compareSeries.applyOptions({ color: c.compare });
  }

  /** The SMA and VWAP values at bar `i` (null where there is none, or the line is off). */
  valuesAt(i: number): { sma: number | null; vwap: number | null } {
    return { sma: this.smaValues[i] ?? null, vwap: this.vwapValues[i] ?? null };
  }

  /** setData, skipped when a series with no points is to get none. */
  private set(series: ISeriesApi<'Line'>, data: Array<LineData<UTCTimestamp> | WhitespaceData<UTCTimestamp>>): void {
    if (data.length === 0 && !this.filled.has(series)) return;
    series.setData(data);
    if (data.length) this.filled.add(series);
    else this.filled.delete(series);
  }

  /** Another symbol compared, or none: its source is found again and its line cleared. */
  resetCompare(): void {
    this.compareSource = null;
    this.set(this.compareSeries, []);
  }

  /** The compared symbol's points are at the previous bars' times: off the time scale until they are read again. */
  clearCompare(): void {
    this.set(this.compareSeries, []);
  }

  /** The compared symbol's closes at the bars held (only at their times: the time scale stays the main symbol's). */
  async loadCompare(gen: number): Promise<void> {
    const { client, el } = this.host;
    const symbol = this.host.overlays().compare;
    const l = this.host.loaded();
    if (!symbol || !l || l.t.length === 0) return;
    if (!this.compareSource || this.compareSource.symbol !== symbol) {
      const ext = await loadChartExtent(client, symbol);
      if (gen !== this.host.generation() || symbol !== this.host.overlays().compare) return;
      const src = ext.ok ? ext.value.sources[0] : undefined;
      if (!src) {
        this.host.setState({ compare: { symbol, error: ext.ok ? `no bars for ${symbol}` : ext.error.message } });
        return;
      }
      this.compareSource = { symbol, provider: src.provider, feed: src.feed };
    }
    const src = this.compareSource;
    const r = await fetchBars(client, {
      symbol,
      provider: src.provider,
      feed: src.feed,
      timeframe: l.timeframe,
      from: l.t[0]!,
      to: l.t[l.t.length - 1]! + 1,
      maxBars: MAX_CHART_BARS,
    });
    if (gen !== this.host.generation() || l !== this.host.loaded() || symbol !== this.host.overlays().compare) return;
    if (!r.ok) {
      this.host.setState({ compare: { symbol, error: r.error.message } });
      return;
    }
    const close = new Map<number, number>();
    for (let i = 0; i < r.value.t.length; i++) close.set(r.value.t[i]!, r.value.c[i]!);
    const data: Array<LineData<UTCTimestamp> | WhitespaceData<UTCTimestamp>> = l.t.map((t) => {
      const c = close.get(t);
      return c === undefined ? { time: asTime(t) } : { time: asTime(t), value: c };
    });
    this.compareSeries.applyOptions({ visible: true, title: symbol });
    this.set(this.compareSeries, data);
    el.dataset.compareBars = String(close.size);
    this.host.setState({ compare: { symbol, error: close.size ? null : `no ${l.timeframe} bars of ${symbol} at these times` } });
  }

  /** SMA and VWAP over the bars `l`. */
  drawIndicators(l: Loaded): void {
    const o = this.host.overlays();
    const line = (values: Array<number | null>) => l.t.map((t, i) => (values[i] == null ? { time: asTime(t) } : { time: asTime(t), value: values[i]! }));
    this.smaValues = o.sma ? sma(l.c, o.sma) : [];
    this.vwapValues = o.vwap ? vwap(l.t, l.h, l.l, l.c, l.v, l.timeframe === '1d') : [];
    // on a percent scale each series has its own base: a price average would not sit on the candles, so it hides
    this.smaSeries.applyOptions({ visible: !!o.sma && !o.compare });
    this.vwapSeries.applyOptions({ visible: o.vwap && !o.compare });
    this.set(this.smaSeries, o.sma ? line(this.smaValues) : []);
    // VWAP restarts each session: no line joining a session's last value to the next one's first. lightweight-charts
    // joins points across whitespace and colours a segment as its first point, so a session's last point is transparent.
    const daily = l.timeframe === '1d';
    const vw = this.vwapValues;
    const ends = o.vwap && !daily ? sessionEnds(l.t) : [];
    const vwapData = !o.vwap || daily ? [] : l.t.map((t, i) => {
      const v = vw[i];
      if (v == null) return { time: asTime(t) };
      return ends[i] ? { time: asTime(t), value: v, color: NO_VALUE } : { time: asTime(t), value: v };
    });
    this.set(this.vwapSeries, vwapData);
    if (!o.compare) this.compareSeries.applyOptions({ visible: false });
  }
}
