import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CALENDAR_VERSION } from '../calendar';
import type { ReconcileArg, SourceSpec } from '../contract/validation';
import { HIVE_TYPES, sqlString } from '../lake/layout';
import { MpError } from '../shared/errors';
import { dateOfDayNumber, dayNumberOf, exchangeMidnight } from '../calendar/sql';
import { isoSql, writeReport } from './report';
import { lakeSources, selectSources } from '../lake/select';
import { NUMBER_MACRO } from './sql';
import type { ValidationRunRecord, ValidationStore } from './store';

// Reconciliation: the same bars from two sources, compared in DuckDB with one FULL OUTER JOIN on (symbol, ts). The
// differences go to an audit CSV of the validation report's format (rule source_mismatch) and the run is recorded
// with the validation runs, so the Validation page lists and pages it like any other.
//
// A bar held by one source only is a warning (sources differ in what they print: odd lots, late trades); a price
// beyond the tolerance is an error (the two cannot both be right); a volume beyond its tolerance is a warning.

export const RECONCILE_RULE = 'source_mismatch';

export interface ReconcileOptions {
  barsRoot: string;
  reportDir: string;
  /** parsed by ReconcileArgSchema (the contract's dispatcher or the CLI did it) */
  arg: ReconcileArg;
  store?: ValidationStore;
}

export interface ResolvedSource {
  provider: string;
  feed: string;
  label: string;
}

export interface ReconcileResult {
  runId: string;
  createdAt: string;
  sources: [ResolvedSource, ResolvedSource];
  timeframe: string;
  symbols: string[] | null;
  start: string;
  end: string;
  priceTolerance: number;
  volumeTolerance: number;
  /** distinct symbols seen in either source */
  series: number;
  /** (symbol, ts) pairs compared: bars in either source */
  barsCompared: number;
  missing: Record<string, number>;
  priceMismatches: number;
  volumeMismatches: number;
  totalFindings: number;
  bySeverity: { error: number; warning: number; info: number };
  calendarVersion: string;
  reportFile: string;
  elapsedMs: number;
}

/** A source as given (`polygon`) made concrete (`polygon:<its one feed>`) from what the lake holds. */
export function resolveSource(barsRoot: string, spec: SourceSpec, timeframe: string): ResolvedSource {
  if (spec.feed !== null) return { provider: spec.provider, feed: spec.feed, label: `${spec.provider}:${spec.feed}` };
  const feeds = [...new Set(lakeSources(barsRoot).filter((s) => s.provider === spec.provider && s.timeframe === timeframe).map((s) => s.feed))].sort();
  if (feeds.length === 0) throw new MpError('E_NOT_FOUND', `the lake holds no ${timeframe} bars from ${spec.provider}`);
  if (feeds.length > 1) throw new MpError('E_BAD_INPUT', `${spec.provider} has several feeds in the lake (${feeds.join(', ')}): give one as ${spec.provider}:FEED`);
  return { provider: spec.provider, feed: feeds[0]!, label: `${spec.provider}:${feeds[0]!}` };
}

export function reconcileFileName(runId: string, createdAt: Date): string {
  const stamp = createdAt.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `reconcile-${stamp}-${runId}.csv`;
}

async function rows(conn: DuckDBConnection, sql: string): Promise<unknown[][]> {
  return (await conn.runAndReadAll(sql)).getRowsJson() as unknown[][];
}

export async function runReconcile(opts: ReconcileOptions): Promise<ReconcileResult> {
  const t0 = performance.now();
  const arg = opts.arg;
  const [a, b] = [resolveSource(opts.barsRoot, arg.sources[0]!, arg.timeframe), resolveSource(opts.barsRoot, arg.sources[1]!, arg.timeframe)];
  if (a.label === b.label) throw new MpError('E_BAD_INPUT', `both sources are ${a.label}`);
  const created = new Date();
  const runId = randomUUID().slice(0, 8);
  const reportFile = path.join(opts.reportDir, reconcileFileName(runId, created));
  const lo = exchangeMidnight(arg.start);
  const hi = exchangeMidnight(dateOfDayNumber(dayNumberOf(arg.end) + 1));

  const filesOf = (s: ResolvedSource) =>
    selectSources(opts.barsRoot, { provider: s.provider, feed: s.feed, timeframe: arg.timeframe, start: arg.start, end: arg.end, ...(arg.symbols ? { symbols: arg.symbols } : {}) }).flatMap((x) =>
      x.files.map((f) => f.file),
    );
  // Empty typed relation when a source has no file in scope: every bar of the other side is then "missing" there.
  const barsOf = (files: string[]) =>
    files.length === 0
      ? `SELECT NULL::VARCHAR AS symbol, NULL::BIGINT AS e, NULL::DOUBLE AS open, NULL::DOUBLE AS high, NULL::DOUBLE AS low, NULL::DOUBLE AS close, NULL::DOUBLE AS volume WHERE false`
      : `SELECT symbol, epoch_ms(ts) AS e, open, high, low, close, volume
         FROM read_parquet([${files.map(sqlString).join(', ')}], hive_partitioning = true, hive_types = ${HIVE_TYPES})
         WHERE ts >= to_timestamp(${lo / 1000}) AND ts < to_timestamp(${hi / 1000})`;

  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`SET TimeZone = 'UTC'`);
    await conn.run(NUMBER_MACRO);
    // Relative difference; equal values (NULLs and NaNs included) are no difference, one missing or non-finite value
    // against a number is the largest.
    await conn.run(`CREATE OR REPLACE TEMP MACRO mp_rel(x, y) AS
      CASE WHEN x IS NOT DISTINCT FROM y THEN 0::DOUBLE
           WHEN x IS NULL OR y IS NULL OR NOT isfinite(x) OR NOT isfinite(y) THEN 'inf'::DOUBLE
           ELSE abs(x - y) / greatest(abs(x), abs(y)) END`);
    await conn.run(`CREATE TEMP TABLE j AS
      SELECT coalesce(a.symbol, b.symbol) AS symbol, coalesce(a.e, b.e) AS e, a.e IS NOT NULL AS has_a, b.e IS NOT NULL AS has_b,
        a.open AS ao, a.high AS ah, a.low AS al, a.close AS ac, a.volume AS av,
        b.open AS bo, b.high AS bh, b.low AS bl, b.close AS bc, b.volume AS bv
      FROM (${barsOf(filesOf(a))}) a FULL OUTER JOIN (${barsOf(filesOf(b))}) b ON a.symbol = b.symbol AND a.e = b.e`);

    const A = sqlString(a.label);
    const B = sqlString(b.label);
    const pt = `${arg.priceTolerance}::DOUBLE`;
    const vt = `${arg.volumeTolerance}::DOUBLE`;
    const side = (p: string) => `json_object('open', ${p}o, 'high', ${p}h, 'low', ${p}l, 'close', ${p}c, 'volume', ${p}v)`;
    const observed = `json_object(${A}, CASE WHEN has_a THEN ${side('a')} END, ${B}, CASE WHEN has_b THEN ${side('b')} END)::VARCHAR`;
    const fieldDiff = (name: string, x: string, y: string) => `CASE WHEN mp_rel(${x}, ${y}) > ${pt} THEN format('{} {} vs {}', '${name}', mp_num(${x}), mp_num(${y})) END`;
    const priceRel = `greatest(mp_rel(ao, bo), mp_rel(ah, bh), mp_rel(al, bl), mp_rel(ac, bc))`;
    await conn.run(`CREATE TEMP TABLE d AS
      SELECT symbol, e, 0 AS k, 'warning' AS severity, format('bar missing in {} (present in {})', ${B}, ${A}) AS message, NULL::DOUBLE AS value, ${observed} AS observed
        FROM j WHERE has_a AND NOT has_b
      UNION ALL
      SELECT symbol, e, 0, 'warning', format('bar missing in {} (present in {})', ${A}, ${B}), NULL, ${observed}
        FROM j WHERE has_b AND NOT has_a
      UNION ALL
      SELECT symbol, e, 1, 'error',
        format('price differs beyond {}: {} ({} vs {})', mp_num(${pt}), concat_ws(', ', ${fieldDiff('open', 'ao', 'bo')}, ${fieldDiff('high', 'ah', 'bh')}, ${fieldDiff('low', 'al', 'bl')}, ${fieldDiff('close', 'ac', 'bc')}), ${A}, ${B}),
        ${priceRel}, ${observed}
        FROM j WHERE has_a AND has_b AND ${priceRel} > ${pt}
      UNION ALL
      SELECT symbol, e, 2, 'warning', format('volume differs beyond {}: {} vs {} ({} vs {})', mp_num(${vt}), mp_num(av), mp_num(bv), ${A}, ${B}), mp_rel(av, bv), ${observed}
        FROM j WHERE has_a AND has_b AND mp_rel(av, bv) > ${vt}`);

    const [stats] = await rows(
      conn,
      `SELECT (SELECT count(*) FROM j), (SELECT count(DISTINCT symbol) FROM j),
         (SELECT count(*) FILTER (WHERE has_a AND NOT has_b) FROM j), (SELECT count(*) FILTER (WHERE has_b AND NOT has_a) FROM j),
         (SELECT count(*) FILTER (WHERE k = 1) FROM d), (SELECT count(*) FILTER (WHERE k = 2) FROM d)`,
    );
    const [barsCompared, series, missingInB, missingInA, priceMismatches, volumeMismatches] = (stats ?? []).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];

    await writeReport(
      conn,
      `SELECT symbol, ${sqlString(arg.timeframe)} AS timeframe, ${isoSql('e')} AS ts, '${RECONCILE_RULE}' AS rule, severity, message,
         ${sqlString(`${a.provider},${b.provider}`)} AS provider, ${sqlString(`${a.feed},${b.feed}`)} AS feed, NULL::VARCHAR AS job_id,
         ${sqlString(CALENDAR_VERSION)} AS calendar_version, value, observed
       FROM d ORDER BY symbol, e, k`,
      reportFile,
    );

    const errors = priceMismatches;
    const warnings = missingInA + missingInB + volumeMismatches;
    const result: ReconcileResult = {
      runId,
      createdAt: created.toISOString(),
      sources: [a, b],
      timeframe: arg.timeframe,
      symbols: arg.symbols ?? null,
      start: arg.start,
      end: arg.end,
      priceTolerance: arg.priceTolerance,
      volumeTolerance: arg.volumeTolerance,
      series,
      barsCompared,
      missing: { [b.label]: missingInB, [a.label]: missingInA },
      priceMismatches,
      volumeMismatches,
      totalFindings: errors + warnings,
      bySeverity: { error: errors, warning: warnings, info: 0 },
      calendarVersion: CALENDAR_VERSION,
      reportFile,
      elapsedMs: Math.round(performance.now() - t0),
    };
    opts.store?.save(reconcileRecord(result));
    return result;
  } catch (e) {
    if (e instanceof MpError) throw e;
    throw new MpError('E_INTERNAL', `reconciliation failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { cause: e });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The run as the validation store keeps it; `kind: 'reconcile'` in its scope tells it apart on the page. */
export function reconcileRecord(r: ReconcileResult): ValidationRunRecord {
  const counts: ValidationRunRecord['counts'] = {};
  if (r.totalFindings > 0) {
    counts[RECONCILE_RULE] = {};
    if (r.bySeverity.error > 0) counts[RECONCILE_RULE].error = r.bySeverity.error;
    if (r.bySeverity.warning > 0) counts[RECONCILE_RULE].warning = r.bySeverity.warning;
  }
  return {
    id: r.runId,
    createdAt: r.createdAt,
    jobId: null,
    scope: {
      kind: 'reconcile',
      sources: r.sources.map((s) => s.label),
      ...(r.symbols ? { symbols: r.symbols } : {}),
      start: r.start,
      end: r.end,
      timeframe: r.timeframe,
    },
    thresholds: { priceTolerance: r.priceTolerance, volumeTolerance: r.volumeTolerance },
    calendarVersion: r.calendarVersion,
    provider: `${r.sources[0].provider},${r.sources[1].provider}`,
    feed: `${r.sources[0].feed},${r.sources[1].feed}`,
    reportFile: r.reportFile,
    series: r.series,
    barsChecked: r.barsCompared,
    findingsTotal: r.totalFindings,
    counts,
    elapsedMs: r.elapsedMs,
  };
}
