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


/** One bar as provider JSON gives it, before it goes into columns. Missing trade count / VWAP: undefined or null. */
export interface RawBar {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  tradeCount?: number | null;
  vwap?: number | null;
}

/**
 * Builds one page of one symbol's bars in ascending order, as every network adapter needs: a bar repeating the
 * previous one (the last of the previous page, or a duplicate in this one) is dropped, and a bar going backwards is
 * the provider's error (we ask for ascending order), reported with `who` (e.g. "alpaca: bars of AAPL").
 */
export class AscendingPage {
  private readonly out: BarBatch;
  private n = 0;

  constructor(
    symbol: string,
    capacity: number,
    private prev: number,
    private readonly who: string,
  ) {
    this.out = emptyBatch(symbol, capacity);
  }

  push(b: RawBar): void {
    if (b.ts === this.prev) return;
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
    return this.n === this.out.ts.length ? this.out : sliceBatch(this.out, 0, this.n);
  }
}
