import { describe, expect, it } from 'vitest';
import { layoutQueryError } from './queryError';

describe('layoutQueryError', () => {
  it('splits the LINE part off and marks the syntax error token', () => {
    const sql = 'SELECT 1 FRM x';
    const l = layoutQueryError('Parser Error: syntax error at or near "x" LINE 1: SELECT 1 FRM x ^', sql);
    expect(l.head).toBe('Parser Error: syntax error at or near "x"');
    expect(l.line).toBe('LINE 1: SELECT 1 FRM x');
    expect(l.caret).toBe(' '.repeat('LINE 1: SELECT 1 FRM '.length) + '^');
    expect(sql.slice(l.range!.from, l.range!.to)).toBe('x');
  });

  it('finds a missing column on a later line, in offsets of the whole SQL', () => {
    const sql = 'SELECT 1,\n  foo FROM range(3)';
    const l = layoutQueryError('Binder Error: Referenced column "foo" not found in FROM clause! Candidate bindings: "range" LINE 2:  foo FROM range(3) ^', sql);
    expect(l.head).toContain('Candidate bindings');
    expect(sql.slice(l.range!.from, l.range!.to)).toBe('foo');
  });

  it('marks the whole line when the token is not on it, and leaves other messages alone', () => {
    const sql = 'SELECT *\nFROM nope';
    const l = layoutQueryError('Catalog Error: Table with name zzz does not exist! Did you mean "bars"? LINE 2: FROM nope ^', sql);
    expect(sql.slice(l.range!.from, l.range!.to)).toBe('FROM nope');
    expect(l.caret).toBeNull();
    expect(layoutQueryError('only SELECT, WITH … can run here', sql)).toEqual({ head: 'only SELECT, WITH … can run here', line: null, caret: null, range: null });
  });
});
