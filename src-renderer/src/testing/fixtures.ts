// Fixtures of the renderer's unit tests (imported by *.test.ts only): a client over an in-memory transport that
// answers from a handler and records each request, and sample contract values.
import type { Job, ProviderInfo } from '../../../src-main/contract/schemas';
import { createClient } from '../client/client';
import type { Transport } from '../client/types';

/** A client whose transport answers each request from `handle` (a Result) and records it; the connection is open. */
export function fakeClient(handle: (name: string, arg: unknown) => unknown, kind: Transport['kind'] = 'memory') {
  const calls: { name: string; arg: unknown }[] = [];
  const transport: Transport = {
    kind,
    request: (name, arg) => {
      calls.push({ name, arg });
      return Promise.resolve(handle(name, arg));
    },
    onEvent: () => () => {},
    onStatus: (l) => {
      l('open');
      return () => {};
    },
    status: () => 'open',
    close: () => {},
  };
  return { client: createClient(transport), calls };
}

/** An ingest job of AAPL, running its fetch stage. */
export const runningJob = (over: Partial<Job> = {}): Job => ({
  id: 'j1',
  kind: 'ingest',
  stage: 'fetch',
  status: 'running',
  provider: 'fake',
  feed: 'sip',
  timeframe: '1m',
  symbols: ['AAPL'],
  start: '2024-01-02',
  end: '2024-01-05',
  progress: 10,
  rowsWritten: 100,
  createdAt: '2024-06-01T10:00:00.000Z',
  startedAt: '2024-06-01T10:00:00.100Z',
  finishedAt: null,
  error: null,
  ...over,
});

export const fakeProvider: ProviderInfo = { name: 'fake', description: '', feeds: ['sim'], defaultFeed: 'sim', timeframes: ['1m'], adjustments: ['raw'], needs: [], configured: true };

/** Alpaca as a provider listing shows it before credentials are set. */
export const alpacaProvider = (needs: string[]): ProviderInfo => ({
  name: 'alpaca',
  description: '',
  feeds: ['iex', 'sip'],
  defaultFeed: 'iex',
  timeframes: ['1m', '5m', '1d'],
  adjustments: ['raw'],
  needs,
  configured: false,
});
