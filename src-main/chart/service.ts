import fs from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { TIMEFRAMES, type Timeframe } from '../contract/schemas';
import { FINDING_MARKS_PER, MAX_FINDING_MARKS, MAX_FINDINGS, MAX_SESSION_DAYS, type ChartBars, type ChartBarsArg, type ChartExtent, type ChartFindings, type ChartSession } from '../contract/chart';
import { dailySql, intradaySql } from '../aggregate/aggregate';
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, exchangeDate, sessionFor, tradingDays } from '../calendar';
import { sqlString, type SourceKey } from '../lake/layout';
import { preferredSources } from '../lake/sources';
import { clampToCalendar, dayNumberOf, exchangeMidnight, dateOfDayNumber } from '../calendar/sql';
import { lakeSources, selectSources, type SourceFile } from '../lake/select';
import { TIMEFRAME_MS } from '../../src-common/timeframes';
import { REPORT_HEADER } from '../validate/report';
import { MpError } from '../shared/errors';

// What the chart explorer reads: bars of one source by visible range, coarser when zoomed out, NYSE sessions and the
// validation findings of the recorded audit reports. Its own in-memory DuckDB, apart from the query workbench's
// locked-down one: that one may read only the lake, and audit reports live elsewhere (<data>/reports or --report-dir).
// Only our own statements run here, with values checked by the contract (symbols match SYMBOL_RE, instants are
// integers), so nothing user-written reaches SQL.

export interface ChartServiceOptions {
  barsRoot: string;
  /** MP_SOURCE_PRECEDENCE: which source is offered first */
  precedence: string[];
  /** the audit reports to read findings from, newest first (the validation store's records) */
  reportFiles: () => string[];
}

/** The chart's ladder of timeframes it can compute on the fly (4h buckets are not e - e % width: built by aggregate only). */
const FINEST_FIRST: readonly Timeframe[] = TIMEFRAMES.filter((tf) => tf !== '4h');
/** New York bars of intraday timeframes lie between 04:00 and 20:00, so (e - 5h) falls on their exchange date. */
const DAY_OF_INTRADAY = (e: string) => `((${e}) - 18000000) // 86400000`;

function tfIndex(tf: Timeframe): number {
  // 4h is not on the ladder: a 4h request starts from 1h (the answer names the timeframe it gives)
  return FINEST_FIRST.indexOf(tf === '4h' ? '1h' : tf);
}

function toTs(ms: number): string {
  return `to_timestamp(${ms} / 1000.0)`;
}

/** Years whose partitions can hold bars in [from, to): a partition year is the exchange year, so one either side. */
function years(from: number, to: number): { start: string; end: string } {
  const y0 = new Date(from).getUTCFullYear();
  const y1 = new Date(to).getUTCFullYear();
  return { start: `${y0 - 1}-12-31`, end: `${y1}-12-31` };
}

export class ChartService {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly opts: ChartServiceOptions,
  ) {}

  static async open(opts: ChartServiceOptions): Promise<ChartService> {
    const instance = await DuckDBInstance.create(':memory:', { memory_limit: '1GB', threads: '2' });
    return new ChartService(instance, opts);
  }

  /** One connection per call, so concurrent requests (a pan while findings load) do not share a statement. */
  private async withConn<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn = await this.instance.connect();
    try {
      // time_bucket-style casts below are to and from UTC instants
      await conn.run(`SET TimeZone = 'UTC'`);
      return await fn(conn);
    } catch (e) {
      if (e instanceof MpError) throw e;
      throw new MpError('E_QUERY', `chart: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { cause: e });
    } finally {
      conn.closeSync();
    }
  }

  symbols(): string[] {
    return [...new Set(lakeSources(this.opts.barsRoot).map((s) => s.symbol))].sort();
  }

  /** The sources holding `symbol`, preferred first. */
  private sourcesOf(symbol: string): Array<{ provider: string; feed: string; timeframes: Timeframe[] }> {
    const keys = lakeSources(this.opts.barsRoot).filter((s) => s.symbol === symbol);
    const bySource = new Map<string, { provider: string; feed: string; timeframes: Timeframe[] }>();
    for (const k of keys) {
      const id = `${k.provider}\u0000${k.feed}`;
      const cur = bySource.get(id) ?? { provider: k.provider, feed: k.feed, timeframes: [] };
      cur.timeframes.push(k.timeframe);
      bySource.set(id, cur);
    }
    // rank every source as if it were one timeframe: preferredSources keeps the best, then the rest by the same order
    const ranked: SourceKey[] = [];
    let rest: SourceKey[] = [...bySource.values()].map((s) => ({ symbol, timeframe: '1m', provider: s.provider, feed: s.feed }));
    while (rest.length) {
      const best = preferredSources(rest, this.opts.precedence)[0]!;
      ranked.push(best);
      rest = rest.filter((s) => s !== best && !(s.provider === best.provider && s.feed === best.feed));
    }
    return ranked.map((r) => {
      const s = bySource.get(`${r.provider}\u0000${r.feed}`)!;
      return { ...s, timeframes: [...s.timeframes].sort((a, b) => tfIndex(a) - tfIndex(b)) };
    });
  }

  private files(symbol: string, provider: string, feed: string, timeframe: Timeframe, range?: { from: number; to: number }): SourceFile[] {
    const scope = { symbols: [symbol], provider, feed, timeframe, ...(range ? years(range.from, range.to) : {}) };
    return selectSources(this.opts.barsRoot, scope).flatMap((s) => s.files);
  }

  async extent(symbol: string): Promise<ChartExtent> {
    const sources = this.sourcesOf(symbol);
    return this.withConn(async (conn) => {
      const out: ChartExtent['sources'] = [];
      for (const s of sources) {
        const files = this.files(symbol, s.provider, s.feed, s.timeframes[0]!);
        if (files.length === 0) continue;
        // min/max come from the Parquet footers' statistics: no data page is read
        const r = await conn.runAndReadAll(
          `SELECT epoch_ms(min(ts))::DOUBLE, epoch_ms(max(ts))::DOUBLE FROM read_parquet([${files.map((f) => sqlString(f.file)).join(', ')}])`,
        );
        const [first, last] = r.getRowsJS()[0] ?? [];
        if (typeof first !== 'number' || typeof last !== 'number') continue;
        out.push({ ...s, first, last });
      }
      return { symbol, sources: out };
    });
  }

  async bars(arg: ChartBarsArg): Promise<ChartBars> {
    const { symbol, from, to, maxBars } = arg;
    const sources = this.sourcesOf(symbol);
    if (sources.length === 0) throw new MpError('E_NOT_FOUND', `no bars for ${symbol} in the lake: ingest it first`);
    const source = arg.provider ? sources.find((s) => s.provider === arg.provider && s.feed === arg.feed) : sources[0];
    if (!source) throw new MpError('E_NOT_FOUND', `no ${arg.provider}/${arg.feed} bars for ${symbol} (held: ${sources.map((s) => `${s.provider}/${s.feed}`).join(', ')})`);
    const { provider, feed } = source;
    const base = source.timeframes[0]!;
    // Never finer than what is stored; never coarser than needed.
    const ladder = FINEST_FIRST.filter((tf) => tfIndex(tf) >= Math.max(tfIndex(arg.timeframe), tfIndex(base)));
    const baseFiles = this.files(symbol, provider, feed, base, { from, to });
    const empty = { symbol, provider, feed, requested: arg.timeframe, from, to, truncated: false, t: [], o: [], h: [], l: [], c: [], v: [] };
    if (baseFiles.length === 0) return { ...empty, timeframe: ladder[0]!, origin: 'lake' };
    const list = `[${baseFiles.map((f) => sqlString(f.file)).join(', ')}]`;
    const inRange = (lo: number, hi: number) => `ts >= ${toTs(lo)} AND ts < ${toTs(hi)}`;

    return this.withConn(async (conn) => {
      // How many bars each candidate timeframe would give over the range, in one pass over the base bars.
      const counts = ladder.map((tf) =>
        tf === base ? 'count(*)' : tf === '1d' ? `count(DISTINCT ${DAY_OF_INTRADAY('e')})` : `count(DISTINCT e - e % ${TIMEFRAME_MS[tf]})`,
      );
      const countRow = (await conn.runAndReadAll(`SELECT ${counts.join(', ')} FROM (SELECT epoch_ms(ts) AS e FROM read_parquet(${list}) WHERE ${inRange(from, to)})`)).getRowsJS()[0] ?? [];
      const n = countRow.map((x) => Number(x ?? 0));
      let pick = n.findIndex((k) => k <= maxBars);
      const truncated = pick < 0;
      if (pick < 0) pick = ladder.length - 1;
      const timeframe = ladder[pick]!;
      const expected = n[pick]!;

      // Whole buckets only: a bucket cut by the range's edge would show a false open or close.
      const lo = timeframe === '1d' ? exchangeMidnight(exchangeDate(from)) : from - (from % TIMEFRAME_MS[timeframe]);
      const hiDate = exchangeDate(to - 1);
      const hi = timeframe === '1d' ? exchangeMidnight(dateOfDayNumber(dayNumberOf(hiDate) + 1)) : Math.ceil(to / TIMEFRAME_MS[timeframe]) * TIMEFRAME_MS[timeframe];
      const cols = `epoch_ms(ts)::DOUBLE AS t, open, high, low, close, coalesce(volume, 0)::DOUBLE AS volume`;
      // A bar without a price cannot be drawn (zod would refuse NaN too); volume may be missing, it counts as 0.
      const read = async (relation: string) => {
        const sql = `SELECT * FROM (${relation}) WHERE open IS NOT NULL AND high IS NOT NULL AND low IS NOT NULL AND close IS NOT NULL ORDER BY t LIMIT ${maxBars}`;
        return (await conn.runAndReadAll(sql)).getColumnsJS().map((col) => col.map((x) => Number(x ?? 0)));
      };
      let origin: ChartBars['origin'] = 'lake';
      let columns: number[][] | null = null;
      if (timeframe === base) {
        columns = await read(`SELECT ${cols} FROM read_parquet(${list}) WHERE ${inRange(lo, hi)}`);
      } else if (source.timeframes.includes(timeframe)) {
        // Pre-aggregated bars from the lake, if they cover the range as the base bars do (intraday counts are exact).
        const stored = this.files(symbol, provider, feed, timeframe, { from: lo, to: hi });
        if (stored.length) {
          const got = await read(`SELECT ${cols} FROM read_parquet([${stored.map((f) => sqlString(f.file)).join(', ')}]) WHERE ${inRange(lo, hi)}`);
          const complete = timeframe === '1d' ? (got[0]?.length ?? 0) > 0 : (got[0]?.length ?? 0) === Math.min(expected, maxBars);
          if (complete) columns = got;
        }
      }
      if (columns === null) {
        origin = 'computed';
        const src = `SELECT epoch_ms(ts) AS e, open, high, low, close, volume, trade_count, vwap, NULL::VARCHAR AS session FROM read_parquet(${list}) WHERE ${inRange(lo, hi)}`;
        let agg: string;
        if (timeframe === '1d') {
          const cal = clampToCalendar(dayNumberOf(exchangeDate(lo)) - 1, dayNumberOf(hiDate) + 1);
          if (cal === null) return { ...empty, timeframe, origin };
          agg = dailySql(cal);
        } else {
          agg = intradaySql(TIMEFRAME_MS[timeframe]);
        }
        columns = await read(`WITH src AS (${src}) SELECT ${cols} FROM (${agg})`);
      }
      const [t = [], o = [], h = [], l = [], c = [], v = []] = columns;
      return { symbol, provider, feed, requested: arg.timeframe, timeframe, origin, from: lo, to: hi, truncated, t, o, h, l, c, v };
    });
  }

  /** The NYSE sessions of the exchange days that [from, to) touches, from the calendar module. */
  sessions(from: number, to: number): ChartSession[] {
    const first = exchangeDate(Math.max(from, Date.UTC(CALENDAR_FIRST_YEAR, 0, 2)));
    const last = exchangeDate(Math.min(to - 1, Date.UTC(CALENDAR_LAST_YEAR, 11, 31)));
    if (first > last) return [];
    if (dayNumberOf(last) - dayNumberOf(first) > (MAX_SESSION_DAYS * 365) / 252) {
      throw new MpError('E_BAD_INPUT', `range too long for sessions: at most ${MAX_SESSION_DAYS} sessions (about 23 years) at once`);
    }
    return tradingDays(first, last).flatMap((date) => {
      const s = sessionFor(date);
      return s ? [{ date, preOpen: s.preOpen, open: s.regularOpen, close: s.regularClose, postClose: s.postClose, earlyClose: s.earlyClose }] : [];
    });
  }

  /**
   * Findings of `symbol` in [from, to) from the recorded audit reports, one per (bar, rule, source, message): the first
   * MAX_FINDINGS of them, and all of them counted by severity in groups of `per` ms for the markers.
   */
  async findings(arg: { symbol: string; from: number; to: number; provider?: string; feed?: string; timeframe?: string; per?: number }): Promise<ChartFindings> {
    const files = this.opts.reportFiles().filter((f) => fs.existsSync(f));
    const noMarks = { t: [], error: [], warning: [], info: [] };
    if (files.length === 0) return { findings: [], truncated: false, marks: noMarks, marksTruncated: false, reports: 0 };
    const per = Math.min(FINDING_MARKS_PER.max, Math.max(FINDING_MARKS_PER.min, Math.floor(arg.per ?? FINDING_MARKS_PER.min)));
    const columns = `{${REPORT_HEADER.map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ')}}`;
    // Cells starting with = + - @ TAB CR were written with a leading apostrophe (the formula guard): undo it.
    const unguard = (c: string) => `regexp_replace(${c}, '^''([=+\\-@\\t\\r])', '\\1')`;
    const where = [
      `unguarded_symbol = ${sqlString(arg.symbol)}`,
      `t >= ${arg.from} AND t < ${arg.to}`,
      arg.provider ? `provider = ${sqlString(arg.provider)}` : null,
      arg.feed ? `feed = ${sqlString(arg.feed)}` : null,
      arg.timeframe ? `timeframe = ${sqlString(arg.timeframe)}` : null,
    ].filter(Boolean);
    // The reports are read once into a temp table of this connection; the list and the counts are both read from it.
    const load = `CREATE TEMP TABLE f AS SELECT DISTINCT t, timeframe, rule, severity, message, provider, feed FROM (
        SELECT ${unguard('symbol')} AS unguarded_symbol, epoch_ms(ts::TIMESTAMPTZ)::DOUBLE AS t, timeframe, rule, severity,
          ${unguard('message')} AS message, ${unguard('provider')} AS provider, ${unguard('feed')} AS feed
        FROM read_csv([${files.map(sqlString).join(', ')}], header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = ${columns})
        WHERE ts IS NOT NULL AND ts <> '')
      WHERE ${where.join(' AND ')}`;
    return this.withConn(async (conn) => {
      await conn.run(load);
      const rows = (await conn.runAndReadAll(`SELECT * FROM f ORDER BY t, rule, provider, feed, message LIMIT ${MAX_FINDINGS + 1}`)).getRowObjectsJS();
      const findings = rows.slice(0, MAX_FINDINGS).map((r) => ({
        t: Number(r.t),
        timeframe: String(r.timeframe ?? ''),
        rule: String(r.rule ?? ''),
        severity: String(r.severity ?? ''),
        message: String(r.message ?? ''),
        provider: String(r.provider ?? ''),
        feed: String(r.feed ?? ''),
      }));
      const groups = (
        await conn.runAndReadAll(`SELECT floor(t / ${per}) * ${per} AS g, count_if(severity = 'error')::INTEGER AS e, count_if(severity = 'warning')::INTEGER AS w,
          (count(*) - count_if(severity = 'error') - count_if(severity = 'warning'))::INTEGER AS i FROM f GROUP BY g ORDER BY g LIMIT ${MAX_FINDING_MARKS + 1}`)
      ).getColumnsJS();
      const n = Math.min(MAX_FINDING_MARKS, groups[0]?.length ?? 0);
      const col = (k: number) => (groups[k] ?? []).slice(0, n).map(Number);
      const marks = { t: col(0), error: col(1), warning: col(2), info: col(3) };
      return { findings, truncated: rows.length > MAX_FINDINGS, marks, marksTruncated: (groups[0]?.length ?? 0) > MAX_FINDING_MARKS, reports: files.length };
    });
  }

  close(): void {
    this.instance.closeSync();
  }
}
