import { MpError } from '../shared/errors';
import { BAR_COLUMNS, isStrictlyAscending, type BarBatch } from './batch';

// A unit's bars as the pages they arrived in (issue 13): the ingest runner no longer copies every page into one
// growing buffer on the engine's thread. The lake writer hands the pages' buffers to the stage worker by transfer
// (stageWorkers.ts), which concatenates them there; after that they are detached on this thread (length 0).

/** The bars of one symbol as a list of pages (each a BarBatch of its own), in order. */
export interface PagedBatch {
  symbol: string;
  /** rows over all pages */
  length: number;
  pages: BarBatch[];
}

/** What a write request carries: one batch, or the pages of one. */
export type Bars = BarBatch | PagedBatch;

export const isPaged = (b: Bars): b is PagedBatch => 'pages' in b;

/** The pages of `symbol` as one PagedBatch (empty pages left out). */
export function pagedBatch(symbol: string, pages: BarBatch[]): PagedBatch {
  const kept = pages.filter((p) => p.length > 0);
  return { symbol, length: kept.reduce((n, p) => n + p.length, 0), pages: kept };
}

/** A page whose buffers were handed to another thread reads as empty: using it again is a bug, never silent data loss. */
function live(p: BarBatch): BarBatch {
  if (BAR_COLUMNS.some((c) => p[c].length < p.length)) throw new MpError('E_INTERNAL', `a page of ${p.symbol} was used after its buffers were handed over`);
  return p;
}

/** The pages of `b` (a batch is one page), each checked to be still usable here. */
export function pagesOf(b: Bars): BarBatch[] {
  return (isPaged(b) ? b.pages : [b]).map(live);
}

/** The first and last ts of a non-empty Bars (as held, not sorted). */
export function tsSpan(b: Bars): { first: number; last: number } {
  const pages = pagesOf(b).filter((p) => p.length > 0);
  const a = pages[0];
  const z = pages[pages.length - 1];
  if (!a || !z) throw new MpError('E_INTERNAL', `no bars of ${b.symbol} to span`);
  return { first: a.ts[0]!, last: z.ts[z.length - 1]! };
}

/** True when ts is strictly increasing over every page and across their boundaries (no copy). */
export function barsAscending(b: Bars): boolean {
  let prev = -Infinity;
  for (const p of pagesOf(b)) {
    if (p.length === 0) continue;
    if (!(p.ts[0]! > prev) || !isStrictlyAscending(p.ts, p.length)) return false;
    prev = p.ts[p.length - 1]!;
  }
  return true;
}

/** The least and greatest ts of `b` in any order (Infinity and -Infinity when it has no bars). */
export function tsRange(b: Bars): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const p of pagesOf(b)) {
    for (let k = 0; k < p.length; k++) {
      min = Math.min(min, p.ts[k]!);
      max = Math.max(max, p.ts[k]!);
    }
  }
  return { min, max };
}

/** One BarBatch of `b`: the batch itself, or its pages copied into one (the paths that need the rows together). */
export function asBatch(b: Bars): BarBatch {
  if (!isPaged(b)) return b;
  const pages = pagesOf(b);
  if (pages.length === 1 && pages[0]!.length === b.length) return pages[0]!;
  const out = { symbol: b.symbol, length: b.length } as BarBatch;
  for (const c of BAR_COLUMNS) {
    const col = new Float64Array(b.length);
    let at = 0;
    for (const p of pages) {
      col.set(p[c].subarray(0, p.length), at);
      at += p.length;
    }
    out[c] = col;
  }
  return out;
}
