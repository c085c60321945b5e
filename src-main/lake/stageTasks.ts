import { z } from 'zod';
import { TIMEFRAMES } from '../../src-common/timeframes';
import { MpError } from '../shared/errors';
import { BAR_COLUMNS, type BarBatch } from './batch';
import type { WriteRequest } from './requests';

// The lake stage worker's protocol (stageWorker.ts serves it, stageWorkers.ts asks): a batch crosses the thread
// boundary as one buffer and the byte offset of each of its eight columns: the SharedArrayBuffer its columns already
// lie in (the ingest runner's units: shared, nothing copied), or else a packed copy, transferred (never cloned).

const COLS = BAR_COLUMNS.length;
const NAME = z.string().regex(/^\.data\.\d+\.[a-z0-9]+(\.parquet\.tmp)?$/);

const StageItemSchema = z
  .object({
    key: z.object({ timeframe: z.enum(TIMEFRAMES), provider: z.string().min(1), feed: z.string().min(1), symbol: z.string().min(1), year: z.number().int() }).strict(),
    length: z.number().int().positive(),
    buffer: z.union([z.instanceof(ArrayBuffer), z.instanceof(SharedArrayBuffer)]),
    offsets: z.array(z.number().int().nonnegative().multipleOf(8)).length(COLS),
    file: NAME,
  })
  .strict()
  .refine((it) => it.offsets.every((o) => o + it.length * 8 <= it.buffer.byteLength), 'a column past the end of its buffer');

export const StageGroupArgSchema = z
  .object({
    barsRoot: z.string().min(1),
    /** where the worker's DuckDB spills (its own folder), or null for DuckDB's default */
    tempDir: z.string().min(1).nullable(),
    items: z.array(StageItemSchema).min(1).max(10_000),
    group: NAME,
  })
  .strict();
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

/** How a batch crosses to the worker, and the buffer to transfer (none when its columns are shared already). */
export interface CrossingBatch {
  buffer: ArrayBuffer | SharedArrayBuffer;
  offsets: number[];
  transfer: ArrayBuffer | null;
}

/** A batch as it crosses: its own SharedArrayBuffer when all its columns lie in one, else a packed copy to transfer. */
export function crossingBatch(b: BarBatch): CrossingBatch {
  const sab = b.ts.buffer;
  if (sab instanceof SharedArrayBuffer && BAR_COLUMNS.every((c) => b[c].buffer === sab)) return { buffer: sab, offsets: BAR_COLUMNS.map((c) => b[c].byteOffset), transfer: null };
  const out = new Float64Array(b.length * COLS);
  BAR_COLUMNS.forEach((c, i) => out.set(b[c].subarray(0, b.length), i * b.length));
  return { buffer: out.buffer, offsets: BAR_COLUMNS.map((_, i) => i * b.length * 8), transfer: out.buffer };
}

/** The batch of a buffer and its columns' offsets (views, no copy: stage.ts's copyToVector reads shared rows too). */
export function batchOf(symbol: string, length: number, buffer: ArrayBuffer | SharedArrayBuffer, offsets: number[]): BarBatch {
  if (offsets.length !== COLS || offsets.some((o) => o + length * 8 > buffer.byteLength)) throw new MpError('E_INTERNAL', 'a batch past the end of its buffer');
  const col = (i: number) => new Float64Array(buffer, offsets[i]!, length);
  return { symbol, length, ts: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5), tradeCount: col(6), vwap: col(7) };
}

/** The write requests of a stage.group argument, as writeGroupFiles() takes them. */
export function requestsOf(arg: z.output<typeof StageGroupArgSchema>): WriteRequest[] {
  return arg.items.map((it) => ({ key: it.key, batch: batchOf(it.key.symbol, it.length, it.buffer, it.offsets), replaceFrom: 0, replaceTo: 0 }));
}
