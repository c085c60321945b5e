import { MAX_PRICE, MAX_VOLUME, type Thresholds } from './rules';

// The rules as SQL over two temp tables built per batch of series (see run.ts):
//   b(sid, e, open, high, low, close, volume, ld, prev_e, prev_close, prev_ld, rn): the bars in epoch ms with their
//     exchange day number and the previous bar of the same series (window lag), so no rule needs its own sort;
//   cal(dn, start_ms, trading, closed_why, pre_open, reg_open, reg_close, post_close, ...): the calendar;
//   series(sid, provider, feed, timeframe, symbol, step_ms): the series of the run.
// Every statement appends to findings(sid, e, rule, severity, message, value, observed).

export interface RuleContext {
  t: Thresholds;
  /** epoch ms */
  now: number;
  /** scope bounds as exchange day numbers; null = the series' own first/last day */
  scopeFirstDay: number | null;
  scopeLastDay: number | null;
}

const INSERT = 'INSERT INTO findings (sid, e, rule, severity, message, value, observed)';
const OHLC_JSON = `json_object('open', open, 'high', high, 'low', low, 'close', close, 'volume', volume)::VARCHAR`;
const FINITE = 'isfinite(open) AND isfinite(high) AND isfinite(low) AND isfinite(close)';
const DAY = 86_400_000;
/** the largest finite price of a bar (NULL when none is) */
const BIGGEST = `greatest(CASE WHEN isfinite(open) THEN open END, CASE WHEN isfinite(high) THEN high END, CASE WHEN isfinite(low) THEN low END, CASE WHEN isfinite(close) THEN close END)`;
// Milliseconds since local midnight of a bar, for messages. Offsets change at 02:00, so a bar after that is measured
// from 04:00 local (pre_open, from the calendar), one before it from local midnight: right on DST days too.
const localTimeOfDay = `CASE WHEN b.e >= c.pre_open - 7200000 THEN b.e - c.pre_open + 14400000 ELSE b.e - c.start_ms END`;

function lit(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  return `${n}::DOUBLE`;
}

/** Numbers in messages as people write them: 99 rather than 99.0, full precision otherwise. */
export const NUMBER_MACRO = `CREATE OR REPLACE TEMP MACRO mp_num(x) AS
  CASE WHEN isfinite(x) AND x = trunc(x) AND abs(x) < 1e15 THEN (x::BIGINT)::VARCHAR ELSE x::VARCHAR END`;

/** Per-bar rules: one pass over b each (b is in memory, a scan is milliseconds). */
export function barRules(ctx: RuleContext): string[] {
  const { t } = ctx;
  const ratios = `[${t.splitRatios.map(lit).join(', ')}]`;
  // The split candidate of a session's first bar: the first ratio previous close / open comes within tolerance of.
  const splitRatio = `list_filter(${ratios}, lambda r: abs((prev_close / open) / r - 1) <= ${lit(t.splitTolerance)})[1]`;
  return [
    `${INSERT} SELECT sid, e, 'ohlc_consistency', 'error',
       CASE WHEN low > high THEN format('low {} is above high {}', mp_num(low), mp_num(high))
            WHEN high < greatest(open, close) THEN format('high {} is below max(open, close) {}', mp_num(high), mp_num(greatest(open, close)))
            ELSE format('low {} is above min(open, close) {}', mp_num(low), mp_num(least(open, close))) END,
       NULL, ${OHLC_JSON}
     FROM b WHERE ${FINITE} AND (high < greatest(open, close) OR low > least(open, close) OR low > high)`,

    // NULL, NaN and infinite prices are reported here too: none of them is a usable price.
    `${INSERT} SELECT sid, e, 'non_positive_price', 'error',
       format('price not a positive number: open {} high {} low {} close {}', mp_num(open), mp_num(high), mp_num(low), mp_num(close)),
       least(open, high, low, close), ${OHLC_JSON}
     FROM b WHERE NOT coalesce(${FINITE} AND open > 0 AND high > 0 AND low > 0 AND close > 0, false)`,

    // Finite prices only: a NaN or infinite one is non_positive_price's.
    `${INSERT} SELECT sid, e, 'price_out_of_range', 'error',
       CASE WHEN NOT coalesce(isfinite(volume), false) THEN format('volume {} is not a finite number', mp_num(volume))
            WHEN volume > ${lit(MAX_VOLUME)} THEN format('volume {} is above {}', mp_num(volume), mp_num(${lit(MAX_VOLUME)}))
            ELSE format('price {} is above {}', mp_num(${BIGGEST}), mp_num(${lit(MAX_PRICE)})) END,
       CASE WHEN coalesce(isfinite(volume) AND volume <= ${lit(MAX_VOLUME)}, false) THEN ${BIGGEST} ELSE volume END, ${OHLC_JSON}
     FROM b WHERE coalesce(${BIGGEST} > ${lit(MAX_PRICE)}, false) OR NOT coalesce(isfinite(volume) AND volume <= ${lit(MAX_VOLUME)}, false)`,

    `${INSERT} SELECT sid, e, 'negative_volume', 'error', format('volume {} is negative', mp_num(volume)), volume, ${OHLC_JSON}
     FROM b WHERE volume < 0`,

    // b is ordered by (sid, e) in its window, so a repeated timestamp is a bar whose predecessor has the same e.
    `${INSERT} SELECT sid, e, 'duplicate_bar', 'error', format('{} bars with the same timestamp', count(*) + 1), count(*) + 1,
       json_object('copies', count(*) + 1)::VARCHAR
     FROM b WHERE e = prev_e GROUP BY sid, e`,

    // New York is a whole number of hours from UTC, so intraday boundaries of the New York clock (5m … 1h) are the
    // same instants as UTC ones: e % step. Daily bars must sit at 00:00 New York of their date.
    `${INSERT} SELECT b.sid, b.e, 'timestamp_alignment', 'error',
       CASE WHEN s.step_ms = ${DAY} THEN format('{} bar not at 00:00 America/New_York', s.timeframe)
            ELSE format('{} bar not on a {}-minute boundary ({} s past it)', s.timeframe, s.step_ms // 60000, (b.e % s.step_ms) / 1000) END,
       CASE WHEN s.step_ms = ${DAY} THEN (b.e - c.start_ms) / 1000 ELSE (b.e % s.step_ms) / 1000 END,
       json_object('offset_seconds', CASE WHEN s.step_ms = ${DAY} THEN (b.e - c.start_ms) / 1000 ELSE (b.e % s.step_ms) / 1000 END)::VARCHAR
     FROM b JOIN series s USING (sid) LEFT JOIN cal c ON c.dn = b.ld
     WHERE CASE WHEN s.step_ms = ${DAY} THEN b.e <> c.start_ms ELSE b.e % s.step_ms <> 0 END`,

    `${INSERT} SELECT b.sid, b.e, 'non_trading_day', 'error',
       format('bar on {} {}, not a trading day', strftime(c.d, '%Y-%m-%d'), c.closed_why), NULL,
       json_object('date', strftime(c.d, '%Y-%m-%d'), 'closed', c.closed_why)::VARCHAR
     FROM b JOIN cal c ON c.dn = b.ld WHERE NOT c.trading`,

    `${INSERT} SELECT b.sid, b.e, 'outside_trading_hours', 'warning',
       format('bar at {} New York, outside 04:00-{}', strftime(epoch_ms(${localTimeOfDay}), '%H:%M'),
              CASE WHEN c.early_close THEN '17:00 (early close)' ELSE '20:00' END),
       NULL, json_object('local_time', strftime(epoch_ms(${localTimeOfDay}), '%H:%M'), 'early_close', c.early_close)::VARCHAR
     FROM b JOIN series s USING (sid) JOIN cal c ON c.dn = b.ld
     WHERE s.step_ms < ${DAY} AND c.trading AND (b.e < c.pre_open OR b.e >= c.post_close)`,

    `${INSERT} SELECT sid, e, 'future_timestamp', 'error', format('bar stamped {} s after now', (e - ${ctx.now}) // 1000), (e - ${ctx.now}) / 1000,
       json_object('now', ${isoLit(ctx.now)})::VARCHAR
     FROM b WHERE e > ${ctx.now}`,

    // A split explains its own jump: the first bar after a split is reported once, as possible_split.
    `${INSERT} SELECT sid, e, 'possible_split', 'warning',
       format('previous close {} / open {} = {} (near a {} split)', mp_num(prev_close), mp_num(open), mp_num(round(prev_close / open, 4)), mp_num(round(ratio, 4))), ratio,
       json_object('prev_close', prev_close, 'open', open, 'ratio', prev_close / open, 'split_ratio', ratio)::VARCHAR
     FROM (SELECT *, ${splitRatio} AS ratio FROM b WHERE ld <> prev_ld AND open > 0 AND prev_close > 0)
     WHERE ratio IS NOT NULL`,

    `${INSERT} SELECT sid, e, 'price_jump', 'warning',
       format('close moved {}% from {} to {} ({})', mp_num(round(move * 100, 2)), mp_num(prev_close), mp_num(close), CASE WHEN same THEN 'within the session' ELSE 'across sessions' END),
       move, json_object('prev_close', prev_close, 'close', close, 'move', move)::VARCHAR
     FROM (SELECT sid, e, prev_close, close, open, ld = prev_ld AS same, close / prev_close - 1 AS move, ld, prev_ld
           FROM b WHERE prev_close > 0 AND isfinite(close))
     WHERE abs(move) > CASE WHEN same THEN ${lit(t.priceJumpIntraday)} ELSE ${lit(t.priceJumpAcrossSessions)} END
       AND (same OR NOT (open > 0 AND ${splitRatio} IS NOT NULL))`,

    // Gaps and islands: within one series and one OHLC value, consecutive zero-volume bars share rn - row_number().
    `${INSERT} SELECT sid, min(e), 'stale_price', 'warning',
       format('{} consecutive bars with price {} and zero volume, until {}', count(*), mp_num(any_value(close)), ${isoSqlInline('max(e)')}), count(*),
       json_object('bars', count(*), 'open', any_value(open), 'high', any_value(high), 'low', any_value(low), 'close', any_value(close), 'last', ${isoSqlInline('max(e)')})::VARCHAR
     FROM (SELECT sid, e, open, high, low, close, rn - row_number() OVER (PARTITION BY sid, open, high, low, close ORDER BY e) AS island
           FROM b WHERE volume = 0)
     GROUP BY sid, open, high, low, close, island HAVING count(*) >= ${Math.trunc(t.staleRunBars)}`,
  ];
}

/** Per-day rules over sd (one row per series and day with bars): missing sessions and intraday gaps. */
export function dayRules(ctx: RuleContext): string[] {
  const { t } = ctx;
  const lo = ctx.scopeFirstDay === null ? 'first_day' : String(ctx.scopeFirstDay);
  const hi = ctx.scopeLastDay === null ? 'last_day' : String(ctx.scopeLastDay);
  return [
    `${INSERT} SELECT ss.sid, c.start_ms, 'missing_session', CASE WHEN ss.thin THEN 'warning' ELSE 'error' END,
       format('no bars on trading day {}', strftime(c.d, '%Y-%m-%d')), NULL,
       json_object('date', strftime(c.d, '%Y-%m-%d'), 'median_bars_per_day', ss.median_bars)::VARCHAR
     FROM ss JOIN cal c ON c.dn BETWEEN ${lo} AND ${hi} AND c.trading AND c.post_close <= ${ctx.now}
     ANTI JOIN sd ON sd.sid = ss.sid AND sd.ld = c.dn`,

    `${INSERT} SELECT sd.sid, sd.first_missing, 'intraday_gap',
       CASE WHEN ss.thin OR sd.missing < sd.expected * ${lit(t.gapInfoBelow)} THEN 'info'
            WHEN sd.missing < sd.expected * ${lit(t.gapWarningBelow)} THEN 'warning' ELSE 'error' END,
       format('{} of {} regular-session bars missing on {} ({}%){}', sd.missing, sd.expected, strftime(c.d, '%Y-%m-%d'),
              mp_num(round(100.0 * sd.missing / sd.expected, 1)), CASE WHEN ss.thin THEN '; thin symbol' ELSE '' END),
       sd.missing,
       json_object('date', strftime(c.d, '%Y-%m-%d'), 'expected', sd.expected, 'present', sd.present, 'missing', sd.missing,
                   'first_missing', ${isoSqlInline('sd.first_missing')}, 'thin', ss.thin)::VARCHAR
     FROM sd JOIN ss USING (sid) JOIN cal c ON c.dn = sd.ld
     WHERE ss.intraday AND c.trading AND c.reg_close <= ${ctx.now} AND sd.missing > 0`,
  ];
}

/**
 * sd: per series and trading day with bars, the regular-session bar count against the expected count. The session's
 * buckets run from the open rounded down to the timeframe (09:00 for 1h bars) to the close; the first missing bucket
 * is found from each bar's predecessor, so no per-minute grid is materialised.
 */
export function daySummarySql(): string {
  return `CREATE OR REPLACE TEMP TABLE sd AS
    SELECT sid, ld, count(*) AS n, any_value(expected) AS expected, count(*) FILTER (WHERE in_reg) AS present,
      any_value(expected) - count(*) FILTER (WHERE in_reg) AS missing,
      coalesce(min(CASE WHEN NOT in_reg THEN NULL
                        WHEN prev_e IS NULL OR prev_e < lo THEN CASE WHEN e > lo THEN lo END
                        WHEN e - prev_e > step_ms THEN prev_e + step_ms END),
               max(e) FILTER (WHERE in_reg) + any_value(step_ms), any_value(lo)) AS first_missing
    FROM (
      SELECT b.sid, b.ld, b.e, b.prev_e, s.step_ms, lo, (c.reg_close - lo + s.step_ms - 1) // s.step_ms AS expected,
        b.e >= lo AND b.e < c.reg_close AND b.e % s.step_ms = 0 AND b.e IS DISTINCT FROM b.prev_e AS in_reg
      FROM b JOIN series s USING (sid) JOIN cal c ON c.dn = b.ld,
        LATERAL (SELECT c.reg_open - c.reg_open % s.step_ms AS lo)
      WHERE c.trading
    )
    GROUP BY sid, ld`;
}

/** ss: per series, its first and last day with bars, median bars per day and whether it is thin. */
export function seriesSummarySql(t: Thresholds): string {
  return `CREATE OR REPLACE TEMP TABLE ss AS
    SELECT s.sid, s.step_ms < ${DAY} AS intraday, d.first_day, d.last_day, m.median_bars,
      s.step_ms < ${DAY} AND coalesce(m.median_bars, 0) < ${lit(t.thinMedianBarsPerDay)} * 60000 / s.step_ms AS thin
    FROM series s
    JOIN (SELECT sid, min(ld) AS first_day, max(ld) AS last_day FROM b GROUP BY sid) d USING (sid)
    LEFT JOIN (SELECT sid, median(n) AS median_bars FROM sd GROUP BY sid) m USING (sid)`;
}

function isoSqlInline(e: string): string {
  return `strftime(epoch_ms(${e}), '%Y-%m-%dT%H:%M:%SZ')`;
}

function isoLit(ms: number): string {
  return `'${new Date(ms).toISOString()}'`;
}
