import fs from 'node:fs';
import { z } from 'zod';
import type { Timeframe } from '../contract/schemas';
import type { LakeWriter } from '../lake/writer';
import { instantSql, sqlString } from '../lake/layout';
import { MpError } from '../shared/errors';
import { EXCHANGE_TZ, zonedTimeToUtc } from '../calendar';
import { calendarDays, clampToCalendar, dateOfDayNumber, dayNumberOf, exchangeDaySql, exchangeMidnight, type CalendarRange } from '../calendar/sql';
import { selectSources, type SourceFile } from '../lake/select';
import { TIMEFRAME_MS } from '../../src-common/timeframes';
import { AGGREGATE_TIMEFRAMES, AggregateArgSchema, type AggregateResult, type AggregateScopeSchema } from '../contract/aggregate';

// Coarser bars from the lake's 1-minute bars, computed by DuckDB and published through the lake writer, into the same
// layout (timeframe=5m/…/provider/feed/symbol/year), so the `bars` view shows them by timeframe. Each output partition
// comes from exactly one 1m partition (same source, same exchange year), so re-running replaces the scope's range of
// each output partition and nothing else: aggregation is idempotent.
//
// Bar semantics: open = first (by ts), high = max, low = min, close = last, volume = sum, trade_count = sum, vwap =
// sum(vwap * volume) / sum(volume) (trade_count cast back to BIGINT: DuckDB sums BIGINT into HUGEINT, which Parquet
// would store as DOUBLE). trade_count and vwap are NULL when a contributing bar lacks them (a partial sum
// would look complete and be wrong), and vwap is NULL when the volume is 0 or when the sum overflows a double (a stored
// vwap of 1e300 times its volume): an aggregate never holds Infinity or NaN.
//
// Intraday buckets follow the New York clock (time_bucket(width, ts, 'America/New_York')). New York is always a whole
// number of hours from UTC, so for widths that divide an hour the buckets are the same instants as e - e % width in
// UTC: plain integer arithmetic instead of an ICU call per row (the tests check it against time_bucket in New York).
// Intraday buckets take every 1m bar, extended hours included. Daily bars take regular-session bars only (early
// closes honoured, from the calendar) and are stamped 00:00 New York of the session date.

export { AGGREGATE_TIMEFRAMES, AggregateArgSchema };
export type { AggregateArg, AggregateResult } from '../contract/aggregate';

export interface AggregateOptions {
  /** <data>/lake/bars */
  barsRoot: string;
  /** the engine's writer: every output partition is published through it (temp name, fsync, rename, folder fsync) */
  writer: LakeWriter;
  timeframes?: Array<Exclude<Timeframe, '1m'>>;
  scope?: z.input<typeof AggregateScopeSchema>;
  signal?: AbortSignal;
  /** after each output partition: done of total */
  onProgress?: (done: number, total: number) => void;
  /** the job whose pipeline runs this aggregation: recorded with every file it writes in the catalog */
  jobId?: string;
}


const AGG_COLUMNS = `arg_min(open, e) AS open, max(high) AS high, min(low) AS low, arg_max(close, e) AS close,
  sum(volume) AS volume,
  CASE WHEN count(trade_count) = count(*) THEN sum(trade_count)::BIGINT END AS trade_count,
  CASE WHEN sum(volume) > 0 AND count(vwap) FILTER (WHERE volume <> 0) = count(*) FILTER (WHERE volume <> 0)
       AND isfinite(sum(vwap * volume) / sum(volume)) THEN sum(vwap * volume) / sum(volume) END AS vwap`;

/**
 * An intraday aggregate is `regular` when any of its minutes is, otherwise the session of its first minute: the 09:00
 * hour of a day holds the open and is a regular-session bar, the 08:00 hour is pre-market.
 */
const SESSION_COLUMN = `CASE WHEN bool_or(session = 'regular') THEN 'regular' ELSE arg_min(session, e) END AS session`;

/**
 * The 1m bars of one partition file in [from, to), staged once per file as the writer's temp table `src`; with
 * `session`, their session too (files of builds before the session column have none: NULL, and the writer computes it).
 */
export function sourceSql(file: string | string[], from: number, to: number, session = false): string {
  const files = typeof file === 'string' ? sqlString(file) : `[${file.map(sqlString).join(', ')}]`;
  return `SELECT epoch_ms(ts) AS e, open, high, low, close, volume, trade_count, vwap, ${session ? 'session' : 'NULL::VARCHAR AS session'}
    FROM read_parquet(${files}) WHERE ts >= epoch_ms(${from})::TIMESTAMPTZ AND ts < epoch_ms(${to})::TIMESTAMPTZ`;
}

/**
 * Mergeable partial aggregates of `src` per `widthMs` bucket (`e` = the bucket's start): the state from which any
 * coarser bucket is finished exactly (first/last by the minutes' own times, sums, and the counts that decide whether
 * trade_count and vwap are complete). Aggregation computes these once from the 1m bars and every timeframe from them,
 * instead of scanning the 1m bars once per timeframe.
 *
 * Sorted, so that the partials of one coarser bar lie together: a parallel aggregate then folds them into at most two
 * partial states, whose sum does not depend on the order they are combined in. Scattered (a hash aggregate's output
 * order), a bar's floating-point sums would depend on thread scheduling, and a rebuilt bar could differ from the first
 * in its last bits (a resumed ingest must give exactly what a clean run gives).
 */
export function partialSql(widthMs: number, src = 'src', by?: string): string {
  return `SELECT ${by ? `${by}, ` : ''}e - e % ${widthMs} AS e, min(e) AS fe, max(e) AS le,
    arg_min(open, e) AS open, max(high) AS high, min(low) AS low, arg_max(close, e) AS close, sum(volume) AS volume,
    sum(trade_count) AS tc, count(trade_count) AS ntc, count(*) AS n, sum(vwap * volume) AS sv,
    count(*) FILTER (WHERE volume <> 0) AS nz, count(vwap) FILTER (WHERE volume <> 0) AS nzv,
    bool_or(session = 'regular') AS reg, arg_min(session, e) AS s
    FROM ${src} GROUP BY ${by ? `${by}, ` : ''}e - e % ${widthMs} ORDER BY ${by ? `${by}, ` : ''}e`;
}

/** AGG_COLUMNS and SESSION_COLUMN over partialSql() rows: the same bars as from the 1m bars themselves. */
const MERGE_COLUMNS = `arg_min(open, fe) AS open, max(high) AS high, min(low) AS low, arg_max(close, le) AS close,
  sum(volume) AS volume,
  CASE WHEN sum(ntc) = sum(n) THEN sum(tc)::BIGINT END AS trade_count,
  CASE WHEN sum(volume) > 0 AND sum(nzv) = sum(nz) AND isfinite(sum(sv) / sum(volume)) THEN sum(sv) / sum(volume) END AS vwap`;
const MERGE_SESSION_COLUMN = `CASE WHEN bool_or(reg) THEN 'regular' ELSE arg_min(s, fe) END AS session`;

/** The bars of partialSql() rows themselves, when the timeframe is the partials' width: a projection, no grouping. */
function finishedPartialsSql(src: string, by?: string): string {
  return `SELECT ${by ? `${by}, ` : ''}${instantSql('e')} AS ts, open, high, low, close, volume,
    CASE WHEN ntc = n THEN tc::BIGINT END AS trade_count, CASE WHEN volume > 0 AND nzv = nz AND isfinite(sv / volume) THEN sv / volume END AS vwap,
    CASE WHEN reg THEN 'regular' ELSE s END AS session FROM ${src}`;
}

/** What an aggregate statement reads: 1m bars, or partialSql() rows. */
type AggInput = 'bars' | 'partials';

/**
 * SQL of the intraday aggregate of `src` (a relation of e, open, …, vwap; or, with `input` 'partials', of partialSql()
 * rows whose width divides `stepMs`). With `by` (a column of `src` naming the source partition of each row), the
 * aggregates of many partitions at once, each row carrying its `by`.
 */
export function intradaySql(stepMs: number, src = 'src', by?: string, input: AggInput = 'bars'): string {
  if (stepMs <= 0 || 3_600_000 % stepMs !== 0) throw new MpError('E_BAD_INPUT', `cannot bucket by ${stepMs} ms on the New York clock`);
  const cols = input === 'bars' ? `${AGG_COLUMNS}, ${SESSION_COLUMN}` : `${MERGE_COLUMNS}, ${MERGE_SESSION_COLUMN}`;
  return `SELECT ${by ? `${by}, ` : ''}${instantSql(`e - e % ${stepMs}`)} AS ts, ${cols}
    FROM ${src} GROUP BY ${by ? `${by}, ` : ''}e - e % ${stepMs}`;
}

/**
 * SQL of the daily aggregate (regular session only) of `src` over the trading days of `range`; `by` and `input` as
 * intradaySql (partials must not straddle a regular session's bounds: see partialsAlign).
 */
export function dailySql(range: CalendarRange, src = 'src', by?: string, input: AggInput = 'bars'): string {
  const sessions = calendarDays(range).filter((d) => d.trading);
  if (sessions.length === 0) return `SELECT ${by ? `NULL::INTEGER AS ${by}, ` : ''}NULL::TIMESTAMPTZ AS ts, NULL::DOUBLE AS open, NULL::DOUBLE AS high, NULL::DOUBLE AS low,
    NULL::DOUBLE AS close, NULL::DOUBLE AS volume, NULL::BIGINT AS trade_count, NULL::DOUBLE AS vwap, NULL::VARCHAR AS session WHERE false`;
  const values = sessions.map((d) => `(${d.dn}, ${d.startMs}, ${d.regularOpen}, ${d.regularClose})`).join(', ');
  return `SELECT ${by ? `b.${by}, ` : ''}${instantSql('any_value(c.start_ms)')} AS ts, ${input === 'bars' ? AGG_COLUMNS : MERGE_COLUMNS}, 'regular' AS session
    FROM (SELECT *, ${exchangeDaySql('e', range)} AS ld FROM ${src}) b
    JOIN (VALUES ${values}) c(dn, start_ms, reg_open, reg_close) ON c.dn = b.ld
    WHERE b.e >= c.reg_open AND b.e < c.reg_close
    GROUP BY ${by ? `b.${by}, ` : ''}c.dn`;
}

/** The 4h buckets' hours on the New York clock: 00:00, 04:00, 08:00 (pre-market), 12:00, 16:00 (post), 20:00. */
const FOUR_HOUR_STARTS = [0, 4, 8, 12, 16, 20];

/**
 * SQL of the 4h aggregate of `src` (`by` and `input` as intradaySql; partials must divide an hour): buckets start at
 * 00:00, 04:00, … 20:00 New York time, so 04:00-08:00 and 16:00-20:00 hold the extended hours and 08:00-12:00,
 * 12:00-16:00 the regular session. New York is not a multiple of 4 hours from UTC, so the bucket starts of each day of
 * `range` come from the zone data (exact on the days clocks change), not from e - e % width.
 */
export function fourHourSql(range: CalendarRange, src = 'src', by?: string, input: AggInput = 'bars'): string {
  const values = calendarDays(range)
    .map((d) => `(${d.dn}, ${FOUR_HOUR_STARTS.map((h) => zonedTimeToUtc(d.date, h, 0, EXCHANGE_TZ)).join(', ')})`)
    .join(', ');
  const bucket = `CASE ${[5, 4, 3, 2, 1].map((k) => `WHEN b.e >= c.b${k} THEN c.b${k}`).join(' ')} ELSE c.b0 END`;
  const cols = input === 'bars' ? `${AGG_COLUMNS}, ${SESSION_COLUMN}` : `${MERGE_COLUMNS}, ${MERGE_SESSION_COLUMN}`;
  return `SELECT ${by ? `${by}, ` : ''}${instantSql('bk')} AS ts, ${cols}
    FROM (SELECT b.*, ${bucket} AS bk
      FROM (SELECT *, ${exchangeDaySql('e', range)} AS ld FROM ${src}) b
      JOIN (VALUES ${values}) c(dn, b0, b1, b2, b3, b4, b5) ON c.dn = b.ld)
    GROUP BY ${by ? `${by}, ` : ''}bk`;
}

/** Whether every regular session of `range` opens and closes on a `widthMs` boundary (no partial straddles one). */
function partialsAlign(range: CalendarRange, widthMs: number): boolean {
  return calendarDays(range).every((d) => !d.trading || (d.regularOpen! % widthMs === 0 && d.regularClose! % widthMs === 0));
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The [from, to) range (epoch ms) of one exchange year partition that a scope's dates select. */
function partitionRange(year: number, start: string | undefined, end: string | undefined): { from: number; to: number } | null {
  const yStart = `${year}-01-01`;
  const yEnd = `${year}-12-31`;
  const first = start && start > yStart ? start : yStart;
  const last = end && end < yEnd ? end : yEnd;
  if (first > last) return null;
  return { from: exchangeMidnight(first), to: exchangeMidnight(dateOfDayNumber(dayNumberOf(last) + 1)) };
}

/**
 * How many bytes of 1m Parquet one batch reads (about 20 bytes of file per bar: some 3 million bars), which bounds the
 * aggregates it holds in memory and the size of its statements.
 */
const BATCH_BYTES = 64 << 20;

/** A source partition: its files (several until appends are compacted) are aggregated as one. */
type SourcePartition = SourceFile & { paths: string[] };

function partitionsOf(files: SourceFile[]): SourcePartition[] {
  const byKey = new Map<string, SourcePartition>();
  for (const f of files) {
    const id = `${f.provider}\0${f.feed}\0${f.symbol}\0${f.year}`;
    const p = byKey.get(id);
    if (p) p.paths.push(f.file);
    else byKey.set(id, { ...f, paths: [f.file] });
  }
  return [...byKey.values()];
}

/** Source partitions of one exchange year, in batches of at most BATCH_BYTES (at least one partition each). */
function batchesOf(files: SourcePartition[]): SourcePartition[][] {
  const byYear = new Map<number, SourcePartition[]>();
  for (const f of files) byYear.set(f.year, [...(byYear.get(f.year) ?? []), f]);
  const out: SourcePartition[][] = [];
  for (const group of byYear.values()) {
    let cur: SourcePartition[] = [];
    let bytes = 0;
    for (const f of group) {
      const size = f.paths.reduce((n, p) => n + fs.statSync(p).size, 0);
      if (cur.length > 0 && bytes + size > BATCH_BYTES) {
        out.push(cur);
        cur = [];
        bytes = 0;
      }
      cur.push(f);
      bytes += size;
    }
    if (cur.length) out.push(cur);
  }
  return out;
}

/** Builds the coarser timeframes from the lake's 1m bars for the scope. */
export async function aggregate(opts: AggregateOptions): Promise<AggregateResult> {
  const t0 = performance.now();
  const parsed = AggregateArgSchema.safeParse({ timeframes: opts.timeframes, scope: opts.scope });
  if (!parsed.success) throw new MpError('E_BAD_INPUT', `bad aggregation request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const { timeframes, scope } = parsed.data;
  const wanted = [...new Set(timeframes)];
  const files = partitionsOf(selectSources(opts.barsRoot, { ...scope, timeframe: '1m' }).flatMap((s) => s.files));
  const total = files.length * wanted.length;
  const rows: Partial<Record<Timeframe, number>> = {};
  let partitions = 0;
  let done = 0;
  // Many source partitions of one year at once: one aggregation statement per timeframe over all their 1m bars
  // (DuckDB parallelises these; per file they are too small to), then one small COPY per output partition from those
  // results, each published atomically by the writer (with the merge of rows outside the range) as before.
  for (const batch of batchesOf(files)) {
    if (opts.signal?.aborted) throw new MpError('E_CANCELLED', 'cancelled');
    const year = batch[0]!.year;
    const range = partitionRange(year, scope.start, scope.end);
    if (range === null) continue;
    // The calendar of the partition's year plus a day either side (the local-date arithmetic looks one day around).
    const cal = clampToCalendar(dayNumberOf(`${year}-01-01`) - 1, dayNumberOf(`${year}-12-31`) + 1);
    // With more than one timeframe, the 1m bars are scanned once into partial aggregates (of the widest bucket that
    // divides every intraday width, and the regular session's bounds when 1d is wanted) and each timeframe is finished
    // from those. Daily bars read the 1m bars themselves in a year whose sessions do not align to that width.
    // (4h buckets start on the New York clock: their partials are hours, which New York's whole-hour offsets align)
    const steps = wanted.filter((tf) => tf !== '1d').map((tf) => (tf === '4h' ? 3_600_000 : TIMEFRAME_MS[tf]));
    const width = [...steps, ...(wanted.includes('1d') ? [1_800_000] : [])].reduce(gcd);
    const partial = wanted.length > 1;
    const dailyFromPartials = partial && cal !== null && partialsAlign(cal, width);
    const derived = [
      ...(partial ? [{ tf: null, name: 'agg_partial', sql: partialSql(width, 'src', 'k') }] : []),
      ...wanted.flatMap((tf) => {
        const sql =
          tf === '4h'
            ? cal === null
              ? null
              : partial
                ? fourHourSql(cal, 'agg_partial', 'k', 'partials')
                : fourHourSql(cal, 'src', 'k')
            : tf === '1d'
            ? cal === null
              ? null
              : dailyFromPartials
                ? dailySql(cal, 'agg_partial', 'k', 'partials')
                : dailySql(cal, 'src', 'k')
            : partial
              ? TIMEFRAME_MS[tf] === width
                ? finishedPartialsSql('agg_partial', 'k')
                : intradaySql(TIMEFRAME_MS[tf], 'agg_partial', 'k', 'partials')
              : intradaySql(TIMEFRAME_MS[tf], 'src', 'k');
        return sql === null ? [] : [{ tf, name: `agg_${tf}`, sql }];
      }),
    ];
    // 1m files written by this build carry their sessions, which the aggregates take from them
    const session = await opts.writer.allHaveSession(batch.flatMap((f) => f.paths));
    const outputs = derived.flatMap((d) => (d.tf === null ? [] : [{ tf: d.tf, name: d.name }]));
    const writes = batch.flatMap((f, k) =>
      outputs.map((d) => ({
        key: { timeframe: d.tf, provider: f.provider, feed: f.feed, symbol: f.symbol, year: f.year },
        sql: `SELECT ts, open, high, low, close, volume, trade_count, vwap, session FROM ${d.name} WHERE k = ${k}`,
        replaceFrom: range.from,
        replaceTo: range.to,
        skipIfEmpty: true,
        withSession: session,
        ...(opts.jobId !== undefined ? { jobId: opts.jobId } : {}),
      })),
    );
    const stage = batch.map((f, k) => `SELECT ${k} AS k, e, open, high, low, close, volume, trade_count, vwap, session FROM (${sourceSql(f.paths, range.from, range.to, session)})`).join('\nUNION ALL\n');
    const results = await opts.writer.writeFromQueries(stage, writes, derived);
    results.forEach((r, i) => {
      const tf = writes[i]!.key.timeframe;
      rows[tf] = (rows[tf] ?? 0) + r.written;
      if (r.total > 0 || r.written > 0) partitions++;
    });
    done += batch.length * wanted.length;
    opts.onProgress?.(done, total);
  }
  return { sourcePartitions: files.length, partitions, rows, elapsedMs: Math.round(performance.now() - t0) };
}
