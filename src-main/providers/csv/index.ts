import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, EXCHANGE_TZ, exchangeDate, lastClosedSession, zonedTimeToUtc } from '../../calendar';
import { TIMEFRAMES } from '../../contract/schemas';
import { BAR_COLUMNS, type BarBatch, type FetchBarsRequest, type PreparedIngest, type PrepareRequest, type Provider, type ProviderContext, type SourceRows, type SqlUnit } from '../types';
import { sourceRows, unitDuplicates } from './accounting';
import { leaseSource, releaseFetchedSources, sourceParses } from './cache';
import { readPages } from './pages';
import { rangeStats, unionOf, type ParsedSource } from './parse';
import { bad, resolveSource, symbolFromFileName } from './sources';
import { inferTimeframe } from './timeframe';

// The csv provider: bars from local CSV files (vendor dumps, offline use). prepare() reads and checks every file
// before a job exists; fetchBars() serves one symbol's bars from the parsed copy. See parse.ts and cache.ts.

export { closeIdleSources } from './cache';
import { closeIdleSources } from './cache';

/** The zone of timestamps without an offset, checked against the runtime's IANA database. */
export function zoneOf(tz: string | undefined): string {
  const zone = tz?.trim() || EXCHANGE_TZ;
  try {
    // the canonical spelling ("utc" -> "UTC"), which DuckDB's ICU knows too
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw bad(`--tz "${zone}" is not an IANA time zone (e.g. America/New_York, Europe/London, UTC)`);
  }
}

function nextDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** [from, to) in epoch ms for exchange-local dates, inclusive; open ends stay infinite. */
function rangeOf(start: string | undefined, end: string | undefined): { from: number; to: number } {
  return {
    from: start ? zonedTimeToUtc(start, 0, 0, EXCHANGE_TZ) : -Infinity,
    to: end ? zonedTimeToUtc(nextDate(end), 0, 0, EXCHANGE_TZ) : Infinity,
  };
}

function rangeSql(from: number, to: number): string | undefined {
  const conds = [Number.isFinite(from) ? `ts >= ${from}` : '', Number.isFinite(to) ? `ts < ${to}` : ''].filter(Boolean);
  return conds.length ? conds.join(' AND ') : undefined;
}

/** A single file without a symbol column holds one symbol, whichever the request names: its rows are keyed ''. */
function symbolless(parsed: ParsedSource): boolean {
  return parsed.src.single && parsed.files[0]!.fixedSymbol === '';
}

const fmtSymbols = (s: string[]) => (s.length > 20 ? `${s.slice(0, 20).join(', ')}, … (${s.length})` : s.join(', '));

async function prepare(req: PrepareRequest, ctx: Omit<ProviderContext, 'http'>): Promise<PreparedIngest> {
  const tz = zoneOf(req.tz);
  const src = resolveSource(req.source);
  const t0 = performance.now();
  const lease = await leaseSource(src, tz, ctx.signal, 'prepare');
  try {
    const { parsed } = lease;
    let picked: { key: string; symbol: string }[];
    if (symbolless(parsed)) {
      const name = parsed.files[0]!.file.name;
      if (req.symbols.length > 1) throw bad(`${name} has no symbol column, so it holds one symbol: give one --symbols, not ${req.symbols.length}`);
      const symbol = req.symbols[0] ?? symbolFromFileName(name);
      if (symbol === null) throw bad(`cannot tell the symbol of ${name} from its name: give --symbols SYMBOL (or add a "symbol" column)`);
      picked = [{ key: '', symbol }];
    } else {
      const all = [...parsed.symbols.keys()].sort();
      const missing = req.symbols.filter((s) => !parsed.symbols.has(s));
      if (missing.length) throw bad(`no bars for ${fmtSymbols(missing)} in ${req.source} (its symbols: ${fmtSymbols(all)})`);
      picked = (req.symbols.length ? req.symbols : all).map((s) => ({ key: s, symbol: s }));
    }

    // No future bars, as for every provider: the import ends with the last closed session, and the rows after it are
    // counted (SourceRows.future) rather than stored.
    const { from, to: requestedTo } = rangeOf(req.start, req.end);
    const cutoff = zonedTimeToUtc(nextDate(lastClosedSession()), 0, 0, EXCHANGE_TZ);
    const to = Math.min(requestedTo, cutoff);
    const conn = await lease.connect();
    let extent: Awaited<ReturnType<typeof rangeStats>>;
    let rows: SourceRows;
    try {
      extent = await rangeStats(conn, parsed, rangeSql(from, to)!);
      rows = await sourceRows(conn, parsed, picked, rangeSql(from, requestedTo), cutoff);
    } finally {
      conn.closeSync();
    }
    const inRange = picked.filter((p) => (extent.get(p.key)?.rows ?? 0) > 0);
    if (inRange.length === 0) {
      const all = picked.map((p) => parsed.symbols.get(p.key)!);
      const held = `${exchangeDate(Math.min(...all.map((s) => s.first)))}..${exchangeDate(Math.max(...all.map((s) => s.last)))}`;
      if (rows.future > 0) throw bad(`all ${rows.future} bars of ${req.source} in the range are after the last closed session (${lastClosedSession()}): nothing to import yet`);
      throw bad(`no bars between ${req.start ?? 'the start'} and ${req.end ?? 'the end'} in ${req.source} (it holds ${held})`);
    }
    const timeframe = req.timeframe ?? inferTimeframe(parsed, inRange);
    const start = exchangeDate(Math.min(...inRange.map((p) => extent.get(p.key)!.first)));
    const end = exchangeDate(Math.max(...inRange.map((p) => extent.get(p.key)!.last)));
    // the ingest plans its work by exchange sessions, which the calendar knows for these years only
    if (Number(start.slice(0, 4)) < CALENDAR_FIRST_YEAR) {
      throw bad(`${req.source} holds bars from ${start}, before the exchange calendar starts (${CALENDAR_FIRST_YEAR}): give --start ${CALENDAR_FIRST_YEAR}-01-01 or later`);
    }
    if (Number(end.slice(0, 4)) > CALENDAR_LAST_YEAR) {
      throw bad(`${req.source} holds bars until ${end}, after the exchange calendar ends (${CALENDAR_LAST_YEAR}): give --end ${CALENDAR_LAST_YEAR}-12-31 or earlier`);
    }
    ctx.log.info('csv source read', {
      files: parsed.files.length,
      rows: parsed.files.reduce((n, f) => n + f.rows, 0),
      symbols: inRange.length,
      timeframe,
      ms: Math.round(performance.now() - t0),
      // whether this prepare() read the files or reused a parse (one is kept from prepare() until its job's fetch ends)
      parsedNow: lease.parsedNow,
      parses: sourceParses(),
    });
    return { symbols: inRange.map((p) => p.symbol), timeframe, start, end, rows };
  } finally {
    lease.release();
  }
}

async function* fetchBars(req: FetchBarsRequest, ctx: ProviderContext): AsyncIterable<BarBatch> {
  const src = resolveSource(req.source);
  const lease = await leaseSource(src, zoneOf(req.tz), ctx.signal, 'fetch');
  try {
    const { parsed } = lease;
    const key = symbolless(parsed) ? '' : req.symbol;
    const st = parsed.symbols.get(key);
    if (!st) return;
    const { from, to } = rangeOf(req.start, req.end);
    // optional columns no file of the symbol has are filled in by readPages rather than carried through DuckDB
    const columns = BAR_COLUMNS.filter((c) => (c !== 'tradeCount' && c !== 'vwap') || st.files.some((i) => parsed.files[i]!.layout[c] !== null));
    const select = (body: string) => `SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM (${body})`;
    const where = rangeSql(from, to);
    // Rows already in ts order stream as they lie, file after file. Anything else is sorted, with reading order
    // breaking ties so that the last copy of a repeated timestamp (later file, later row) is the one kept.
    const queries = st.ascending
      ? st.files.map((i) => select(unionOf([parsed.files[i]!], { cols: columns, symbol: key, where })))
      : [`${select(unionOf(parsed.files, { cols: [...columns, 'f', 'r'], symbol: key, where }))} ORDER BY ts, f, r`];
    const conn = await lease.connect();
    try {
      yield* readPages(conn, queries, columns, req.symbol, req.pageSize, st.duplicates > 0, ctx.signal);
    } finally {
      conn.closeSync();
    }
  } finally {
    lease.release();
  }
}

/**
 * The bars fetchBars() would deliver, as SQL over the parsed tables: the lake writer copies them to Parquet on the
 * source's own DuckDB, so an import never moves its rows through JS. Repeated timestamps keep the copy fetchBars()
 * keeps (the last in reading order: later file, later row).
 */
async function openUnit(req: FetchBarsRequest, ctx: ProviderContext): Promise<SqlUnit | null> {
  const src = resolveSource(req.source);
  const lease = await leaseSource(src, zoneOf(req.tz), ctx.signal, 'fetch');
  try {
    const { parsed } = lease;
    const key = symbolless(parsed) ? '' : req.symbol;
    const st = parsed.symbols.get(key);
    if (!st) {
      lease.release();
      return null;
    }
    const { from, to } = rangeOf(req.start, req.end);
    const where = rangeSql(from, to);
    const cols = BAR_COLUMNS.map((c) => `"${c}"`).join(', ');
    const sql =
      st.ascending || st.duplicates === 0
        ? `SELECT ${cols} FROM (${unionOf(st.files.map((i) => parsed.files[i]!), { cols: [...BAR_COLUMNS], symbol: key, where })})`
        : `SELECT ${cols} FROM (${unionOf(parsed.files, { cols: [...BAR_COLUMNS, 'f', 'r'], symbol: key, where })})
             QUALIFY row_number() OVER (PARTITION BY ts ORDER BY f DESC, r DESC) = 1`;
    // one file whose rows ascend: a filtered scan of its table keeps that order (DuckDB preserves insertion order)
    const ordered = st.ascending && st.files.length === 1;
    let duplicates: SqlUnit['duplicates'];
    if (!st.ascending && st.duplicates > 0) {
      // what the QUALIFY above leaves out, said rather than dropped silently (its own connection: units run at once)
      const conn = await lease.connect();
      try {
        duplicates = await unitDuplicates(conn, parsed, key, where);
      } finally {
        conn.closeSync();
      }
    }
    return { conn: await lease.writeConnection(), sql, ordered, duplicates, release: () => lease.release() };
  } catch (e) {
    lease.release();
    throw e;
  }
}

export const csvProvider: Provider = {
  close: () => closeIdleSources(),
  // the parsed copy of a job's files (its DuckDB, up to CSV_SOURCE_MEMORY) is given back when the job's fetch ends
  idle: () => releaseFetchedSources(),
  info: {
    name: 'csv',
    description: 'Local bars CSV files (--source FILE_OR_FOLDER); offline',
    feeds: ['file'],
    defaultFeed: 'file',
    timeframes: [...TIMEFRAMES],
    needs: [],
  },
  defaultPageSize: 50_000,
  isConfigured: () => true,
  prepare,
  fetchBars,
  openUnit,
};
