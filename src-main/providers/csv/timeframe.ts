import type { Timeframe } from '../../contract/schemas';
import type { ParsedSource, SymbolStats } from './parse';
import { bad } from './sources';

const MINUTE = 60_000;
const DAY = 86_400_000;
const BY_GAP = new Map<number, Timeframe>([
  [MINUTE, '1m'],
  [5 * MINUTE, '5m'],
  [15 * MINUTE, '15m'],
  [30 * MINUTE, '30m'],
  [60 * MINUTE, '1h'],
]);

/** The most common positive spacing (the smaller one on a tie), or null for a single bar. */
export function modeGap(gaps: Map<number, number>): number | null {
  let best: number | null = null;
  let bestCount = 0;
  for (const [gap, count] of gaps) {
    if (count > bestCount || (count === bestCount && best !== null && gap < best)) {
      best = gap;
      bestCount = count;
    }
  }
  return best;
}

export function formatGap(ms: number): string {
  if (ms % DAY === 0) return `${ms / DAY} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % MINUTE === 0) return `${ms / MINUTE} min`;
  return `${ms / 1000} s`;
}

/** A symbol's timeframe from its bars: date-only timestamps or a spacing of a day or more are daily. */
function timeframeOf(st: SymbolStats, parsed: ParsedSource, label: string): Timeframe {
  if (st.daily) return '1d';
  const files = st.files.map((i) => parsed.files[i]!.file.name);
  const where = files.length > 1 ? `${files[0]} (and ${files.length - 1} more)` : files[0];
  const gap = modeGap(st.gaps);
  if (gap === null) throw bad(`${where}: ${label} has a single bar, so its timeframe cannot be told from its spacing: give --timeframe`);
  if (gap >= DAY) return '1d';
  const tf = BY_GAP.get(gap);
  if (!tf) {
    throw bad(
      `${where}: ${label}'s bars are most often ${formatGap(gap)} apart, which is none of 1m, 5m, 15m, 30m, 1h, 1d: give --timeframe`,
    );
  }
  return tf;
}

/** One timeframe for all the symbols of an import (a job has one), or E_BAD_INPUT saying which differ. */
export function inferTimeframe(parsed: ParsedSource, picked: { key: string; symbol: string }[]): Timeframe {
  const found = picked.map(({ key, symbol }) => ({ symbol, tf: timeframeOf(parsed.symbols.get(key)!, parsed, symbol) }));
  const distinct = [...new Set(found.map((f) => f.tf))];
  if (distinct.length > 1) {
    const sample = distinct.map((tf) => `${found.find((f) => f.tf === tf)!.symbol} ${tf}`).join(', ');
    throw bad(`the symbols' bars have different spacings (${sample}): import them separately or give --timeframe`);
  }
  return distinct[0]!;
}
