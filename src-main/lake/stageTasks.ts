import { z } from 'zod';
import { TIMEFRAMES } from '../../src-common/timeframes';
import { MpError } from '../shared/errors';
import { BAR_COLUMNS, type BarBatch } from './batch';
import type { WriteRequest } from './requests';

// The lake stage worker's protocol (stageWorker.ts serves it, stageWorkers.ts asks): a group's batches cross the thread
// boundary as one packed ArrayBuffer each (its eight columns one after the other), transferred, never cloned.

const COLS = BAR_COLUMNS.length;
const NAME = z.string().regex(/^\.data\.\d+\.[a-z0-9]+(\.parquet\.tmp)?$/);

const StageItemSchema = z
  .object({
    key: z.object({ timeframe: z.enum(TIMEFRAMES), provider: z.string().min(1), feed: z.string().min(1), symbol: z.string().min(1), year: z.number().int() }).strict(),
    length: z.number().int().positive(),
    columns: z.instanceof(ArrayBuffer),
    file: NAME,
  })
  .strict()
  .refine((it) => it.columns.byteLength === it.length * COLS * 8, 'a packed batch of the wrong size');

export const StageGroupArgSchema = z
  .object({
    barsRoot: z.string().min(1),
    /** where the worker's DuckDB spills (its own folder), or null for DuckDB's default */
    tempDir: z.string().min(1).nullable(),
    items: z.array(StageItemSchema).min(1).max(10_000),
    group: NAME,
  })
  .strict();
export const StageGroupResultSchema = z.object({ tmps: z.array(z.string()), dir: z.string().nullable() }).strict();

export const STAGE_TASKS = { 'stage.group': { arg: StageGroupArgSchema, result: StageGroupResultSchema } } as const;

/** A batch's columns in one new ArrayBuffer (to transfer): a copy, so the caller's batch stays usable. */
export function packBatch(b: BarBatch): ArrayBuffer {
  const out = new Float64Array(b.length * COLS);
  BAR_COLUMNS.forEach((c, i) => out.set(b[c].subarray(0, b.length), i * b.length));
  return out.buffer;
}

/** The batch of a packed buffer (views, no copy). */
export function unpackBatch(symbol: string, length: number, columns: ArrayBuffer): BarBatch {
  if (columns.byteLength !== length * COLS * 8) throw new MpError('E_INTERNAL', 'a packed batch of the wrong size');
  const col = (i: number) => new Float64Array(columns, i * length * 8, length);
  return { symbol, length, ts: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5), tradeCount: col(6), vwap: col(7) };
}

/** The write requests of a stage.group argument, as writeGroupFiles() takes them. */
export function requestsOf(arg: z.output<typeof StageGroupArgSchema>): WriteRequest[] {
  return arg.items.map((it) => ({ key: it.key, batch: unpackBatch(it.key.symbol, it.length, it.columns), replaceFrom: 0, replaceTo: 0 }));
}
