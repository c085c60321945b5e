import { tradingDays } from '../calendar';
import { MpError } from '../shared/errors';
import { WorkerPool, workerScript } from '../shared/workers';
import { FAKE_TASKS, fakeDayBars, fakePage } from './fakeBars';
import { type BarBatch, type FetchBarsRequest, type Provider, type ProviderContext } from './types';
import { readEnv } from '../settings/env';
import { fakeGate, pause } from './fakeGate';

// The deterministic demo provider (its bars: fakeBars.ts). Generating 2.4M bars is about a CPU-second of JS, which on
// the engine's event loop stalled every request and event behind it (issue 13): the provider the engine registers
// generates them in worker threads, a page per task, one page ahead of the pages it yields.

export { fakeDay, hash32, prng } from './fakeBars';

function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) {
    if (signal.aborted) return Promise.reject(new MpError('E_CANCELLED', 'cancelled'));
    return Promise.resolve();
  }
  return pause(ms, signal);
}

/** One page's rows [skip, skip + take) of the bars on `days` (fakePage), generated here or in a worker. */
type PageSource = (symbol: string, days: string[], skip: number, take: number) => Promise<BarBatch>;

/**
 * Pages of exactly pageSize bars (the last one shorter), like a real paginated API. Each page is generated whole
 * where the source runs (a worker: nothing is generated or copied on the event loop), the next one asked for while
 * the current one is consumed.
 */
async function* fakePages(req: FetchBarsRequest, ctx: ProviderContext, source: PageSource): AsyncIterable<BarBatch> {
  const latency = readEnv(ctx.env, 'MP_FAKE_LATENCY_MS') ?? 0;
  const days = tradingDays(req.start, req.end);
  const pageSize = Math.max(1, req.pageSize);
  // first[d]: the range's row where day d begins
  const first = [0];
  for (const day of days) first.push(first[first.length - 1]! + fakeDayBars(day));
  const total = first[days.length]!;
  const ask = (k: number): Promise<BarBatch> | undefined => {
    const from = k * pageSize;
    if (from >= total) return undefined;
    const to = Math.min(total, from + pageSize);
    let d0 = 0;
    while (first[d0 + 1]! <= from) d0++;
    let d1 = d0;
    while (first[d1 + 1]! < to) d1++;
    const p = source(req.symbol, days.slice(d0, d1 + 1), from - first[d0]!, to - from);
    p.catch(() => undefined); // a page asked for ahead and then not awaited (cancel, consumer gone) is no unhandled rejection
    return p;
  };
  const pages = Math.ceil(total / pageSize);
  let next = ask(0);
  for (let k = 0; k < pages; k++) {
    if (ctx.signal.aborted) throw new MpError('E_CANCELLED', 'cancelled');
    const page = await next!;
    next = ask(k + 1);
    await delay(latency, ctx.signal);
    await fakeGate(ctx.env, req.symbol, k, ctx.signal);
    yield page;
  }
  // a range that ends on a full page (or has no bars) still costs its last, empty request
  if (total % pageSize === 0) {
    await delay(latency, ctx.signal);
    await fakeGate(ctx.env, req.symbol, pages, ctx.signal);
  }
}


export type FakeWorkers = WorkerPool<typeof FAKE_TASKS>;

/** The pool a fake provider generates in (threads start on the first fetch); `script` replaces fakeWorker's. */
export function fakeWorkers(o: { size?: number; script?: () => Promise<string> } = {}): FakeWorkers {
  return new WorkerPool(FAKE_TASKS, { name: 'fake', script: o.script ?? (() => workerScript(__dirname, 'fakeWorker')), ...(o.size ? { size: o.size } : {}) });
}

/** A fake provider generating in `workers` (which its close() ends), or on the calling thread (null). */
export function createFakeProvider(o: { workers: FakeWorkers | null }): Provider {
  const workers = o.workers;
  const source: PageSource = workers
    ? async (symbol, days, skip, take) => ({ symbol, ...(await workers.run('fake.page', { symbol, days, skip, take })) })
    : (symbol, days, skip, take) => Promise.resolve(fakePage(symbol, days, skip, take));
  return {
    info: {
      name: 'fake',
      description: 'Deterministic simulated 1-minute bars for every regular-session minute of every NYSE trading day (demo, tests, benchmarks).',
      feeds: ['sim'],
      defaultFeed: 'sim',
      timeframes: ['1m'],
      needs: [],
    },
    defaultPageSize: 10_000,
    isConfigured: () => true,
    fetchBars: (req, ctx) => fakePages(req, ctx, source),
    close: async () => workers?.close(),
    // the generator threads (a V8 heap each) are not kept between jobs
    idle: async () => workers?.endIdle(),
  };
}

