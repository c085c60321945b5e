import type { UTCTimestamp } from 'lightweight-charts';
import type { Client } from '../client';
import type { ChartViewState } from './types';
import type { ChartOverlays } from './overlays';
import { toChartTime } from './time';
import type { Loaded } from './window';

// What the layers drawn around the candles (findingsLayer.ts, overlaySeries.ts) share: how they read the controller
// that owns them, and two helpers of lightweight-charts data.

/** A point's colour that draws nothing (a gap in a line, a bar with no shading). */
export const NO_VALUE = 'rgba(0, 0, 0, 0)';

/** An instant as a lightweight-charts time. */
export const asTime = (ms: number) => toChartTime(ms) as UTCTimestamp;

/** What a layer reads from the controller that owns it. */
export interface LayerHost {
  readonly el: HTMLElement;
  readonly client: Client;
  loaded(): Loaded | null;
  overlays(): ChartOverlays;
  /** bumped by show(): answers for an older target are dropped */
  generation(): number;
  setState(patch: Partial<ChartViewState>): void;
}
