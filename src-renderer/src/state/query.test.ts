import { describe, expect, it } from 'vitest';
import { cellText, chartSpec, chartTargetColumns, nextSort, rowText } from './query';

const col = (name: string, type: string) => ({ name, type });

describe('query page helpers', () => {
  it('charts a result with a time column and numeric columns', () => {
    expect(chartSpec([col('symbol', 'VARCHAR'), col('ts', 'TIMESTAMP WITH TIME ZONE'), col('close', 'DOUBLE'), col('n', 'BIGINT')])).toEqual({ x: 1, ys: [2, 3] });
    expect(chartSpec([col('i', 'BIGINT'), col('x', 'DECIMAL(21,1)')])).toBeNull();
    expect(chartSpec([col('day', 'DATE'), col('s', 'VARCHAR')])).toBeNull();
  });

  it('offers Open chart for rows with a symbol and a time', () => {
    expect(chartTargetColumns([col('Symbol', 'VARCHAR'), col('first', 'TIMESTAMP WITH TIME ZONE'), col('ts', 'TIMESTAMP WITH TIME ZONE')])).toEqual({ symbol: 0, ts: 2 });
    expect(chartTargetColumns([col('symbol', 'VARCHAR'), col('bars', 'BIGINT')])).toBeNull();
  });

  it('cycles the sort asc, desc, none; another column starts at asc', () => {
    expect(nextSort(null, 'x')).toEqual({ column: 'x', dir: 'asc' });
    expect(nextSort({ column: 'x', dir: 'asc' }, 'x')).toEqual({ column: 'x', dir: 'desc' });
    expect(nextSort({ column: 'x', dir: 'desc' }, 'x')).toBeNull();
    expect(nextSort({ column: 'x', dir: 'desc' }, 'y')).toEqual({ column: 'y', dir: 'asc' });
  });

  it('copies cells as shown and rows as tab-separated values', () => {
    expect(cellText(null)).toBe('');
    expect(cellText(1.5)).toBe('1.5');
    expect(cellText(false)).toBe('false');
    expect(rowText(['a\tb', 2, null])).toBe('a b\t2\t');
  });
});
