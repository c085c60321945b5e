import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { SYMBOL_RE, type Universe } from '../contract/schemas';
import { MpError } from '../shared/errors';

export interface ImportResult {
  symbols: string[];
  rejected: { line: number; value: string; reason: string }[];
}

/**
 * Symbols from a CSV: the column named symbol/ticker (any case) if there is a header with one, else the first
 * column. Lines that hold no valid symbol are reported, not silently dropped.
 */
export function symbolsFromCsv(text: string, file: string): ImportResult {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // info: the file line of each record, so a rejected line is reported where the user will find it
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true, bom: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    throw new MpError('E_BAD_INPUT', `${file}: not a CSV file (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
  const rows = records.map((r) => r.record);
  if (rows.length === 0) throw new MpError('E_BAD_INPUT', `${file}: empty`);
  const header = rows[0]!.map((h) => h.toLowerCase());
  const named = header.findIndex((h) => h === 'symbol' || h === 'ticker');
  const hasHeader = named >= 0 || !SYMBOL_RE.test((rows[0]![0] ?? '').toUpperCase());
  const col = named >= 0 ? named : 0;
  const out: ImportResult = { symbols: [], rejected: [] };
  const seen = new Set<string>();
  records.slice(hasHeader ? 1 : 0).forEach(({ record: r, info }) => {
    const line = info.lines;
    const raw = r[col] ?? '';
    const s = raw.toUpperCase();
    if (!raw) out.rejected.push({ line, value: raw, reason: 'no symbol' });
    else if (!SYMBOL_RE.test(s)) out.rejected.push({ line, value: raw, reason: 'not a symbol (letters, digits, ".", "-", 1-15 characters)' });
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
