import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTestEngine } from '../testing/engine';
import { fakeProvider } from '../testing/provider-harness';
import { AscendingPage, BatchBuffer, DUPLICATE_DETAIL_LIMIT, emptyBatch, valuesAt } from '../providers/batch';
import { ProviderRegistry } from '../providers/registry';
import type { BarBatch, FetchBarsRequest, Provider, ProviderContext } from '../providers/types';
import { accountingFromSource, describeAccounting } from './accounting';
import { planIngest } from './plan';

// No row is dropped silently, for providers that deliver pages (the network adapters' path): the repeats a page drops
// (AscendingPage) and those a delivery holds across pages are counted on the job, recorded, and reported by the next
// validation as duplicate_bar with both copies. Real SQLite, DuckDB and files.

let extraRepeats = 0;

async function fakeBars(req: FetchBarsRequest, ctx: ProviderContext): Promise<BarBatch> {
  const buf = new BatchBuffer(req.symbol);
  for await (const page of fakeProvider.fetchBars(req, ctx)) buf.append(page);
  return buf.view();
}

/** Pages as an adapter builds them, with repeats: an equal copy inside a page, one across pages, and a late copy
 * of another bar with a different close (outside AscendingPage, as a provider without it would deliver it). */
function repeating(): ProviderRegistry {
  const p: Provider = {
    ...fakeProvider,
    async *fetchBars(req, ctx) {
      const bars = await fakeBars(req, ctx);
      const raw = (k: number) => ({ ...valuesAt(bars, k), ts: bars.ts[k]! });
      const first = new AscendingPage(req.symbol, 20, -Infinity, 'test');
      for (let k = 0; k < 10; k++) {
        first.push(raw(k));
        if (k === 5) first.push(raw(k));
      }
      yield first.batch();
      const second = new AscendingPage(req.symbol, bars.length, bars.ts[9]!, 'test');
      second.push(raw(9));
      for (let k = 10; k < bars.length; k++) second.push(raw(k));
      yield second.batch();
      const late = emptyBatch(req.symbol, 1 + extraRepeats);
      late.length = 1 + extraRepeats;
      for (const c of ['ts', 'open', 'high', 'low', 'close', 'volume', 'tradeCount', 'vwap'] as const) late[c][0] = bars[c][20]!;
      late.close[0] = bars.close[20]! + 0.5;
      // more repeats than the job records in detail, when asked
      for (let j = 1; j <= extraRepeats; j++) for (const c of ['ts', 'open', 'high', 'low', 'close', 'volume', 'tradeCount', 'vwap'] as const) late[c][j] = bars[c][100 + j]!;
      yield late;
    },
  };
  // the same pages through the group path (multi-symbol requests, as Alpaca's): every symbol's pages, then its done
  const grouped: Provider = {
    ...p,
    info: { ...p.info, name: 'grouped' },
    groupSymbols: (_req, symbols) => [symbols],
    async *fetchGroup(req, ctx) {
      for (const symbol of req.symbols) {
        for await (const batch of p.fetchBars({ ...req, symbol }, ctx)) yield { symbol, batch };
        yield { symbol, done: true };
      }
    },
  };
  return new ProviderRegistry().register(p).register(grouped);
}

const fx = useTestEngine('mp-acct-', () => ({ providers: repeating() }));

async function findings(jobId?: string): Promise<Array<{ ts: string; rule: string; severity: string; message: string }>> {
  const r = await fx.engine.validate(jobId ? { jobId } : { scope: { symbols: ['AAPL'] } });
  const lines = fs.readFileSync(r.reportFile, 'utf8').trim().split('\r\n').slice(1);
  return lines
    .map((l) => l.split(','))
    .filter((f) => f[3] === 'duplicate_bar')
    .map((f) => ({ ts: f[2]!, rule: f[3]!, severity: f[4]!, message: f[5]! }));
}

describe('row accounting of a paged delivery', () => {
  it('counts the repeats, keeps one copy of each, and the next validation reports them with both values', async () => {
    extraRepeats = 0;
    const started = await fx.engine.startIngest({ provider: 'fake', symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-02', pipeline: false });
    const job = await fx.engine.waitForJob(started.id);
    expect(job.status).toBe('succeeded');
    expect(job.rowsWritten).toBe(390);
    expect(job.accounting).toEqual({ received: 393, stored: 390, duplicates: 3, outsideSessions: 0, alreadyInLake: 0, future: 0, refused: 0, duplicatesUnrecorded: 0 });
    expect(describeAccounting(job.accounting!)).toBe('393 rows received: 390 stored, 3 duplicates dropped (one copy of each kept; see validation\'s duplicate_bar)');
    const found = await findings(job.id);
    // 09:35 and 09:39 repeated with equal values (the page kept the first copy); 09:50's later copy differs
    expect(found.map((f) => [f.ts, f.severity])).toEqual([
      ['2024-01-02T14:35:00Z', 'warning'],
      ['2024-01-02T14:39:00Z', 'warning'],
      ['2024-01-02T14:50:00Z', 'error'],
    ]);
    expect(found[2]!.message).toMatch(/^delivered twice with different close \(job [0-9a-f]{8}\): kept o \S+ h \S+ l \S+ c (\S+) v \S+ n \S+ vw \S+; dropped o \S+ h \S+ l \S+ c (\S+) v/);
    const [, keptClose, droppedClose] = /c (\S+) v .*c (\S+) v/.exec(found[2]!.message)!;
    expect(Number(keptClose) - Number(droppedClose)).toBeCloseTo(0.5, 9);
    // a later job writing the same range replaces the delivery: its duplicates no longer describe the lake
    extraRepeats = 0;
    const again = await fx.engine.waitForJob((await fx.engine.startIngest({ provider: 'fake', symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-02', pipeline: false, force: true })).id);
    expect(again.accounting?.duplicates).toBe(3);
    expect((await findings()).map((f) => f.message.match(/job ([0-9a-f]{8})/)![1])).toEqual([again.id.slice(0, 8), again.id.slice(0, 8), again.id.slice(0, 8)]);
  });

  it('counts the repeats of pages fetched for several symbols together (the group path) as well', async () => {
    extraRepeats = 0;
    const job = await fx.engine.waitForJob((await fx.engine.startIngest({ provider: 'grouped', symbols: ['AAPL', 'MSFT'], start: '2024-01-02', end: '2024-01-02', pipeline: false })).id);
    expect(job.status).toBe('succeeded');
    expect(job.accounting).toEqual({ received: 786, stored: 780, duplicates: 6, outsideSessions: 0, alreadyInLake: 0, future: 0, refused: 0, duplicatesUnrecorded: 0 });
  });

  it('records at most DUPLICATE_DETAIL_LIMIT duplicates of a job in detail and counts the rest', async () => {
    extraRepeats = DUPLICATE_DETAIL_LIMIT + 4;
    // 1 + DUPLICATE_DETAIL_LIMIT + 4 late copies need that many bars: two sessions
    const job = await fx.engine.waitForJob((await fx.engine.startIngest({ provider: 'fake', symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-08', pipeline: false })).id);
    const dups = 2 + 1 + extraRepeats;
    expect(job.accounting).toMatchObject({ stored: 5 * 390, duplicates: dups, duplicatesUnrecorded: dups - DUPLICATE_DETAIL_LIMIT });
    expect(job.accounting!.received).toBe(5 * 390 + dups);
    expect(await findings(job.id)).toHaveLength(DUPLICATE_DETAIL_LIMIT);
  });
});

describe('accountingFromSource', () => {
  it('rows on a closed day no unit covers are outside sessions; those inside a unit are left to it', () => {
    // Friday 2024-01-05 to Sunday 2024-01-07: one unit covers the whole range, so Saturday's rows are fetched (and stored)
    const covered = accountingFromSource({ received: 10, future: 1, closedDays: [{ symbol: 'A', date: '2024-01-06', rows: 3 }] }, planIngest(['A'], '2024-01-05', '2024-01-07'));
    expect(covered).toMatchObject({ received: 10, future: 1, outsideSessions: 0, alreadyInLake: 9 });
    // only a Saturday: no trading day, no unit
    const alone = accountingFromSource({ received: 3, future: 0, closedDays: [{ symbol: 'A', date: '2024-01-06', rows: 3 }] }, planIngest(['A'], '2024-01-06', '2024-01-06'));
    expect(alone).toMatchObject({ received: 3, outsideSessions: 3, alreadyInLake: 0 });
  });
});
