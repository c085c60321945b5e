// CSV text of query rows for `marketpipe query --format csv`, as csv-stringify writes them with its defaults (comma,
// "\n" after each record, a field quoted when it holds a comma, a quote, "\n" or "\r", quotes doubled inside). Written
// here rather than through csv-stringify because that library costs about 0.5 ms a row on a first call (a 390-row
// result took ~200 ms of CPU, most of what `marketpipe query` spent over a bare DuckDB script; docs/benchmarks.md).
// csvRows.test.ts holds it equal to csv-stringify on arbitrary text.

const NEEDS_QUOTES = /[",\n\r]/;

/** One field, quoted when it must be. */
export function csvField(v: string): string {
  return NEEDS_QUOTES.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** Records, each ended by "\n". */
export function csvRows(rows: readonly (readonly string[])[]): string {
  let s = '';
  for (const r of rows) {
    for (let i = 0; i < r.length; i++) s += (i ? ',' : '') + csvField(r[i]!);
    s += '\n';
  }
  return s;
}
