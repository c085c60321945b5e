import { describe, expect, it } from 'vitest';
import { splitSymbols } from './symbols';

describe('splitSymbols', () => {
  it.each([
    ['AAPL, MSFT BRK.B', ['AAPL', 'MSFT', 'BRK.B']],
    ['aapl;msft', ['AAPL', 'MSFT']],
    ['aapl, MSFT\nnvda  AAPL', ['AAPL', 'MSFT', 'NVDA']],
    [' ,; \t', []],
    ['', []],
  ])('%j', (text, expected) => {
    expect(splitSymbols(text)).toEqual(expected);
  });
});
