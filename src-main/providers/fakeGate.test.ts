import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../shared/log';
import { fakeProvider } from '../testing/provider-harness';
import { makeTmpDir, type TmpDir } from '../testing/tmp';
import { offline } from './http/offline';
import { fakeGate } from './fakeGate';

let tmp: TmpDir;
beforeEach(() => {
  tmp = makeTmpDir('mp-fake-gate-');
});
afterEach(() => tmp.cleanup());

/** Fetches with MP_FAKE_GATE=tmp; `onPage` sees each page's index as it arrives. */
async function fetchPages(symbol: string, signal: AbortSignal, onPage: (k: number) => void): Promise<number> {
  let k = 0;
  const req = { symbol, timeframe: '1m' as const, start: '2024-01-02', end: '2024-01-05', feed: 'sim', pageSize: 500 };
  for await (const _ of fakeProvider.fetchBars(req, { signal, env: { MP_FAKE_GATE: tmp.dir }, log: silentLogger, http: offline('fake') })) onPage(k++);
  return k;
}

describe('MP_FAKE_GATE (test hook)', () => {
  it('lets the pages its file names through, holds the next until the file is removed', async () => {
    fs.writeFileSync(path.join(tmp.dir, 'AAPL'), '2');
    const seen: number[] = [];
    let reachedHold!: () => void;
    const atHold = new Promise<void>((r) => (reachedHold = r));
    const done = fetchPages('AAPL', new AbortController().signal, (k) => {
      seen.push(k);
      if (k === 1) reachedHold();
    });
    await atHold;
    // held before page 2. Proving that something does not happen needs some time to pass: 10 looks at the gate file.
    // This can only fail if the gate does not hold (a slow machine just sees the fetch later), never by speed.
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([0, 1]);
    fs.rmSync(path.join(tmp.dir, 'AAPL'));
    expect(await done).toBe(4); // 1,560 bars in pages of 500
    expect(seen).toEqual([0, 1, 2, 3]);
  });

  it('_all holds every symbol; a cancel ends the wait with E_CANCELLED', async () => {
    fs.writeFileSync(path.join(tmp.dir, '_all'), '');
    const ac = new AbortController();
    const seen: number[] = [];
    const done = fetchPages('MSFT', ac.signal, (k) => seen.push(k));
    const waited = fakeGate({ MP_FAKE_GATE: tmp.dir }, 'MSFT', 0, ac.signal);
    ac.abort();
    const [w, d] = await Promise.allSettled([waited, done]);
    expect(w).toMatchObject({ status: 'rejected', reason: { code: 'E_CANCELLED' } });
    expect(d).toMatchObject({ status: 'rejected', reason: { code: 'E_CANCELLED' } });
    expect(seen).toEqual([]);
  });

  it('unset, never waits; a gate file that is not a number is bad input', async () => {
    await fakeGate({}, 'AAPL', 0, new AbortController().signal);
    fs.writeFileSync(path.join(tmp.dir, 'AAPL'), 'soon');
    await expect(fetchPages('AAPL', new AbortController().signal, () => undefined)).rejects.toMatchObject({ code: 'E_BAD_INPUT' });
  });
});
