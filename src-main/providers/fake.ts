import fs from 'node:fs';
import path from 'node:path';
import { tradingDays } from '../calendar';
import { MpError } from '../shared/errors';
import { WorkerPool } from '../shared/workers';
import { emptyBatch, sliceBatch } from './batch';
import { FAKE_TASKS, fakeBlock } from './fakeBars';
import { BAR_COLUMNS, type BarBatch, type FetchBarsRequest, type Provider, type ProviderContext } from './types';
import { readEnv } from '../settings/env';

// The deterministic demo provider (its bars: fakeBars.ts). Generating 2.4M bars is about a CPU-second of JS, which on
// the engine's event loop stalled every request and event behind it (issue 13): the provider the engine registers
// generates them in worker threads, a block of days per task, one block ahead of the pages it yields.

export { fakeDay, hash32, prng } from './fakeBars';

function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) {
    if (signal.aborted) return Promise.reject(new MpError('E_CANCELLED', 'cancelled'));
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new MpError('E_CANCELLED', 'cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Days per task: about a page's worth (a day has at most 390 regular minutes), so a task is a few milliseconds. */
const MAX_BLOCK_DAYS = 400;

type BlockSource = (symbol: string, days: string[]) => Promise<BarBatch>;

/** carry's rows, then block's, in one batch */
function concat(carry: BarBatch, block: BarBatch): BarBatch {
  const out = emptyBatch(block.symbol, carry.length + block.length);
  for (const c of BAR_COLUMNS) {
    out[c].set(carry[c].subarray(0, carry.length));
    out[c].set(block[c].subarray(0, block.length), carry.length);
  }
  out.length = carry.length + block.length;
  return out;
}

/**
 * Pages of exactly pageSize bars (the last one shorter), like a real paginated API, cut from blocks of days; the next
 * block is asked for while the current one's pages are consumed.
 */
async function* fakePages(req: FetchBarsRequest, ctx: ProviderContext, source: BlockSource): AsyncIterable<BarBatch> {
  const latency = readEnv(ctx.env, 'MP_FAKE_LATENCY_MS') ?? 0;
  const days = tradingDays(req.start, req.end);
  const pageSize = Math.max(1, req.pageSize);
  const per = Math.min(MAX_BLOCK_DAYS, Math.ceil(pageSize / 390));
  const groups: string[][] = [];
  for (let i = 0; i < days.length; i += per) groups.push(days.slice(i, i + per));
  const ask = (g: string[]) => {
    const p = source(req.symbol, g);
    p.catch(() => undefined); // a block asked for ahead and then not awaited (cancel, consumer gone) is no unhandled rejection
    return p;
  };
  let next = groups[0] ? ask(groups[0]) : undefined;
  let carry: BarBatch | null = null;
  for (let g = 0; g < groups.length; g++) {
    if (ctx.signal.aborted) throw new MpError('E_CANCELLED', 'cancelled');
    const block = await next!;
    next = groups[g + 1] ? ask(groups[g + 1]!) : undefined;
    const buf: BarBatch = carry ? concat(carry, block) : block;
    let off = 0;
    for (; buf.length - off >= pageSize; off += pageSize) {
      await delay(latency, ctx.signal);
      yield sliceBatch(buf, off, off + pageSize);
    }
    carry = off < buf.length ? sliceBatch(buf, off, buf.length) : null;
  }
  await delay(latency, ctx.signal);
  if (carry) yield carry;
}

/** The fake worker's script: fakeWorker.js beside the bundle (an electron-vite entry); from the source tree, bundled. */
async function fakeWorkerScript(): Promise<string> {
  for (const f of [path.join(__dirname, 'fakeWorker.js'), path.join(__dirname, '..', 'fakeWorker.js')]) if (fs.existsSync(f)) return f;
  const { devBundle } = await import('../shared/devBundle');
  return devBundle(path.join(__dirname, 'fakeWorker.ts'));
}

export type FakeWorkers = WorkerPool<typeof FAKE_TASKS>;

/** The pool a fake provider generates in (threads start on the first fetch); `script` replaces fakeWorker's. */
export function fakeWorkers(o: { size?: number; script?: () => Promise<string> } = {}): FakeWorkers {
  return new WorkerPool(FAKE_TASKS, { name: 'fake', script: o.script ?? fakeWorkerScript, ...(o.size ? { size: o.size } : {}) });
}

/** A fake provider generating in `workers` (which its close() ends), or on the calling thread (null). */
export function createFakeProvider(o: { workers: FakeWorkers | null }): Provider {
  const workers = o.workers;
  const source: BlockSource = workers
    ? async (symbol, days) => ({ symbol, ...(await workers.run('fake.block', { symbol, days })) })
    : (symbol, days) => Promise.resolve(fakeBlock(symbol, days));
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
  };
}

/** Generates on the calling thread (tests compare it with the worker path; wrappers in tests spread it). */
export const fakeProvider: Provider = createFakeProvider({ workers: null });
