import type { SourceKey } from './layout';

// Which source the `bars` view shows when a symbol is held from several. Entries are `provider` or `provider:feed`,
// best first; MP_SOURCE_PRECEDENCE overrides the default. Sources not listed come after all listed ones.
export const DEFAULT_PRECEDENCE = ['alpaca:sip', 'polygon', 'alpaca:iex', 'alpaca', 'iex', 'csv', 'fake'];

export function parsePrecedence(raw: string | undefined): string[] {
  if (!raw?.trim()) return DEFAULT_PRECEDENCE;
  return raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

function rank(s: SourceKey, order: string[]): number {
  const exact = order.indexOf(`${s.provider}:${s.feed}`);
  if (exact >= 0) return exact;
  const byProvider = order.indexOf(s.provider);
  return byProvider >= 0 ? byProvider : order.length;
}

/** The preferred source for each (symbol, timeframe): lowest rank, then provider and feed by name (deterministic). */
export function preferredSources(sources: SourceKey[], order: string[]): SourceKey[] {
  const best = new Map<string, SourceKey>();
  for (const s of sources) {
    const k = `${s.symbol}\u0000${s.timeframe}`;
    const cur = best.get(k);
    if (
      !cur ||
      rank(s, order) < rank(cur, order) ||
      (rank(s, order) === rank(cur, order) && `${s.provider}:${s.feed}` < `${cur.provider}:${cur.feed}`)
    ) {
      best.set(k, s);
    }
  }
  return [...best.values()].sort((a, b) => (a.symbol + a.timeframe < b.symbol + b.timeframe ? -1 : 1));
}
