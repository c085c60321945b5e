import type { RequestArgInput, RequestResult } from '../../../src-main/contract';
import type { Result } from '../../../src-main/shared/errors';
import type { Client } from '../client';

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
