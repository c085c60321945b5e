import { z } from 'zod';
import { TIMEFRAMES } from '../../src-common/timeframes';
import { MpError } from '../shared/errors';
import { BAR_COLUMNS, type BarBatch } from './batch';
import { asBatch, isPaged, pagedBatch, pagesOf, type Bars } from './pages';
import type { StageRequest } from './stage';

// The lake stage worker's protocol (stageWorker.ts serves it, stageWorkers.ts asks): a batch crosses the thread
// boundary as parts (the pages the ingest runner received, or one packed copy of a batch given whole), each column of
// a part a buffer and a byte offset. Pages' buffers are transferred as they are (nothing copied on the engine's
// thread); the worker concatenates a batch's parts. A SharedArrayBuffer is shared, never transferred.

const COLS = BAR_COLUMNS.length;
const NAME = z.string().regex(/^\.data\.\d+\.[a-z0-9]+(\.parquet\.tmp)?$/);

const BufferSchema = z.union([z.instanceof(ArrayBuffer), z.instanceof(SharedArrayBuffer)]);
const PartSchema = z
  .object({
    length: z.number().int().positive(),
    buffers: z.array(BufferSchema).length(COLS),
    offsets: z.array(z.number().int().nonnegative().multipleOf(8)).length(COLS),
  })
  .strict()
  .refine((p) => p.offsets.every((o, i) => o + p.length * 8 <= p.buffers[i]!.byteLength), 'a column past the end of its buffer');

const StageItemSchema = z
  .object({
    key: z.object({ timeframe: z.enum(TIMEFRAMES), provider: z.string().min(1), feed: z.string().min(1), symbol: z.string().min(1), year: z.number().int() }).strict(),
    length: z.number().int().positive(),
    parts: z.array(PartSchema).min(1),
    file: NAME,
  })
  .strict()
  .refine((it) => it.parts.reduce((n, p) => n + p.length, 0) === it.length, 'parts that do not add up to the batch');

export const StageGroupArgSchema = z
  .object({
    barsRoot: z.string().min(1),
    /** where the worker's DuckDB spills (its own folder), or null for DuckDB's default */
    tempDir: z.string().min(1).nullable(),
    items: z.array(StageItemSchema).min(1).max(10_000),
    group: NAME,
  })
  .strict();
export type StageGroupArg = z.input<typeof StageGroupArgSchema>;
export const StageGroupResultSchema = z
  .object({
    tmps: z.array(z.string()),
    dir: z.string().nullable(),
    sums: z.array(z.object({ bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict()),
  })
  .strict()
  .refine((r) => r.sums.length === r.tmps.length, 'a checksum per file');

export const StageOpenArgSchema = z.object({ tempDir: z.string().min(1).nullable() }).strict();

export const STAGE_TASKS = {
  /** opens the worker's DuckDB ahead of the first group (the thread and its database start while units are fetched) */
  'stage.open': { arg: StageOpenArgSchema, result: z.null() },
  'stage.group': { arg: StageGroupArgSchema, result: StageGroupResultSchema },
  /**
   * closes the worker's DuckDB (after any open or group still running: one thread, tasks in order) before the thread is
   * ended: a thread terminated while its DuckDB was starting or working aborted the whole process ('terminate called
   * after throwing an instance of Napi::Error') when the native call came back to a torn-down thread
   */
  'stage.close': { arg: z.null(), result: z.null() },
} as const;

export type CrossingPart = z.input<typeof PartSchema>;

/** How a batch crosses to the worker: its parts, and the buffers to transfer with them (each once). */
export interface CrossingBatch {
  parts: CrossingPart[];
  transfer: ArrayBuffer[];
}

/** A part per page, its own buffers; a SharedArrayBuffer's columns are shared, the others transferred. */
function pagesCrossing(pages: BarBatch[]): CrossingBatch {
  const transfer = new Set<ArrayBuffer>();
  const parts = pages
    .filter((p) => p.length > 0)
    .map((p) => {
      const buffers = BAR_COLUMNS.map((c) => p[c].buffer);
      for (const b of buffers) if (b instanceof ArrayBuffer) transfer.add(b);
      return { length: p.length, buffers, offsets: BAR_COLUMNS.map((c) => p[c].byteOffset) };
    });
  return { parts, transfer: [...transfer] };
}

/**
 * A write's bars as they cross. Pages (PagedBatch: the ingest runner's, handed over with the write) go as they are,
 * their buffers transferred (detached here afterwards); a batch given whole (other callers, who may still read it)
 * as its SharedArrayBuffer when all its columns lie in one, else as one packed copy.
 */
export function crossingBatch(b: Bars): CrossingBatch {
  if (isPaged(b)) return pagesCrossing(pagesOf(b));
  const sab = b.ts.buffer;
  if (sab instanceof SharedArrayBuffer && BAR_COLUMNS.every((c) => b[c].buffer === sab)) return { parts: [{ length: b.length, buffers: BAR_COLUMNS.map(() => sab), offsets: BAR_COLUMNS.map((c) => b[c].byteOffset) }], transfer: [] };
  const out = new Float64Array(b.length * COLS);
  BAR_COLUMNS.forEach((c, i) => out.set(b[c].subarray(0, b.length), i * b.length));
  return { parts: [{ length: b.length, buffers: BAR_COLUMNS.map(() => out.buffer), offsets: BAR_COLUMNS.map((_, i) => i * b.length * 8) }], transfer: [out.buffer] };
}

/** The batch of one part (views, no copy: stage.ts's copyToVector reads shared rows too). */
function partBatch(symbol: string, p: z.output<typeof PartSchema>): BarBatch {
  if (p.offsets.some((o, i) => o + p.length * 8 > p.buffers[i]!.byteLength)) throw new MpError('E_INTERNAL', 'a batch past the end of its buffer');
  const col = (i: number) => new Float64Array(p.buffers[i]!, p.offsets[i]!, p.length);
  return { symbol, length: p.length, ts: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5), tradeCount: col(6), vwap: col(7) };
}

/** The write requests of a stage.group argument, as writeGroupFiles() takes them: each item's parts concatenated here. */
export function requestsOf(arg: z.output<typeof StageGroupArgSchema>): StageRequest[] {
  return arg.items.map((it) => ({ key: it.key, batch: asBatch(pagedBatch(it.key.symbol, it.parts.map((p) => partBatch(it.key.symbol, p)))) }));
}
