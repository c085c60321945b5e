import type { RequestArgInput, RequestResult } from '../../../src-main/contract';
import type { Result } from '../../../src-main/shared/errors';
import { create } from 'zustand';
import type { Client } from '../client';
import { DEFAULT_OVERLAYS, type ChartOverlays } from '../chart/overlays';

// The chart explorer's engine calls. The page and the chart controller (chart/controller.ts, which decides what to
// fetch as the view moves) keep their state themselves; they reach the engine only through these.

export function loadChartSymbols(client: Client): Promise<Result<RequestResult<'chart.symbols'>>> {
  return client.request('chart.symbols', {});
}

export function loadChartExtent(client: Client, symbol: string): Promise<Result<RequestResult<'chart.extent'>>> {
  return client.request('chart.extent', { symbol });
}

export function fetchBars(client: Client, arg: RequestArgInput<'chart.bars'>): Promise<Result<RequestResult<'chart.bars'>>> {
  return client.request('chart.bars', arg);
}

export function fetchSessions(client: Client, range: RequestArgInput<'chart.sessions'>): Promise<Result<RequestResult<'chart.sessions'>>> {
  return client.request('chart.sessions', range);
}

export function fetchFindings(client: Client, arg: RequestArgInput<'chart.findings'>): Promise<Result<RequestResult<'chart.findings'>>> {
  return client.request('chart.findings', arg);
}

/** The chart's overlays (log scale, SMA, VWAP, info findings, compared symbol): kept while the app runs. */
export const useChartOverlays = create<ChartOverlays>()(() => ({ ...DEFAULT_OVERLAYS }));

export function setChartOverlays(patch: Partial<ChartOverlays>): void {
  useChartOverlays.setState(patch);
}

/** SMA lengths accepted (bars). */
export const SMA_MIN = 2;
export const SMA_MAX = 500;
export function clampSmaLength(n: number): number {
  return Number.isFinite(n) ? Math.min(SMA_MAX, Math.max(SMA_MIN, Math.round(n))) : 20;
}
