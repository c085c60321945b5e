import { EXCHANGE_TZ } from '../../calendar';
import { bad } from './sources';

// How a file's header maps to bar fields, and the SQL that turns a row's text into numbers. The import and the error
// path share it (the error path applies it to the one offending row to say which column is wrong); numbers are read
// by DuckDB's DOUBLE parsing either way, by the CSV reader on import and by a cast from text on the error path.

export type Field = 'open' | 'high' | 'low' | 'close' | 'volume' | 'tradeCount' | 'vwap' | 'symbol';

const ALIASES: Record<Field, readonly string[]> = {
  open: ['open', 'o'],
  high: ['high', 'h'],
  low: ['low', 'l'],
  close: ['close', 'c'],
  volume: ['volume', 'v'],
  tradeCount: ['trade_count', 'n'],
  vwap: ['vwap', 'vw'],
  symbol: ['symbol', 'ticker'],
};
const REQUIRED = ['open', 'high', 'low', 'close', 'volume'] as const;
export const NUMERIC_FIELDS = ['open', 'high', 'low', 'close', 'volume', 'tradeCount', 'vwap'] as const;
export type NumericField = (typeof NUMERIC_FIELDS)[number];

export interface ColumnLayout {
  /** header names as written (trimmed) */
  names: string[];
  /** the timestamp column, or a date column and a time column read together */
  ts: [number] | [number, number];
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  tradeCount: number | null;
  vwap: number | null;
  symbol: number | null;
}

/** Matches header names case-insensitively; the first alias present wins (timestamp before date, close before c). */
export function layoutFromHeader(header: string[], fileName: string): ColumnLayout {
  const names = header.map((h) => h.trim());
  const lower = names.map((n) => n.toLowerCase());
  const find = (alias: string): number | null => {
    const first = lower.indexOf(alias);
    if (first < 0) return null;
    const again = lower.indexOf(alias, first + 1);
    if (again >= 0) throw bad(`${fileName} has two "${alias}" columns (columns ${first + 1} and ${again + 1})`);
    return first;
  };
  const pick = (aliases: readonly string[]): number | null => {
    for (const a of aliases) {
      const i = find(a);
      if (i !== null) return i;
    }
    return null;
  };
  const shown = names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ');
  // one header field holding separators: the file is likely ';'- or tab-separated, and only ',' is read
  const hint = names.length === 1 && /[;\t|]/.test(names[0]!) ? ' (fields must be separated by ",")' : '';
  const missing = (what: string, aliases: readonly string[]) =>
    bad(`${fileName} has no ${what} column (${aliases.map((a) => `"${a}"`).join(' or ')}); its header is: ${shown}${hint}`);

  let ts: ColumnLayout['ts'] | null = null;
  for (const a of ['timestamp', 'datetime']) {
    const i = find(a);
    if (i !== null) {
      ts = [i];
      break;
    }
  }
  if (ts === null) {
    const d = find('date');
    const t = find('time');
    // vendor dumps often split the two: "Date,Time,Open,..."
    if (d !== null && t !== null) ts = [d, t];
    else if (d !== null) ts = [d];
    else if (t !== null) ts = [t];
    else {
      const e = find('t');
      if (e !== null) ts = [e];
    }
  }
  if (ts === null) throw missing('timestamp', ['timestamp', 'datetime', 'date', 'time', 't']);
  const req = {} as Record<(typeof REQUIRED)[number], number>;
  for (const f of REQUIRED) {
    const i = pick(ALIASES[f]);
    if (i === null) throw missing(`"${f}"`, ALIASES[f]);
    req[f] = i;
  }
  return {
    names,
    ts,
    ...req,
    tradeCount: pick(ALIASES.tradeCount),
    vwap: pick(ALIASES.vwap),
    symbol: pick(ALIASES.symbol),
  };
}

/** How the timestamps of a file are written, told from its first data row (a file uses one way throughout). */
export type TsKind = 'epoch' | 'date' | 'yyyymmdd' | 'datetime';

export function tsKindOf(first: string | null): TsKind {
  const s = (first ?? '').trim();
  if (/^\d{8}$/.test(s) && Number(s.slice(0, 4)) >= 1900 && Number(s.slice(0, 4)) < 2200) return 'yyyymmdd';
  // 9+ digits: epoch seconds from 1973 on, or milli/micro/nanoseconds
  if (/^\d{9,}(\.\d*)?$/.test(s)) return 'epoch';
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return 'date';
  return 'datetime';
}

export const isDaily = (k: TsKind) => k === 'date' || k === 'yyyymmdd';

/** Bars outside these years are refused as unreadable timestamps (usually epoch values in an unexpected unit). */
export const MIN_TS = Date.UTC(1900, 0, 1);
export const MAX_TS = Date.UTC(2200, 0, 1);

export const col = (i: number) => `c${i}`;

export function rawTs(l: ColumnLayout): string {
  return l.ts.length === 2 ? `(${col(l.ts[0])} || ' ' || ${col(l.ts[1])})` : col(l.ts[0]);
}

/**
 * Epoch ms (DOUBLE) of a row's timestamp text, or NULL when it cannot be read. Offset-less date-times are read in the
 * session's TimeZone (set to --tz) by DuckDB's ICU, which is right across DST changes. A date alone names a trading
 * day, not an instant: it becomes midnight at the exchange, whatever --tz says, so the bar lands on that day.
 */
export function tsExpr(l: ColumnLayout, kind: TsKind, tz: string): string {
  const raw = `trim(${rawTs(l)})`;
  const exchangeMidnight = (ts: string) => `epoch_ms(timezone('${EXCHANGE_TZ}', ${ts}))::DOUBLE`;
  switch (kind) {
    case 'epoch': {
      // the unit is told by magnitude, per value: 1e11 s is the year 5138, 1e11 ms is 1973
      const x = `TRY_CAST(${raw} AS DOUBLE)`;
      return `floor(${x} * CASE WHEN ${x} < 1e11 THEN 1000 WHEN ${x} < 1e14 THEN 1 WHEN ${x} < 1e17 THEN 1e-3 ELSE 1e-6 END)`;
    }
    case 'date':
      // length check: a DATE cast would silently drop a time of day
      return `CASE WHEN length(${raw}) = 10 THEN ${exchangeMidnight(`TRY_CAST(${raw} AS DATE)::TIMESTAMP`)} END`;
    case 'yyyymmdd':
      return `CASE WHEN length(${raw}) = 8 THEN ${exchangeMidnight(`TRY_STRPTIME(${raw}, '%Y%m%d')`)} END`;
    case 'datetime': {
      // COALESCE evaluates a later argument only for rows where the earlier ones gave NULL: the common spelling takes
      // the cheap path, and trimming is paid only by values that need it
      const exact = rawTs(l);
      const zoned = [`epoch_ms(TRY_CAST(${exact} AS TIMESTAMPTZ))`, `epoch_ms(TRY_CAST(${raw} AS TIMESTAMPTZ))`];
      // In UTC a plain 'YYYY-MM-DD HH:MM:SS' needs no zone rules: a fixed-format parse skips ICU (a third of the
      // parse time). The format is strict, so a value with an offset falls through to the zone-aware cast.
      if (tz === 'UTC') zoned.unshift(`epoch_ms(TRY_STRPTIME(${exact}, '%Y-%m-%d %H:%M:%S'))`);
      return `coalesce(${zoned.join(', ')})::DOUBLE`;
    }
  }
}

/**
 * An optional field (trade count, vwap) as the table keeps it: NaN when empty ("not provided"), and a NaN written in
 * the file turned into Infinity, which fieldChecks() refuses like any non-finite value (NaN in the table means empty).
 */
export function optionalValue(x: string, raw: string): string {
  return `CASE WHEN ${raw} IS NULL THEN 'NaN'::DOUBLE WHEN isnan(${x}) THEN 'Infinity'::DOUBLE ELSE ${x} END`;
}

/** A number from text: NULL when missing or unreadable; an optional one (trade count, vwap) as optionalValue(). */
export function numberExpr(l: ColumnLayout, f: NumericField): string {
  const i = l[f];
  if (i === null) return `'NaN'::DOUBLE`;
  const x = `TRY_CAST(${col(i)} AS DOUBLE)`;
  return f === 'tradeCount' || f === 'vwap' ? optionalValue(x, col(i)) : x;
}

/** Text DuckDB reads as a number that is not finite: NaN, inf, Infinity, or a value beyond a double's range (1e400). */
export function nonFiniteText(raw: string): boolean {
  const t = raw.trim();
  if (/^[+-]?(nan|inf|infinity)$/i.test(t)) return true;
  const v = Number(t);
  return t !== '' && !Number.isNaN(v) && !Number.isFinite(v);
}

/** Per-field validity over the converted columns (ts, open, ...), in the order the checks are reported. */
export function fieldChecks(l: ColumnLayout): { field: 'ts' | NumericField; ok: string }[] {
  const checks: { field: 'ts' | NumericField; ok: string; at: number }[] = [
    { field: 'ts', ok: `coalesce(ts >= ${MIN_TS} AND ts < ${MAX_TS}, false)`, at: l.ts[0] },
  ];
  for (const f of NUMERIC_FIELDS) {
    const at = l[f];
    if (at === null) continue;
    // OHLCV must be finite numbers; an optional field may be empty (NaN) but not text, NaN or infinite (see
    // optionalValue: a NaN written in the file is Infinity here)
    const ok = f === 'tradeCount' || f === 'vwap' ? `coalesce(NOT isinf(${sqlIdent(f)}), false)` : `coalesce(isfinite(${sqlIdent(f)}), false)`;
    checks.push({ field: f, ok, at });
  }
  return checks.sort((a, b) => a.at - b.at).map(({ field, ok }) => ({ field, ok }));
}

export function sqlIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** The column name(s) a field was read from, for messages. */
export function columnLabel(l: ColumnLayout, f: 'ts' | Field): string {
  if (f === 'ts') return l.ts.map((i) => `"${l.names[i]}"`).join(' and ');
  const i = l[f];
  return i === null ? `"${f}"` : `"${l.names[i]}"`;
}
