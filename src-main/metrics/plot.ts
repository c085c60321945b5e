import type { Point } from './history';

export interface PlotOptions {
  /** columns of the plot area (default 60) */
  width?: number;
  /** rows of the plot area (default 10) */
  height?: number;
  /** x-axis labels; default ISO UTC minutes */
  formatTs?: (ts: number) => string;
}

/**
 * A terminal line plot in plain ASCII (any terminal, any log file). Pure: same points, same text. Each column shows
 * the last value at or before its right edge (the series are step functions: a value holds until the next record).
 */
export function asciiPlot(points: readonly Point[], opts: PlotOptions = {}): string {
  const width = Math.max(2, Math.floor(opts.width ?? 60));
  const height = Math.max(2, Math.floor(opts.height ?? 10));
  const fmtTs = opts.formatTs ?? ((ts: number) => new Date(ts).toISOString().slice(0, 16).replace('T', ' '));
  const pts = points.filter((p) => Number.isFinite(p.ts) && Number.isFinite(p.value)).sort((a, b) => a.ts - b.ts);
  if (pts.length === 0) return '(no data)\n';
  const t0 = pts[0]!.ts;
  const t1 = pts.at(-1)!.ts;
  const span = t1 - t0;

  // value per column (undefined before the first point)
  const cols: (number | undefined)[] = [];
  let i = 0;
  let current: number | undefined;
  for (let c = 0; c < width; c++) {
    const edge = span === 0 ? t1 : t0 + (span * (c + 1)) / width;
    while (i < pts.length && pts[i]!.ts <= edge) current = pts[i++]!.value;
    cols.push(current);
  }
  const values = cols.filter((v): v is number => v !== undefined);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi === lo) {
    // a flat line sits in the middle, with a range around it so the labels still mean something
    const pad = lo === 0 ? 1 : Math.abs(lo) / 2;
    lo -= pad;
    hi += pad;
  }
  const rowOf = (v: number): number => Math.round(((v - lo) / (hi - lo)) * (height - 1));

  const grid = Array.from({ length: height }, () => Array<string>(width).fill(' '));
  let prev: number | undefined;
  cols.forEach((v, c) => {
    if (v === undefined) return;
    const r = rowOf(v);
    // join steps with a vertical stroke so jumps read as one line
    if (prev !== undefined && prev !== r) for (let k = Math.min(prev, r) + 1; k < Math.max(prev, r); k++) grid[k]![c] = '|';
    grid[r]![c] = '*';
    prev = r;
  });

  const labelOf = (r: number): string => formatNumber(lo + ((hi - lo) * r) / (height - 1));
  const labels = Array.from({ length: height }, (_, r) => (r === height - 1 || r === 0 || r === Math.floor((height - 1) / 2) ? labelOf(r) : ''));
  const lw = Math.max(...labels.map((l) => l.length));
  const lines: string[] = [];
  for (let r = height - 1; r >= 0; r--) lines.push(`${labels[r]!.padStart(lw)} ${labels[r] ? '+' : '|'}${grid[r]!.join('')}`);
  lines.push(`${' '.repeat(lw)} +${'-'.repeat(width)}`);
  const left = fmtTs(t0);
  const right = fmtTs(t1);
  const gap = Math.max(1, width + 1 - left.length - right.length);
  lines.push(`${' '.repeat(lw + 1)}${span === 0 ? left : left + ' '.repeat(gap) + right}`);
  return lines.join('\n') + '\n';
}

/** Short, stable number labels: 1234567 → 1.23M, 0.00123 → 0.00123. */
export function formatNumber(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e9) return `${trim(v / 1e9)}G`;
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e4) return `${trim(v / 1e3)}k`;
  if (a >= 1) return trim(v);
  return Number(v.toPrecision(3)).toString();
}

function trim(v: number): string {
  return Number(v.toFixed(2)).toString();
}
