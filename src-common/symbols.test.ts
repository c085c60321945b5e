import { describe, expect, it } from 'vitest';
import { badSymbols, notSymbolsMessage, splitSymbols } from './symbols';

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

describe('badSymbols and notSymbolsMessage', () => {
  it('names every bad entry at once, upper-cased, each once', () => {
    expect(badSymbols(['aapl', 'a$', 'B#', 'a$', 'toolongsymbolname123', 'BRK.B'])).toEqual(['A$', 'B#', 'TOOLONGSYMBOLNAME123']);
    expect(notSymbolsMessage(['A$'])).toBe('"A$" is not a symbol (letters, digits, ".", "-", 1-15 characters)');
    expect(notSymbolsMessage(['A$', 'B#'])).toBe('"A$", "B#" are not symbols (letters, digits, ".", "-", 1-15 characters)');
    const many = Array.from({ length: 13 }, (_, i) => `X${i}$`);
    expect(notSymbolsMessage(many)).toMatch(/^"X0\$", .*"X9\$" and 3 more are not symbols/);
  });
});
