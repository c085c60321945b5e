import path from 'node:path';
import type { LakeCatalog } from '../lake/catalog';
import { MpError } from '../shared/errors';

// The query engine's limits and the errors of a stopped query, shared by the engine's query process (process.ts,
// client.ts) and the CLI's own (inline.ts). Nothing here loads zod or the contract: `marketpipe query` starts fast.

/** How long an interrupted statement may take to stop before its process is ended (cancel must take under 2 s). */
export const GRACE_MS = 1000;
/** How often the query process's memory is sampled while a call is in flight. */
export const SAMPLE_MS = 50;
/** MP_QUERY_MEMORY_MB's default */
export const DEFAULT_MEMORY_MB = 2048;

/**
 * DuckDB's own memory_limit, below the ceiling: operators that respect it spill before the watchdog would end the
 * process; what is left covers DuckDB's untracked allocations, Node and the result pages in flight.
 */
export function duckMemoryLimit(memoryMb: number): string {
  return `${Math.max(64, Math.floor(memoryMb * 0.6))}MB`;
}

/** Why a query was stopped from outside its statement. */
export type StopReason = 'timeout' | 'cancel' | 'memory';

export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** The error of a query stopped for `reason`. */
export function stopError(reason: StopReason, timeoutMs: number | undefined, detail?: string): MpError {
  if (reason === 'timeout') return new MpError('E_TIMEOUT', `query cancelled after its timeout of ${formatSeconds(timeoutMs ?? 0)}`);
  if (reason === 'memory') return new MpError('E_QUERY_MEMORY', detail ?? 'query stopped: it needed more memory than the query engine may use');
  return new MpError('E_CANCELLED', 'query cancelled');
}

/** The message of a query stopped past the memory ceiling. */
export function memoryDetail(bytes: number, ceilingBytes: number): string {
  const mb = (b: number) => Math.round(b / 1048576);
  return `query stopped: the query engine reached ${mb(bytes)} MB, over its ceiling of ${mb(ceilingBytes)} MB (MP_QUERY_MEMORY_MB); narrow the query or raise the ceiling`;
}

/**
 * A query that failed reading a live lake file: the file marked bad in the catalog, and the error to report (one line
 * naming the file and the repair command); undefined for any other error.
 */
export function damagedFileError(e: unknown, catalog: LakeCatalog, barsRoot: string): MpError | undefined {
  if (!(e instanceof MpError) || e.code !== 'E_QUERY') return undefined;
  const file = catalog.entries().find((f) => e.message.includes(f.file));
  if (!file) return undefined;
  catalog.markBad(file.file, `unreadable: ${e.message}`);
  const rel = path.relative(path.dirname(path.dirname(barsRoot)), file.file);
  return new MpError('E_IO', `lake file ${rel} is damaged (${e.message.slice(0, 160)}); run \`marketpipe lake repair\``);
}
