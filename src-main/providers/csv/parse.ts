import type { DuckDBConnection } from '@duckdb/node-api';
import { SYMBOL_RE } from '../../contract/schemas';
import { MpError } from '../../shared/errors';
import {
  col,
  columnLabel,
  fieldChecks,
  isDaily,
  layoutFromHeader,
  nonFiniteText,
  optionalValue,
  MAX_TS,
  MIN_TS,
  NUMERIC_FIELDS,
  numberExpr,
  rawTs,
  sqlIdent,
  sqlString,
  tsExpr,
  tsKindOf,
  type ColumnLayout,
  type NumericField,
  type TsKind,
} from './columns';
import { describeReaderError, lineOfRecord } from './lines';
import { assertText, bad, symbolFromFileName, type ResolvedSource, type SourceFile } from './sources';

// Parsing a source: every file is read once by DuckDB's CSV reader, with every option explicit (nothing sniffed), into
// a table of numbers (in the source's DuckDB, cache.ts). The reader judges the structure (field counts, quotes, encoding) and reads the number
// columns; timestamps are converted in SQL. A row that does not convert is found by its row id and reported with its
// line. Then a cheap pass per file gathers what prepare() needs and what lets fetchBars() skip sorting: per symbol,
// rows, first/last, spacing, and whether the rows already lie in ts order.

export interface ParsedFile {
  file: SourceFile;
  /** the table holding the file's bars, in file order */
  table: string;
  layout: ColumnLayout;
  kind: TsKind;
  /** for a file without a symbol column: the symbol of all its rows (from its name in a folder; '' for a single file,
   * whose symbol is the one requested) */
  fixedSymbol: string | null;
  /** the symbols in the file (its fixedSymbol, or the distinct values of its symbol column) */
  symbols: string[];
  rows: number;
  /** per symbol, the steps between its consecutive bars in file order */
  steps: Map<string, Steps>;
}

export interface SymbolStats {
  /** '' for a single file without a symbol column: its rows belong to whichever symbol the request names */
  symbol: string;
  rows: number;
  /** epoch ms of the first and last bar */
  first: number;
  last: number;
  /** strictly increasing timestamps in reading order (file by file, row by row): fetches need no sort and no
   * de-duplication */
  ascending: boolean;
  /** rows whose timestamp repeats an earlier one (the last copy is kept) */
  duplicates: number;
  /** count of each positive spacing between consecutive bars, in ms */
  gaps: Map<number, number>;
  /** any of its files has date-only timestamps */
  daily: boolean;
  /** indexes of the files holding it, in reading order */
  files: number[];
}

export interface ParsedSource {
  src: ResolvedSource;
  tz: string;
  files: ParsedFile[];
  symbols: Map<string, SymbolStats>;
}

const DIALECT = `delim=',', quote='"', escape='"'`;
const PROBE_COLUMNS = 256;
// An empty field stays '' in the header probe (so "a,b," has three columns); only the reader's padding is NULL.
const PROBE_NULL = '\u0001mp-null\u0001';

/**
 * read_csv arguments with every option explicit. `typed`: the number columns are read as DOUBLE by the reader itself
 * (faster than casting text); otherwise every field is text (the error path, which needs the raw value).
 */
function readerOptions(file: SourceFile, layout: ColumnLayout, typed: boolean): string {
  const numeric = new Set<number>(typed ? NUMERIC_FIELDS.flatMap((f) => (layout[f] === null ? [] : [layout[f]])) : []);
  const cols = layout.names.map((_, i) => `${sqlString(col(i))}: '${numeric.has(i) ? 'DOUBLE' : 'VARCHAR'}'`).join(', ');
  return `${sqlString(file.path)}, header=true, auto_detect=false, ${DIALECT}, strict_mode=true, null_padding=false, columns={${cols}}`;
}

function textOf(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

async function rows(conn: DuckDBConnection, sql: string): Promise<unknown[][]> {
  return (await conn.runAndReadAll(sql)).getRows() as unknown[][];
}

/** The header and the first data row, split by DuckDB's reader (with padding, so any width up to PROBE_COLUMNS). */
async function probe(conn: DuckDBConnection, file: SourceFile): Promise<{ header: string[]; first: (string | null)[] | null }> {
  const cols = Array.from({ length: PROBE_COLUMNS }, (_, i) => `${sqlString(col(i))}: 'VARCHAR'`).join(', ');
  let got: unknown[][];
  try {
    got = await rows(
      conn,
      // parallel=false: DuckDB's parallel scanner refuses null_padding when a quoted field spans lines (as a first row's
      // may); two rows are read either way
      `SELECT * FROM read_csv(${sqlString(file.path)}, header=false, auto_detect=false, ${DIALECT}, strict_mode=false,
         null_padding=true, parallel=false, nullstr=${sqlString(PROBE_NULL)}, columns={${cols}}) LIMIT 2`,
    );
  } catch (e) {
    throw readerFailure(file, e);
  }
  const head = got[0];
  if (!head) throw bad(`${file.name} is empty`);
  const width = head.findIndex((v) => v === null);
  if (width < 0) throw bad(`${file.name} has more than ${PROBE_COLUMNS - 1} columns: not a bars CSV`);
  const header = head.slice(0, width).map((v) => String(v));
  const first = got[1] ? got[1].slice(0, width).map(textOf) : null;
  return { header, first };
}

function readerFailure(file: SourceFile, e: unknown): MpError {
  if (e instanceof MpError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const { line, reason } = describeReaderError(msg);
  return bad(`${file.name}${line !== null ? ` line ${line}` : ''}: ${reason}`);
}

function tsProblem(kind: TsKind): string {
  switch (kind) {
    case 'epoch':
      return 'is not an epoch timestamp like the first row (seconds or milliseconds since 1970)';
    case 'date':
      return 'is not a date (YYYY-MM-DD) like the first row';
    case 'yyyymmdd':
      return 'is not a date (YYYYMMDD) like the first row';
    case 'datetime':
      return 'is not a timestamp (ISO 8601 with or without an offset, YYYY-MM-DD HH:MM[:SS], or a date)';
  }
}

async function at(file: SourceFile, record: number, label: string): Promise<string> {
  const line = await lineOfRecord(file.path, record);
  const column = label.includes(' and ') ? `columns ${label}` : `column ${label}`;
  return `${file.name}${line !== null ? ` line ${line}` : ` row ${record}`}, ${column}`;
}

/** The message for the first unreadable row (row id `k`): which field, its text, and the line it is on. */
async function badRow(conn: DuckDBConnection, pf: ParsedFile, k: number, tz: string): Promise<MpError> {
  const { file, layout, kind } = pf;
  const checks = fieldChecks(layout);
  const raws = checks.map((c) => (c.field === 'ts' ? rawTs(layout) : col(layout[c.field]!)));
  const got = await rows(
    conn,
    `WITH raw AS (SELECT * FROM read_csv(${readerOptions(file, layout, false)}) LIMIT 1 OFFSET ${k}),
     conv AS (SELECT ${tsExpr(layout, kind, tz)} AS ts, ${NUMERIC_FIELDS.map((f) => `${numberExpr(layout, f)} AS ${sqlIdent(f)}`).join(', ')},
                     ${raws.map((r, i) => `${r} AS raw${i}`).join(', ')} FROM raw)
     SELECT ${checks.map((c) => c.ok).join(', ')}, ${raws.map((_, i) => `raw${i}`).join(', ')}, ts FROM conv`,
  );
  const row = got[0];
  if (!row) return bad(`${file.name}: row ${k + 1} cannot be read`);
  const i = checks.findIndex((_, j) => row[j] !== true);
  if (i < 0) return bad(`${file.name}: row ${k + 1} cannot be read`);
  const field = checks[i]!.field;
  const raw = textOf(row[checks.length + i]);
  const where = await at(file, k + 1, columnLabel(layout, field));
  if (raw === null || raw.trim() === '') return bad(`${where} is empty`);
  if (field === 'ts') {
    const ts = row[2 * checks.length];
    const outside = typeof ts === 'number' && Number.isFinite(ts) && (ts < MIN_TS || ts >= MAX_TS);
    return bad(`${where}: ${JSON.stringify(raw)} ${outside ? 'is outside the years 1900-2199' : tsProblem(kind)}`);
  }
  if (nonFiniteText(raw)) return bad(`${where}: ${JSON.stringify(raw)} is not a finite number (NaN, infinities and values beyond a double's range are refused)`);
  return bad(`${where}: ${JSON.stringify(raw)} is not a number`);
}

/** The message for the first row holding `wrong` (an invalid symbol, or NULL for an empty field), with its line. */
async function badSymbol(conn: DuckDBConnection, pf: ParsedFile, wrong: string | null): Promise<MpError> {
  const k = Number((await rows(conn, `SELECT min(rowid)::DOUBLE FROM ${pf.table} WHERE symbol IS NOT DISTINCT FROM ${wrong === null ? 'NULL' : sqlString(wrong)}`))[0]?.[0]);
  const raw = textOf((await rows(conn, `SELECT ${col(pf.layout.symbol!)} FROM read_csv(${readerOptions(pf.file, pf.layout, false)}) LIMIT 1 OFFSET ${k}`))[0]?.[0]);
  const where = await at(pf.file, k + 1, columnLabel(pf.layout, 'symbol'));
  if (raw === null || raw.trim() === '') return bad(`${where} is empty`);
  return bad(`${where}: ${JSON.stringify(raw)} is not a symbol (letters, digits, ".", "-", 1-15 characters)`);
}

async function parseFile(conn: DuckDBConnection, src: ResolvedSource, file: SourceFile, index: number, tz: string): Promise<ParsedFile> {
  assertText(file);
  const { header, first } = await probe(conn, file);
  const layout = layoutFromHeader(header, file.name);
  let fixedSymbol: string | null = null;
  if (layout.symbol === null) {
    if (src.single) fixedSymbol = '';
    else {
      fixedSymbol = symbolFromFileName(file.name);
      if (fixedSymbol === null) throw bad(`cannot tell the symbol of ${file.name} from its name: rename it (e.g. AAPL_1min.csv) or add a "symbol" column`);
    }
  }
  const rawFirst = first === null ? null : layout.ts.map((i) => first[i] ?? '').join(' ');
  const kind = tsKindOf(rawFirst);
  const table = `f${index}`;
  const select = (typed: boolean) =>
    [
      ...(layout.symbol !== null ? [`upper(trim(${col(layout.symbol)})) AS symbol`] : []),
      `${tsExpr(layout, kind, tz)} AS ts`,
      ...NUMERIC_FIELDS.filter((f) => layout[f] !== null).map((f) => {
        const c = col(layout[f]!);
        // an empty optional field is "not provided" (NaN); an empty required one stays NULL and is reported below
        const v = !typed ? numberExpr(layout, f) : f === 'tradeCount' || f === 'vwap' ? optionalValue(c, c) : c;
        return `${v} AS ${sqlIdent(f)}`;
      }),
    ].join(', ');
  const load = (typed: boolean) => conn.run(`CREATE OR REPLACE TABLE ${table} AS SELECT ${select(typed)} FROM read_csv(${readerOptions(file, layout, typed)})`);
  try {
    await load(true);
  } catch (e) {
    // The reader names the line of a number it cannot read, but counts a quoted field's line breaks as none. Read
    // the file as text instead, so that the row is found below and reported with the line an editor shows.
    if (!(e instanceof Error && /Could not convert string/.test(e.message))) throw readerFailure(file, e);
    try {
      await load(false);
    } catch (e2) {
      throw readerFailure(file, e2);
    }
  }
  const { firstBad, steps } = await scanFile(conn, table, layout, fixedSymbol);
  const pf: ParsedFile = { file, table, layout, kind, fixedSymbol, symbols: [...steps.keys()].sort(), rows: 0, steps };
  pf.rows = [...steps.values()].reduce((n, st) => n + st.rows, 0);
  if (pf.rows === 0) throw bad(`${file.name} has a header but no data rows`);
  if (firstBad !== null) throw await badRow(conn, pf, firstBad, tz);
  const wrong = layout.symbol === null ? undefined : pf.symbols.find((sym) => !SYMBOL_RE.test(sym));
  if (wrong !== undefined) throw await badSymbol(conn, pf, wrong === NO_SYMBOL ? null : wrong);
  return pf;
}

/** A SELECT over all files (or some), one symbol column `s` for all; `cols` are extra columns to carry. */
export function unionOf(files: ParsedFile[], opts: { cols: string[]; symbol?: string; where?: string }): string {
  const parts: string[] = [];
  files.forEach((pf, i) => {
    if (opts.symbol !== undefined && !pf.symbols.includes(opts.symbol)) return;
    const s = pf.fixedSymbol !== null ? sqlString(pf.fixedSymbol) : 'symbol';
    const cols = opts.cols.map((c) => (c === 'f' ? `${i} AS f` : c === 'r' ? 'rowid AS r' : NUMERIC_FIELDS.includes(c as NumericField) && pf.layout[c as NumericField] === null ? `'NaN'::DOUBLE AS ${sqlIdent(c)}` : sqlIdent(c)));
    const conds = [opts.where, opts.symbol !== undefined && pf.fixedSymbol === null ? `symbol = ${sqlString(opts.symbol)}` : undefined].filter(Boolean);
    parts.push(`SELECT ${s} AS s, ${cols.join(', ')} FROM ${pf.table}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''}`);
  });
  return parts.join('\nUNION ALL\n');
}

interface Steps {
  rows: number;
  first: number;
  last: number;
  /** count of each positive step ts - previous ts */
  gaps: Map<number, number>;
  /** count of steps <= 0: rows not after their predecessor */
  back: number;
}

function collectSteps(got: unknown[][], symbolOf: (row: unknown[]) => string): Map<string, Steps> {
  const out = new Map<string, Steps>();
  for (const row of got) {
    const [gap, n, lo, hi] = row.slice(-4);
    const symbol = symbolOf(row);
    let st = out.get(symbol);
    if (!st) out.set(symbol, (st = { rows: 0, first: Infinity, last: -Infinity, gaps: new Map(), back: 0 }));
    const count = Number(n);
    st.rows += count;
    st.first = Math.min(st.first, Number(lo));
    st.last = Math.max(st.last, Number(hi));
    if (typeof gap === 'number') {
      if (gap > 0) st.gaps.set(gap, count);
      else st.back += count;
    }
  }
  return out;
}

const STEP_AGGREGATES = `gap, count(*)::DOUBLE, min(ts), max(ts)`;
// a symbol column's NULL (an empty field) must not be mistaken for a symbol spelled "null"
const NO_SYMBOL = '\u0000';

/**
 * Over a loaded file: the first row whose values are unusable, and per symbol the steps between consecutive
 * bars in file order. For a file of one symbol the steps come from a streaming LAG over the rows as they lie (DuckDB
 * keeps insertion order), about five times cheaper than a window that sorts; a symbol column needs a window
 * partitioned by symbol, ordered by row id.
 */
async function scanFile(conn: DuckDBConnection, table: string, layout: ColumnLayout, fixedSymbol: string | null) {
  const ok = fieldChecks(layout).map((c) => c.ok).join(' AND ');
  // Two queries rather than one: the checks then run as a plain parallel scan, and only the steps need the window
  // (together they cost about half of one query carrying both through the window).
  const bad = (await rows(conn, `SELECT count(*) FILTER (WHERE NOT (${ok}))::DOUBLE, min(rowid) FILTER (WHERE NOT (${ok}))::DOUBLE FROM ${table}`))[0];
  const got =
    fixedSymbol !== null
      ? await rows(conn, `SELECT ${STEP_AGGREGATES} FROM (SELECT ts, ts - lag(ts) OVER () AS gap FROM ${table}) GROUP BY gap`)
      : await rows(
          conn,
          `SELECT symbol, ${STEP_AGGREGATES} FROM (SELECT symbol, ts,
             ts - lag(ts) OVER (PARTITION BY symbol ORDER BY rowid) AS gap FROM ${table}) GROUP BY symbol, gap`,
        );
  const firstBad = bad && Number(bad[0]) > 0 ? Number(bad[1]) : null;
  const steps = collectSteps(got, (r) => (fixedSymbol !== null ? fixedSymbol : r[0] === null ? NO_SYMBOL : String(r[0])));
  return { firstBad, steps };
}

async function gatherStats(conn: DuckDBConnection, files: ParsedFile[]): Promise<Map<string, SymbolStats>> {
  const out = new Map<string, SymbolStats>();
  const unordered: string[] = [];
  for (const symbol of [...new Set(files.flatMap((pf) => pf.symbols))]) {
    const fi = files.flatMap((pf, i) => (pf.symbols.includes(symbol) ? [i] : []));
    const parts = fi.map((i) => files[i]!.steps.get(symbol)!);
    // Reading order (file by file, row by row) is ts order, without repeats, when every file is and each starts after
    // the one before ends: the common case, in which fetches stream rows as they lie, file after file.
    const ascending = parts.every((p, j) => p.back === 0 && (j === 0 || p.first > parts[j - 1]!.last));
    const gaps = new Map<number, number>();
    for (const p of parts) for (const [g, n] of p.gaps) gaps.set(g, (gaps.get(g) ?? 0) + n);
    out.set(symbol, {
      symbol,
      rows: parts.reduce((n, p) => n + p.rows, 0),
      first: Math.min(...parts.map((p) => p.first)),
      last: Math.max(...parts.map((p) => p.last)),
      ascending,
      duplicates: 0,
      gaps,
      daily: fi.some((i) => isDaily(files[i]!.kind)),
      files: fi,
    });
    if (!ascending) unordered.push(symbol);
  }
  if (unordered.length) {
    // The others are sorted by (ts, file, row): then every step is >= 0, the zero ones are repeats, and the positive
    // ones are the true spacing.
    const got = await rows(
      conn,
      `SELECT s, ${STEP_AGGREGATES} FROM (SELECT s, ts, ts - lag(ts) OVER (PARTITION BY s ORDER BY ts, f, r) AS gap
         FROM (${unionOf(files, { cols: ['ts', 'f', 'r'] })}) WHERE s IN (${unordered.map(sqlString).join(', ')})) GROUP BY s, gap`,
    );
    for (const [symbol, st] of collectSteps(got, (r) => String(r[0]))) {
      const o = out.get(symbol)!;
      o.duplicates = st.back;
      o.gaps = st.gaps;
    }
  }
  return out;
}

/** Reads and checks every file of a source into tables of `conn`'s database. Throws MpError E_BAD_INPUT on the first problem. */
export async function parseSource(conn: DuckDBConnection, src: ResolvedSource, tz: string, signal: AbortSignal): Promise<ParsedSource> {
  try {
    await conn.run(`SET TimeZone = ${sqlString(tz)}`);
  } catch {
    // Node's and DuckDB's ICU may carry different tz database versions
    throw bad(`--tz "${tz}" is a time zone DuckDB does not know`);
  }
  const files: ParsedFile[] = [];
  for (const [i, file] of src.files.entries()) {
    if (signal.aborted) throw new MpError('E_CANCELLED', 'cancelled');
    files.push(await parseFile(conn, src, file, i, tz));
  }
  return { src, tz, files, symbols: await gatherStats(conn, files) };
}

/** Per symbol: bars, first and last among the rows that pass `where` (a condition on ts). */
export async function rangeStats(conn: DuckDBConnection, parsed: ParsedSource, where: string): Promise<Map<string, { rows: number; first: number; last: number }>> {
  const got = await rows(conn, `SELECT s, count(*)::DOUBLE, min(ts), max(ts) FROM (${unionOf(parsed.files, { cols: ['ts'], where })}) GROUP BY s`);
  return new Map(got.map(([s, n, lo, hi]) => [String(s), { rows: Number(n), first: Number(lo), last: Number(hi) }]));
}
