import { createSeriesMarkers, type ISeriesApi, type ISeriesMarkersPluginApi, type SeriesMarker, type SeriesType, type Time, type UTCTimestamp } from 'lightweight-charts';
import type { ChartFinding, ChartSession } from '../../../src-main/contract/chart';
import { fetchFindings, fetchSessions } from '../state/chart';
import type { ChartTargetResolved } from './controller';
import { findingsByBar, groupMarkers, markerText, type MarkerGroup } from './markers';
import type { Palette } from './palette';
import { NO_VALUE, asTime, type LayerHost } from './layer';
import { barIndexFor } from './window';

// What the chart draws around the candles from the engine's calendar and checks: session shading (a full-height
// column behind every bar outside the regular session) and the findings markers (grouped by markers.ts). The
// controller owns one and calls it when the bars, the zoom, the theme or the Info findings toggle change.

/** What the layer reads from the controller that owns it: besides any layer's, the target and the colours. */
export interface FindingsHost extends LayerHost {
  target(): ChartTargetResolved | null;
  colors(): Palette;
}

export class FindingsLayer {
  private readonly markers: ISeriesMarkersPluginApi<Time>;
  private sessions: ChartSession[] = [];
  private findings: ChartFinding[] = [];
  /** findings per bar index of the bars held */
  private findingsAt = new Map<number, ChartFinding[]>();
  /** bars per marker at the current zoom */
  private bucket = 1;
  private groups: MarkerGroup[] = [];

  /** `sessionsSeries`: added to the chart first, so the shading sits behind the candles; the markers go on `candles`. */
  constructor(
    private readonly sessionsSeries: ISeriesApi<'Histogram'>,
    candles: ISeriesApi<SeriesType>,
    private readonly host: FindingsHost,
  ) {
    this.markers = createSeriesMarkers(candles, []);
  }

  /** Forgets the sessions and findings (a new target). */
  reset(): void {
    this.sessions = [];
    this.findings = [];
    this.findingsAt.clear();
  }

  /** Bars per marker for the zoom: the markers are drawn again when it changes. */
  setBucket(bucket: number): void {
    if (bucket === this.bucket) return;
    this.bucket = bucket;
    this.drawMarkers();
  }

  /** Sessions and findings of the loaded range; drawn when they arrive, the candles never wait for them. */
  async load(gen: number): Promise<void> {
    const { client } = this.host;
    const target = this.host.target();
    const l = this.host.loaded();
    if (!target || !l || l.t.length === 0) return;
    const range = { from: l.t[0]!, to: l.t[l.t.length - 1]! + 1 };
    // At an end of the data, findings beyond it (sessions missing after the last bar) go on the end bar.
    const findingsRange = { from: l.from <= target.extent.from ? 0 : range.from, to: l.to > target.extent.to ? 8_640_000_000_000 : range.to };
    const [sessions, findings] = await Promise.all([
      l.timeframe === '1d' ? Promise.resolve(null) : fetchSessions(client, range),
      fetchFindings(client, { symbol: target.symbol, provider: target.provider, feed: target.feed, ...findingsRange }),
    ]);
    if (gen !== this.host.generation() || l !== this.host.loaded()) return;
    this.sessions = sessions?.ok ? sessions.value.sessions : [];
    this.findings = findings?.ok ? findings.value.findings : [];
    this.host.setState({ findingsTruncated: findings?.ok ? findings.value.truncated : false });
    const failed = (sessions && !sessions.ok ? sessions.error : null) ?? (!findings.ok ? findings.error : null);
    if (failed) this.host.setState({ error: failed });
    this.draw();
  }

  /** The findings of the marker bar `i` belongs to (its bucket when markers are thinned out). */
  groupFindings(i: number): ChartFinding[] {
    if (this.bucket <= 1) return this.findingsAt.get(i) ?? [];
    const start = Math.floor(i / this.bucket) * this.bucket;
    const out: ChartFinding[] = [];
    for (let k = start; k < start + this.bucket; k++) {
      const fs = this.findingsAt.get(k);
      if (fs) out.push(...fs);
    }
    return out;
  }

  /**
   * Session shading: a full-height column behind every bar outside the regular session (pre-market, after hours, and
   * after an early close). Markers: one per bar with findings, its rules as the text.
   */
  draw(): void {
    const l = this.host.loaded();
    if (!l) return;
    const { el } = this.host;
    const c = this.host.colors();
    const shade: Array<{ time: UTCTimestamp; value: number; color: string }> = [];
    if (l.timeframe !== '1d' && this.sessions.length) {
      let s = 0;
      for (let i = 0; i < l.t.length; i++) {
        const t = l.t[i]!;
        while (s < this.sessions.length - 1 && this.sessions[s]!.postClose <= t) s++;
        const ses = this.sessions[s]!;
        const regular = t >= ses.open && t < ses.close;
        shade.push({ time: asTime(t), value: 1, color: regular ? NO_VALUE : c.extended });
      }
    }
    this.sessionsSeries.setData(shade);
    el.dataset.sessions = String(this.sessions.length);
    el.dataset.extendedBars = String(shade.filter((x) => x.color !== NO_VALUE).length);

    this.findingsAt = findingsByBar(this.findings, (f) => barIndexFor(l.t, f.t, l.timeframe), this.host.overlays().info);
    this.drawMarkers();
  }

  /** One marker per bar with findings (per bucket of bars when zoomed out), coloured by the worst, with a count. */
  private drawMarkers(): void {
    const l = this.host.loaded();
    if (!l) return;
    const { el } = this.host;
    const c = this.host.colors();
    this.groups = groupMarkers(this.findingsAt, this.bucket);
    const markers: SeriesMarker<Time>[] = this.groups.map((g) => ({
      time: asTime(l.t[g.index]!),
      position: 'aboveBar',
      shape: 'arrowDown',
      color: g.worst === 'error' ? c.err : g.worst === 'warning' ? c.warn : c.info,
      text: markerText(g),
    }));
    this.markers.setMarkers(markers);
    let shown = 0;
    for (const fs of this.findingsAt.values()) shown += fs.length;
    el.dataset.markers = String(markers.length);
    el.dataset.markerBucket = String(this.bucket);
    el.dataset.findingsMarked = String(shown);
    const infoHidden = this.host.overlays().info ? 0 : this.findings.filter((f) => f.severity === 'info').length;
    el.dataset.findingsInfoHidden = String(infoHidden);
    this.host.setState({ markers: markers.length, findings: this.findings.length, infoHidden });
  }
}
