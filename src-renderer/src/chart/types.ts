import type { ChartFinding } from '../../../src-main/contract/chart';
import type { Timeframe } from '../../../src-main/contract/schemas';
import type { ErrorValue } from '../../../src-main/shared/errors';
import type { Range } from './window';

// What the chart explorer's controller (controller.ts) is given and what it reports to React.

export interface ChartTargetResolved {
  symbol: string;
  provider: string;
  feed: string;
  /** the timeframe picked; in Auto, the finest wanted ('1m') */
  timeframe: Timeframe;
  /** Auto: the timeframe follows the zoom; else the one picked stays */
  auto: boolean;
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
  /** info findings in range not drawn (the Info findings toggle is off) */
  infoHidden: number;
  /** the range holds more findings than the engine sends (2,000): the first of them are drawn */
  findingsTruncated: boolean;
  truncated: boolean;
  error: ErrorValue | null;
  /** what the pointer is over: one bar and the findings of its marker */
  hover: LegendBar | null;
  /** the last bar held, for the legend when the pointer is elsewhere */
  last: LegendBar | null;
  /** the symbol compared, with its change over the visible range's first bar, when one is shown */
  compare: { symbol: string; error: string | null } | null;
}

export interface LegendBar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  sma: number | null;
  vwap: number | null;
  /** the findings of the marker the bar belongs to: how many, and those listed (fetched when not among the first) */
  findingsCount: number;
  findings: ChartFinding[];
  /** where the hovered bar is drawn, for placing its findings' list beside it (chart element px; hover only) */
  anchor: BarAnchor | null;
}

/**
 * Where the hovered bar and its marker are drawn (px of the chart element): from the leftmost to the rightmost of
 * their centres, from the higher of their highs to the bar's low; and the plot's size (the price axis excluded).
 */
export interface BarAnchor {
  left: number;
  right: number;
  top: number;
  bottom: number;
  plotWidth: number;
  plotHeight: number;
}
