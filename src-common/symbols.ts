// Symbol lists as people type them, in the CLI (`--symbols "AAPL, MSFT"`) and in the UI's fields alike.

/**
 * "aapl, MSFT;nvda  AAPL" -> ['AAPL', 'MSFT', 'NVDA']: separated by commas, semicolons or whitespace (any mix),
 * upper-cased, without empties or duplicates, in the order given. Validity is the contract's to judge.
 */
export function splitSymbols(text: string): string[] {
  const out = new Set<string>();
  for (const raw of text.split(/[\s,;]+/)) {
    const s = raw.trim().toUpperCase();
    if (s) out.add(s);
  }
  return [...out];
}

/** A ticker as MarketPipe stores it: letters, digits, '.', '-', up to 15 characters, upper case. */
export const SYMBOL_RE = /^[A-Z0-9][A-Z0-9.-]{0,14}$/;
const SYMBOL_RULE = '(letters, digits, ".", "-", 1-15 characters)';

/** The entries of a list that are not symbols once trimmed and upper-cased, in order, each once. */
export function badSymbols(list: readonly string[]): string[] {
  return [...new Set(list.map((s) => s.trim().toUpperCase()).filter((s) => !SYMBOL_RE.test(s)))];
}

/** One line naming every bad entry (the first 10, then how many more): `"A$", "B#" are not symbols (…)`. */
export function notSymbolsMessage(bad: readonly string[]): string {
  const shown = bad.slice(0, 10).map((s) => JSON.stringify(s));
  const more = bad.length > 10 ? ` and ${bad.length - 10} more` : '';
  return bad.length === 1 ? `${shown[0]} is not a symbol ${SYMBOL_RULE}` : `${shown.join(', ')}${more} are not symbols ${SYMBOL_RULE}`;
}
