import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { Cell } from '../contract/schemas';

function isoFromMicros(micros: bigint, zoned: boolean): string {
  const ms = micros / 1000n;
  const sub = Number(micros - ms * 1000n);
  const iso = new Date(Number(ms)).toISOString(); // 2024-01-02T14:30:00.000Z
  const withMicros = sub !== 0 && sub > 0 ? iso.replace(/Z$/, String(sub).padStart(3, '0') + 'Z') : iso;
  return zoned ? withMicros : withMicros.replace(/Z$/, '');
}

/**
 * A DuckDB value as a JSON cell: exact numbers stay numbers, integers beyond 2^53 become strings (never silently
 * rounded), instants become ISO 8601 UTC with a Z, naive timestamps ISO 8601 without one.
 */
export function toCell(v: DuckDBValue): Cell {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'bigint':
      return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
    case 'boolean':
    case 'string':
      return v;
  }
  if (v instanceof DuckDBTimestampTZValue) return v.isFinite ? isoFromMicros(v.micros, true) : v.toString();
  if (v instanceof DuckDBTimestampValue) return v.isFinite ? isoFromMicros(v.micros, false) : v.toString();
  if (v instanceof DuckDBDateValue) return v.toString();
  if (v instanceof DuckDBDecimalValue) return v.toDouble();
  return String(v);
}
