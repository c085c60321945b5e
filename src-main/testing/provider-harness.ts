import { expect } from 'vitest';
import { BatchBuffer } from '../providers/batch';
import { fakeProvider } from '../providers/fake';
import { offline } from '../providers/http/offline';
import { BAR_COLUMNS, type BarBatch, type FetchBarsRequest, type Provider, type ProviderContext } from '../providers/types';

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
