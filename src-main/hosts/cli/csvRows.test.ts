import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { csvRows } from './csvRows';

// `marketpipe query --format csv` writes its rows with csvRows (faster); csv-stringify with its defaults is the oracle.

describe('csvRows', () => {
  it('writes what csv-stringify writes, for any text', () => {
    const field = fc.oneof(fc.string({ unit: fc.constantFrom('a', ' ', ',', '"', '\n', '\r', '\t', ';', "'", 'é', '😀', '=') }), fc.string({ unit: 'grapheme' }), fc.string());
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }).chain((w) => fc.array(fc.array(field, { minLength: w, maxLength: w }), { minLength: 1, maxLength: 6 })), (rows) => {
        expect(csvRows(rows)).toBe(stringify(rows));
      }),
      { numRuns: 2000 },
    );
  });

  it('quotes a field with a comma, a quote or a line break, and only those', () => {
    expect(csvRows([['a,b', 'say "hi"', 'x\ny', 'r\r', '', ' lead', 'plain']])).toBe('"a,b","say ""hi""","x\ny","r\r",, lead,plain\n');
  });
});
