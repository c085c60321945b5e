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

/** True when ts is strictly increasing: then the lake writer can skip sorting and de-duplication. */
export function isStrictlyAscending(ts: Float64Array, length: number): boolean {
  for (let i = 1; i < length; i++) if (!(ts[i]! > ts[i - 1]!)) return false;
  return true;
}
