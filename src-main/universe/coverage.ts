import { lastClosedSession, nextTradingDay, tradingDays } from '../calendar';
import type { SymbolCoverage } from '../contract/schemas';
import type { CoverageStore } from '../db/coverage';

/**
 * Each symbol's coverage at a glance: the source with the most sessions (among those of the provider and feed asked
 * about), the sessions missing inside its span and those behind the last closed session.
 */
export function symbolCoverage(coverage: CoverageStore, symbols: string[], filter: { provider?: string; feed?: string }): SymbolCoverage[] {
  const lastClosed = lastClosedSession();
  return symbols.map((symbol) => {
    const best = coverage.summary(symbol).find((c) => (!filter.provider || c.provider === filter.provider) && (!filter.feed || c.feed === filter.feed));
    if (!best) return { symbol, provider: null, feed: null, timeframe: null, firstSession: null, lastSession: null, sessions: 0, missingSessions: 0, behindSessions: 0 };
    const span = tradingDays(best.first, best.last).length;
    const behind = best.last >= lastClosed ? 0 : tradingDays(nextTradingDay(best.last), lastClosed).length;
    return {
      symbol,
      provider: best.provider,
      feed: best.feed,
      timeframe: best.timeframe,
      firstSession: best.first,
      lastSession: best.last,
      sessions: best.sessions,
      missingSessions: Math.max(0, span - best.sessions),
      behindSessions: behind,
    };
  });
}
