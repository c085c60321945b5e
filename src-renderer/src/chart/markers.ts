import type { ChartFinding, ChartFindingMarks } from '../../../src-main/contract/chart';

// Finding markers: one per bar at most, coloured by the worst severity, with a count; when zoomed out so far that
// markers would overlap, neighbouring bars share one marker (the worst of them, the findings summed). The counts come
// from the engine's marks (every finding of the range, counted by severity), so they hold however many findings the
// range has; the findings themselves (rule, message, for the list on hover) are the first of them, or fetched for a bar.

export type Severity = 'error' | 'warning' | 'info';

export function rank(sev: string): number {
  return sev === 'error' ? 2 : sev === 'warning' ? 1 : 0;
}
const NAMES: Severity[] = ['info', 'warning', 'error'];

export interface MarkerGroup {
  /** the bar the marker stands on: the one with the worst findings of the group (the first of them) */
  index: number;
  worst: Severity;
  count: number;
  /** bars of the group with findings */
  bars: number;
}

/** A bar's findings by severity (info: any severity that is neither error nor warning). */
export interface SeverityCounts {
  error: number;
  warning: number;
  info: number;
}

/** The engine's marks counted per bar index (the bar each group's start falls in), info ones left out unless `info`. */
export function countsByBar(marks: ChartFindingMarks, barOf: (t: number) => number, info: boolean): Map<number, SeverityCounts> {
  const at = new Map<number, SeverityCounts>();
  for (let k = 0; k < marks.t.length; k++) {
    const c = { error: marks.error[k] ?? 0, warning: marks.warning[k] ?? 0, info: info ? (marks.info[k] ?? 0) : 0 };
    if (c.error + c.warning + c.info === 0) continue;
    const i = barOf(marks.t[k]!);
    if (i < 0) continue;
    const had = at.get(i);
    if (had) {
      had.error += c.error;
      had.warning += c.warning;
      had.info += c.info;
    } else at.set(i, c);
  }
  return at;
}

/** Findings per bar index, info ones left out unless `info`. */
export function findingsByBar(findings: readonly ChartFinding[], barOf: (f: ChartFinding) => number, info: boolean): Map<number, ChartFinding[]> {
  const at = new Map<number, ChartFinding[]>();
  for (const f of findings) {
    if (!info && rank(f.severity) === 0) continue;
    const i = barOf(f);
    if (i < 0) continue;
    const list = at.get(i);
    if (list) list.push(f);
    else at.set(i, [f]);
  }
  return at;
}

/**
 * Markers for the bars with findings. `bucket` bars share a marker (1: one per bar): buckets are aligned on bar
 * indices (index / bucket), so panning does not reshuffle them.
 */
export function groupMarkers(at: ReadonlyMap<number, SeverityCounts>, bucket: number): MarkerGroup[] {
  const size = Math.max(1, Math.floor(bucket));
  const groups = new Map<number, MarkerGroup & { rank: number }>();
  for (const [i, c] of at) {
    const worst = c.error > 0 ? 2 : c.warning > 0 ? 1 : 0;
    const count = c.error + c.warning + c.info;
    const key = Math.floor(i / size);
    const g = groups.get(key);
    if (!g) groups.set(key, { index: i, worst: NAMES[worst]!, count, bars: 1, rank: worst });
    else {
      g.count += count;
      g.bars++;
      if (worst > g.rank || (worst === g.rank && i < g.index)) {
        g.rank = worst;
        g.worst = NAMES[worst]!;
        g.index = i;
      }
    }
  }
  return [...groups.values()].sort((a, b) => a.index - b.index).map(({ index, worst, count, bars }) => ({ index, worst, count, bars }));
}

/** Bars per marker so markers stand at least `minGapPx` apart at `barSpacingPx` pixels per bar. */
export function markerBucket(barSpacingPx: number, minGapPx = 14): number {
  if (!(barSpacingPx > 0)) return 1;
  return Math.max(1, Math.ceil(minGapPx / barSpacingPx));
}

/** A marker's label: the count when more than one finding. */
export function markerText(g: MarkerGroup): string {
  return g.count > 1 ? String(g.count) : '';
}
