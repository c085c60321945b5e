import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { SYMBOL_RE, type Universe } from '../contract/schemas';
import { MpError } from '../shared/errors';

export interface ImportResult {
  symbols: string[];
  rejected: { line: number; value: string; reason: string }[];
}

/** A cell of a header line: a word or a few (a column name), never a path or a record of some other file. */
const HEADER_CELL = /^[A-Za-z][A-Za-z0-9 _.()-]{0,39}$/;
/** A rejected value is shown only when it is short enough to be a mistyped symbol: the file may be anything. */
const SHOWN_MAX = 15;

function shown(raw: string): string {
  return raw.length <= SHOWN_MAX ? raw : `(${raw.length} characters, not shown)`;
}

/**
 * Symbols from a CSV: the column named symbol/ticker (any case) if there is a header with one, else the first
 * column. Lines that hold no valid symbol are reported, not silently dropped. A file whose first line is neither a
 * header nor a symbol is not a symbol list (say, /etc/passwd): refused without repeating any of its content.
 */
export function symbolsFromCsv(text: string, file: string): ImportResult {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // info: the file line of each record, so a rejected line is reported where the user will find it
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true, bom: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    // the parser's message quotes the file's content: only its code and line are said
    const err = e as { code?: unknown; lines?: unknown };
    const line = typeof err.lines === 'number' ? `line ${err.lines}: ` : '';
    throw new MpError('E_BAD_INPUT', `${file}: not a CSV file (${line}${typeof err.code === 'string' ? err.code : 'unreadable'})`);
  }
  const rows = records.map((r) => r.record);
  if (rows.length === 0) throw new MpError('E_BAD_INPUT', `${file}: empty`);
  const header = rows[0]!.map((h) => h.toLowerCase());
  const named = header.findIndex((h) => h === 'symbol' || h === 'ticker');
  const hasHeader = named >= 0 || !SYMBOL_RE.test((rows[0]![0] ?? '').toUpperCase());
  if (named < 0 && hasHeader && !rows[0]!.every((h) => h === '' || HEADER_CELL.test(h))) {
    throw new MpError('E_BAD_INPUT', `${file}: line ${records[0]!.info.lines} is not a symbol list: expected a header (symbol or ticker) or symbols`);
  }
  const col = named >= 0 ? named : 0;
  const out: ImportResult = { symbols: [], rejected: [] };
  const seen = new Set<string>();
  records.slice(hasHeader ? 1 : 0).forEach(({ record: r, info }) => {
    const line = info.lines;
    const raw = r[col] ?? '';
    const s = raw.toUpperCase();
    if (!raw) out.rejected.push({ line, value: raw, reason: 'no symbol' });
    else if (!SYMBOL_RE.test(s)) out.rejected.push({ line, value: shown(raw), reason: 'not a symbol (letters, digits, ".", "-", 1-15 characters)' });
    else if (seen.has(s)) out.rejected.push({ line, value: raw, reason: 'duplicate' });
    else {
      seen.add(s);
      out.symbols.push(s);
    }
  });
  return out;
}

export function universeToCsv(u: Universe): string {
  return stringify([['symbol'], ...u.symbols.map((s) => [s])]);
}
