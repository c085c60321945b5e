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
