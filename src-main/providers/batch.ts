import { MpError } from '../shared/errors';
import { BAR_COLUMNS, type BarBatch } from './types';

const COLS = BAR_COLUMNS;

export function emptyBatch(symbol: string, capacity = 0): BarBatch {
  return {
    symbol,
    length: 0,
    ts: new Float64Array(capacity),
    open: new Float64Array(capacity),
    high: new Float64Array(capacity),
    low: new Float64Array(capacity),
    close: new Float64Array(capacity),
    volume: new Float64Array(capacity),
    tradeCount: new Float64Array(capacity),
    vwap: new Float64Array(capacity),
  };
}

/** A view of the first n rows (no copy). */
export function sliceBatch(b: BarBatch, start: number, end: number): BarBatch {
  const out = emptyBatch(b.symbol);
  out.length = end - start;
  for (const c of COLS) out[c] = b[c].subarray(start, end);
  return out;
}

/** Accumulates pages of one symbol into one growable set of columns (amortised doubling). */
export class BatchBuffer {
  private buf: BarBatch;
  constructor(symbol: string, capacity = 4096) {
    this.buf = emptyBatch(symbol, capacity);
  }
  get length(): number {
    return this.buf.length;
  }
  append(page: BarBatch): void {
    const need = this.buf.length + page.length;
    if (need > this.buf.ts.length) {
      let cap = Math.max(this.buf.ts.length, 1024);
      while (cap < need) cap *= 2;
      const grown = emptyBatch(this.buf.symbol, cap);
      for (const c of COLS) grown[c].set(this.buf[c].subarray(0, this.buf.length));
      grown.length = this.buf.length;
      this.buf = grown;
    }
    for (const c of COLS) this.buf[c].set(page[c].subarray(0, page.length), this.buf.length);
    this.buf.length = need;
  }
  /** The rows so far, as a batch view. */
  view(): BarBatch {
    return sliceBatch(this.buf, 0, this.buf.length);
  }
}


/** A bar's prices and volume. */
export interface Ohlcv {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** One bar as provider JSON gives it, before it goes into columns. Missing trade count / VWAP: undefined or null. */
export interface RawBar extends Ohlcv {
  ts: number;
  tradeCount?: number | null;
  vwap?: number | null;
}

/** One bar's values, as a duplicate_bar finding shows them (null: not provided). */
export interface BarValues extends Ohlcv {
  tradeCount: number | null;
  vwap: number | null;
}

/** A repeated timestamp of a delivery: the copy stored and a copy dropped (three copies give two of these). */
export interface DroppedDuplicate {
  ts: number;
  kept: BarValues;
  dropped: BarValues;
}

/** The repeats of one delivery: how many copies were dropped, and the first `limit` of them in detail (ts order). */
export interface DeliveryDuplicates {
  count: number;
  sample: DroppedDuplicate[];
}

/** Duplicates kept in detail per job (each is a duplicate_bar finding); the rest are counted only. */
export const DUPLICATE_DETAIL_LIMIT = 1000;

const NUM = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** Row k of a batch as values (NaN, "not provided", becomes null). */
export function valuesAt(b: BarBatch, k: number): BarValues {
  return { open: b.open[k]!, high: b.high[k]!, low: b.low[k]!, close: b.close[k]!, volume: b.volume[k]!, tradeCount: NUM(b.tradeCount[k]!), vwap: NUM(b.vwap[k]!) };
}

/** Whether two copies of a bar differ in any value (then the duplicate is an error, not a warning). */
export function conflicting(a: BarValues, b: BarValues): boolean {
  return (['open', 'high', 'low', 'close', 'volume', 'tradeCount', 'vwap'] as const).some((k) => !Object.is(a[k], b[k]));
}

/** A repeat AscendingPage dropped: the copy it kept came earlier (perhaps on the previous page), so only ts is known here. */
export interface PageRepeat {
  ts: number;
  dropped: BarValues;
}

// The repeats each page dropped, keyed by the page: the adapters hand the ingest runner plain pages, and the runner
// asks repeatsOf(page) for what was left out of them, so no adapter has to carry them.
const pageRepeats = new WeakMap<BarBatch, PageRepeat[]>();

/** The repeated bars AscendingPage dropped from this page (empty for pages built otherwise). */
export function repeatsOf(page: BarBatch): PageRepeat[] {
  return pageRepeats.get(page) ?? [];
}

/**
 * Keeps the last copy of each timestamp of a delivery (in delivery order), as the lake writer would, and says what it
 * dropped: the rows come back in ts order. A delivery already strictly ascending is returned as it is.
 */
export function dropRepeats(b: BarBatch, limit = DUPLICATE_DETAIL_LIMIT): { batch: BarBatch; duplicates: DeliveryDuplicates } {
  let ascending = true;
  for (let i = 1; i < b.length && ascending; i++) ascending = b.ts[i]! > b.ts[i - 1]!;
  if (ascending) return { batch: b, duplicates: { count: 0, sample: [] } };
  // a stable sort by ts: equal timestamps stay in delivery order, so the last of each run is the copy kept
  const order = Array.from({ length: b.length }, (_, i) => i).sort((x, y) => b.ts[x]! - b.ts[y]! || x - y);
  const kept: number[] = [];
  const duplicates: DeliveryDuplicates = { count: 0, sample: [] };
  for (let j = 0; j < order.length; j++) {
    const i = order[j]!;
    const next = order[j + 1];
    if (next !== undefined && b.ts[next] === b.ts[i]) continue;
    kept.push(i);
    // the earlier copies of this timestamp, dropped
    for (let d = j - 1; d >= 0 && b.ts[order[d]!] === b.ts[i]; d--) {
      duplicates.count++;
      if (duplicates.sample.length < limit) duplicates.sample.push({ ts: b.ts[i]!, kept: valuesAt(b, i), dropped: valuesAt(b, order[d]!) });
    }
  }
  const out = emptyBatch(b.symbol, kept.length);
  out.length = kept.length;
  kept.forEach((i, k) => {
    for (const c of COLS) out[c][k] = b[c][i]!;
  });
  duplicates.sample.sort((x, y) => x.ts - y.ts);
  return { batch: out, duplicates };
}

/**
 * Builds one page of one symbol's bars in ascending order, as every network adapter needs: a bar repeating the
 * previous one (the last of the previous page, or a duplicate in this one) is dropped, the first copy being kept,
 * and recorded (repeatsOf) so the job can report it; a bar going backwards is the provider's error (we ask for
 * ascending order), reported with `who` (e.g. "alpaca: bars of AAPL").
 */
export class AscendingPage {
  private readonly out: BarBatch;
  private n = 0;
  private readonly repeats: PageRepeat[] = [];

  constructor(
    symbol: string,
    capacity: number,
    private prev: number,
    private readonly who: string,
  ) {
    this.out = emptyBatch(symbol, capacity);
  }

  push(b: RawBar): void {
    if (b.ts === this.prev) {
      this.repeats.push({ ts: b.ts, dropped: { open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, tradeCount: NUM(b.tradeCount ?? NaN), vwap: NUM(b.vwap ?? NaN) } });
      return;
    }
    if (b.ts < this.prev) {
      throw new MpError('E_PROVIDER', `${this.who} came out of order (${new Date(b.ts).toISOString()} after ${new Date(this.prev).toISOString()})`);
    }
    const i = this.n++;
    const o = this.out;
    o.ts[i] = b.ts;
    o.open[i] = b.open;
    o.high[i] = b.high;
    o.low[i] = b.low;
    o.close[i] = b.close;
    o.volume[i] = b.volume;
    o.tradeCount[i] = b.tradeCount ?? Number.NaN;
    o.vwap[i] = b.vwap ?? Number.NaN;
    this.prev = b.ts;
  }

  /** The page (a view when fewer bars were kept than the capacity). */
  batch(): BarBatch {
    this.out.length = this.n;
    const page = this.n === this.out.ts.length ? this.out : sliceBatch(this.out, 0, this.n);
    if (this.repeats.length > 0) pageRepeats.set(page, this.repeats);
    return page;
  }
}
