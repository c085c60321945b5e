import { createSeriesMarkers, type ISeriesApi, type ISeriesMarkersPluginApi, type SeriesMarker, type SeriesType, type Time } from 'lightweight-charts';
import type { ChartFinding, ChartFindingMarks, ChartSession } from '../../../src-main/contract/chart';
import { TIMEFRAME_MS } from '../../../src-common/timeframes';
import { fetchFindings, fetchSessions } from '../state/chart';
import type { ChartTargetResolved } from './types';
import { countsByBar, findingsByBar, groupMarkers, markerText, type MarkerGroup, type SeverityCounts } from './markers';
import type { Palette } from './palette';
import { asTime, type LayerHost } from './layer';
import { SessionShading, extendedRuns } from './sessionShading';
import { barIndexFor } from './window';

// What the chart draws around the candles from the engine's calendar and checks: session shading (full-height
// rectangles behind the bars outside the regular session, sessionShading.ts) and the findings markers (grouped by
// markers.ts). The
// controller owns one and calls it when the bars, the zoom, the theme or the Info findings toggle change. The markers
// are the engine's counts of every finding in range (its marks, grouped per bar width); the findings listed on hover
// are the first MAX_FINDINGS of the range, and a bar beyond them has its own fetched when the pointer is on it.

/** What the layer reads from the controller that owns it: besides any layer's, the target and the colours. */
export interface FindingsHost extends LayerHost {
  target(): ChartTargetResolved | null;
  colors(): Palette;
  /** the findings of a hovered bar arrived: the legend is to read them again */
  findingsArrived(): void;
}

const NO_MARKS: ChartFindingMarks = { t: [], error: [], warning: [], info: [] };
/** The engine's groups of findings: a bar's width up to an hour (bars of an hour or less start on multiples of it), an
 * hour for coarser bars (their starts, midnights and session opens in New York, fall on whole UTC hours). */
export const marksPer = (tf: keyof typeof TIMEFRAME_MS) => Math.min(TIMEFRAME_MS[tf], 3_600_000);

export class FindingsLayer {
  private readonly markers: ISeriesMarkersPluginApi<Time>;
  private readonly shading = new SessionShading();
  /** a markers update waiting for an idle moment (requestIdleCallback id) */
  private idle = 0;
  private sessions: ChartSession[] = [];
  /** the first findings of the range (all of them unless `truncated`) */
  private findings: ChartFinding[] = [];
  private truncated = false;
  private marks: ChartFindingMarks = NO_MARKS;
  /** findings listed per bar index of the bars held */
  private findingsAt = new Map<number, ChartFinding[]>();
  /** findings counted per bar index of the bars held */
  private countsAt = new Map<number, SeverityCounts>();
  /** the findings of one marker's bars, fetched on hover when `truncated` (by its first bar's time; reset by draw) */
  private fetched = new Map<number, ChartFinding[] | 'loading'>();
  /** bars per marker at the current zoom */
  private bucket = 1;
  private groups: MarkerGroup[] = [];

  /** The shading (drawn behind every series) and the markers go on `candles`. */
  constructor(
    candles: ISeriesApi<SeriesType>,
    private readonly host: FindingsHost,
  ) {
    this.markers = createSeriesMarkers(candles, []);
    candles.attachPrimitive(this.shading);
  }

  /** The shading's colour (the theme changed). */
  applyTheme(): void {
    this.shading.setColor(this.host.colors().extended);
  }

  /**
   * New bars arrived: the shading follows them now (a cheap pass over the bars), the markers (placed by time, so
   * still right) are counted per bar again in an idle moment, not in the frame that takes the new bars.
   */
  barsChanged(): void {
    this.drawShading();
    if (this.idle) return;
    this.idle = requestIdleCallback(
      () => {
        this.idle = 0;
        this.drawMarks();
      },
      { timeout: 200 },
    );
  }

  /** Stops a pending markers update (the chart goes away). */
  destroy(): void {
    if (this.idle) cancelIdleCallback(this.idle);
    this.idle = 0;
  }

  /** Forgets the sessions and findings (a new target). */
  reset(): void {
    this.destroy();
    this.sessions = [];
    this.findings = [];
    this.truncated = false;
    this.marks = NO_MARKS;
    this.findingsAt.clear();
    this.countsAt.clear();
    this.fetched.clear();
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
      fetchFindings(client, { symbol: target.symbol, provider: target.provider, feed: target.feed, ...findingsRange, per: marksPer(l.timeframe) }),
    ]);
    if (gen !== this.host.generation() || l !== this.host.loaded()) return;
    this.sessions = sessions?.ok ? sessions.value.sessions : [];
    this.findings = findings.ok ? findings.value.findings : [];
    this.truncated = findings.ok && findings.value.truncated;
    this.marks = findings.ok ? findings.value.marks : NO_MARKS;
    this.host.setState({ findingsTruncated: findings.ok && findings.value.marksTruncated });
    const failed = (sessions && !sessions.ok ? sessions.error : null) ?? (!findings.ok ? findings.error : null);
    if (failed) this.host.setState({ error: failed });
    this.draw();
  }

  /**
   * The findings of the marker bar `i` belongs to (its bucket when markers are thinned out): how many, and those
   * listed (fetched now, for the legend to read again, when the range has more findings than the engine lists).
   */
  groupFindings(i: number): { count: number; findings: ChartFinding[] } {
    // counts per bar waiting for an idle moment: counted now, for the bar under the pointer
    if (this.idle) this.drawMarks();
    const l = this.host.loaded();
    const start = Math.floor(i / this.bucket) * this.bucket;
    const end = start + this.bucket;
    let count = 0;
    const listed: ChartFinding[] = [];
    for (let k = start; k < end; k++) {
      const c = this.countsAt.get(k);
      if (c) count += c.error + c.warning + c.info;
      const fs = this.findingsAt.get(k);
      if (fs) listed.push(...fs);
    }
    if (!l || count === 0 || listed.length >= count || !this.truncated) return { count, findings: listed };
    const from = l.t[start];
    if (from === undefined) return { count, findings: listed };
    const got = this.fetched.get(from);
    if (got === undefined) void this.fetchGroup(from, l.t[Math.min(end, l.t.length) - 1]! + TIMEFRAME_MS[l.timeframe]);
    return { count, findings: Array.isArray(got) ? got.filter((f) => this.host.overlays().info || f.severity === 'error' || f.severity === 'warning') : listed };
  }

  /** The bar the marker of bar `i`'s findings stands on (its bucket's worst), `i` when it has none. */
  markerIndex(i: number): number {
    const key = Math.floor(i / this.bucket);
    for (const g of this.groups) if (Math.floor(g.index / this.bucket) === key) return g.index;
    return i;
  }

  /** Fetches the findings of [from, to) (one marker's bars) for the legend. */
  private async fetchGroup(from: number, to: number): Promise<void> {
    const target = this.host.target();
    const l = this.host.loaded();
    if (!target || !l) return;
    const gen = this.host.generation();
    this.fetched.set(from, 'loading');
    const r = await fetchFindings(this.host.client, { symbol: target.symbol, provider: target.provider, feed: target.feed, from, to });
    // a new target or new bars (draw() forgot what was fetched): dropped
    if (gen !== this.host.generation() || l !== this.host.loaded() || this.fetched.get(from) !== 'loading') return;
    if (!r.ok) {
      this.fetched.delete(from);
      return;
    }
    this.fetched.set(from, r.value.findings);
    this.host.findingsArrived();
  }

  /**
   * Session shading behind every bar outside the regular session (pre-market, after hours, and after an early close);
   * markers: one per bar with findings, the count as the text.
   */
  draw(): void {
    this.drawShading();
    this.drawMarks();
  }

  private drawShading(): void {
    const l = this.host.loaded();
    if (!l) return;
    const { el } = this.host;
    const { runs, bars } = l.timeframe !== '1d' ? extendedRuns(l.t, this.sessions) : { runs: [], bars: 0 };
    this.shading.setRuns(runs);
    el.dataset.sessions = String(this.sessions.length);
    el.dataset.extendedBars = String(bars);
  }

  /** The findings and counts per bar of the bars held, and the markers from them. */
  private drawMarks(): void {
    const l = this.host.loaded();
    if (!l) return;
    if (this.idle) {
      cancelIdleCallback(this.idle);
      this.idle = 0;
    }
    const info = this.host.overlays().info;
    this.findingsAt = findingsByBar(this.findings, (f) => barIndexFor(l.t, f.t, l.timeframe), info);
    this.countsAt = countsByBar(this.marks, (t) => barIndexFor(l.t, t, l.timeframe), info);
    this.fetched.clear();
    this.drawMarkers();
  }

  /** One marker per bar with findings (per bucket of bars when zoomed out), coloured by the worst, with a count. */
  private drawMarkers(): void {
    const l = this.host.loaded();
    if (!l) return;
    const { el } = this.host;
    const c = this.host.colors();
    this.groups = groupMarkers(this.countsAt, this.bucket);
    const markers: SeriesMarker<Time>[] = this.groups.map((g) => ({
      time: asTime(l.t[g.index]!),
      position: 'aboveBar',
      shape: 'arrowDown',
      color: g.worst === 'error' ? c.err : g.worst === 'warning' ? c.warn : c.info,
      text: markerText(g),
    }));
    this.markers.setMarkers(markers);
    let shown = 0;
    for (const g of this.groups) shown += g.count;
    let total = 0;
    let info = 0;
    for (let k = 0; k < this.marks.t.length; k++) {
      total += this.marks.error[k]! + this.marks.warning[k]! + this.marks.info[k]!;
      info += this.marks.info[k]!;
    }
    el.dataset.markers = String(markers.length);
    el.dataset.markerBucket = String(this.bucket);
    el.dataset.findingsMarked = String(shown);
    const infoHidden = this.host.overlays().info ? 0 : info;
    el.dataset.findingsInfoHidden = String(infoHidden);
    this.host.setState({ markers: markers.length, findings: total, infoHidden });
  }
}
