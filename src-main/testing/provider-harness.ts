import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { Timeframe } from '../contract/schemas';
import type { HttpClient } from '../providers/http/types';
import type { EmulatorHandle } from './emulators/common';
import { BatchBuffer } from '../providers/batch';
import { createFakeProvider } from '../providers/fake';
import { offline } from '../providers/http/offline';
import { BAR_COLUMNS, type BarBatch, type FetchBarsRequest, type Provider, type ProviderContext } from '../providers/types';

/** The fake provider generating on the calling thread (tests compare it with the worker path; wrappers spread it). */
export const fakeProvider: Provider = createFakeProvider({ workers: null });

// What every provider's conformance tests share: drain a fetch into one batch, the fake provider's bars for the same
// days (the emulators serve exactly those), column-by-column equality, and failures that must not leak credentials.

export async function collect(provider: Provider, req: FetchBarsRequest, ctx: ProviderContext): Promise<{ bars: BarBatch; pages: number }> {
  const buf = new BatchBuffer(req.symbol);
  let pages = 0;
  for await (const page of provider.fetchBars(req, ctx)) {
    buf.append(page);
    pages++;
  }
  return { bars: buf.view(), pages };
}

export async function fakeBars(symbol: string, start: string, end: string): Promise<BarBatch> {
  const ctx = { signal: new AbortController().signal, env: {}, log: { debug() {}, info() {}, warn() {}, error() {} }, http: offline('fake') };
  return (await collect(fakeProvider, { symbol, timeframe: '1m', start, end, feed: 'sim', pageSize: 10_000 }, ctx)).bars;
}

export function expectSameBars(a: BarBatch, b: BarBatch): void {
  expect(a.length).toBe(b.length);
  for (const c of BAR_COLUMNS) expect(Array.from(a[c].subarray(0, a.length))).toEqual(Array.from(b[c].subarray(0, b.length)));
}

/** The error a promise rejects with; fails the test if it resolves, or if any of `secrets` is in the message. */
export async function failure(p: Promise<unknown>, secrets: string[]): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: string; message: string };
    for (const s of secrets) expect(err.message).not.toContain(s);
    return err;
  }
  throw new Error('expected a failure');
}

/** What a conformance test may vary in one fetch. */
export interface FetchOpts {
  timeframe?: Timeframe;
  feed?: string;
  pageSize?: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  client?: HttpClient;
}

/** An emulator for every test of the file: started once, its record and injected failures cleared before each test. */
export function useEmulator(start: () => Promise<EmulatorHandle>): { readonly emu: EmulatorHandle } {
  let emu: EmulatorHandle | undefined;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(() => emu?.close());
  beforeEach(() => {
    emu?.reset();
    emu?.setFailures();
  });
  return {
    get emu() {
      return emu!;
    },
  };
}

/**
 * A provider stops when cancelled: before its first request (none is sent) and between two pages of `req` (no more
 * is sent); the errors carry none of `secrets`.
 */
export async function expectStopsWhenCancelled(provider: Provider, req: FetchBarsRequest, ctx: Omit<ProviderContext, 'signal'>, emu: EmulatorHandle, secrets: string[]): Promise<void> {
  const pre = new AbortController();
  pre.abort();
  expect((await failure(collect(provider, req, { ...ctx, signal: pre.signal }), secrets)).code).toBe('E_CANCELLED');
  expect(emu.requests.length).toBe(0);
  const ac = new AbortController();
  const iter = provider.fetchBars(req, { ...ctx, signal: ac.signal })[Symbol.asyncIterator]();
  expect((await iter.next()).done).toBe(false);
  ac.abort();
  expect((await failure(iter.next(), secrets)).code).toBe('E_CANCELLED');
  expect(emu.requests.length).toBe(1);
}
