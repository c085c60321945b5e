import type { DuckDBConnection } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import { MpError } from '../../shared/errors';
import { emptyBatch, sliceBatch } from '../batch';
import { BAR_COLUMNS, type BarBatch, type BarColumn } from '../types';

// Turns a DuckDB streaming result of DOUBLE columns (`columns`, ts first, sorted by ts) into pages of bars; bar
// columns the result lacks (a file without trade counts) are NaN, "not provided".
// A result chunk's vectors are flat arrays of doubles inside DuckDB: each is copied with one typed-array set per
// column, the reverse of the lake writer's copy_data_to_vector, so no value passes through a JS object.

const VECTOR = 2048; // DuckDB's vector size: a chunk holds at most this many rows

function copyRow(b: BarBatch, from: number, to: number): void {
  for (const c of BAR_COLUMNS) b[c][to] = b[c][from]!;
}

/**
 * Drops repeated timestamps among rows [start, end) of a ts-sorted batch, keeping the last copy of each (the row
 * before `start` takes part too: a repeat may straddle two chunks). Returns the new length.
 */
export function keepLastOfEqualTs(b: BarBatch, start: number, end: number): number {
  let i = Math.max(1, start);
  while (i < end && b.ts[i] !== b.ts[i - 1]) i++;
  if (i >= end) return end;
  let w = i - 1; // the slot holding the last kept row
  for (; i < end; i++) {
    if (b.ts[i] !== b.ts[w]) w++;
    if (w !== i) copyRow(b, i, w);
  }
  return w + 1;
}

/**
 * Pages of `pageSize` bars (the last one shorter) from streaming queries run one after the other (each file of a
 * symbol in turn, when their rows already lie in ts order); honours `signal` between chunks. The rows must come in
 * ts order: that is checked as they are copied, a cheap guard against serving a page out of order.
 */
export async function* readPages(
  conn: DuckDBConnection,
  queries: readonly string[],
  columns: readonly BarColumn[],
  symbol: string,
  pageSize: number,
  dedupe: boolean,
  signal: AbortSignal,
): AsyncGenerator<BarBatch> {
  const size = Math.max(1, Math.floor(pageSize));
  const absent = BAR_COLUMNS.filter((c) => !columns.includes(c));
  // room for one more chunk than a page: a page leaves only once a later row exists, so a repeat of its last
  // timestamp can still replace that row
  const fresh = () => {
    const b = emptyBatch(symbol, size + VECTOR);
    for (const c of absent) b[c].fill(NaN);
    return b;
  };
  let page = fresh();
  for (const sql of queries) {
    const result = await conn.stream(sql);
    for (;;) {
      if (signal.aborted) throw new MpError('E_CANCELLED', 'cancelled');
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const n = chunk.rowCount;
      const at = page.length;
      columns.forEach((c, i) => {
        const data = bindings.vector_get_data(bindings.data_chunk_get_vector(chunk.chunk, i), n * 8);
        // byte copy: the vector's offset inside its buffer need not be 8-aligned for a Float64Array view
        new Uint8Array(page[c].buffer, page[c].byteOffset + at * 8, n * 8).set(data);
      });
      page.length = dedupe ? keepLastOfEqualTs(page, at, at + n) : at + n;
      // a page keeps its last rows when it leaves, so the row before `at` is always at hand to compare with
      const ts = page.ts;
      for (let i = Math.max(at, 1); i < page.length; i++) {
        if (!(ts[i]! > ts[i - 1]!)) throw new MpError('E_INTERNAL', `csv: bars of ${symbol} came out of order`);
      }
      while (page.length > size) {
        if (signal.aborted) throw new MpError('E_CANCELLED', 'cancelled');
        const full = page;
        page = fresh();
        const rest = full.length - size;
        for (const c of BAR_COLUMNS) page[c].set(full[c].subarray(size, full.length));
        page.length = rest;
        yield sliceBatch(full, 0, size);
      }
    }
  }
  if (page.length > 0) yield sliceBatch(page, 0, page.length);
}
