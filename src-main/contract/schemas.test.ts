import { describe, expect, it } from 'vitest';
import { IngestArgSchema, ScopeObjectSchema } from './schemas';

describe('symbol lists', () => {
  it('the contract refuses a list with every bad symbol named, and normalises a good one', () => {
    const r = IngestArgSchema.safeParse({ provider: 'fake', symbols: ['aapl', 'a$', 'b#'] });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual(['"A$", "B#" are not symbols (letters, digits, ".", "-", 1-15 characters)']);
    expect(IngestArgSchema.parse({ provider: 'fake', symbols: [' aapl', 'brk.b'] }).symbols).toEqual(['AAPL', 'BRK.B']);
  });

  it('a validation or aggregation scope names every bad symbol too', () => {
    const r = ScopeObjectSchema.safeParse({ symbols: ['MSFT', 'x y', '$'] });
    expect(r.error?.issues.map((i) => i.message)).toEqual(['"X Y", "$" are not symbols (letters, digits, ".", "-", 1-15 characters)']);
  });
});
