import type { BarAnchor, LegendBar } from './types';

// The hovered bar is read again after every zoom, pan, resize and redraw of the markers (the pointer may not move:
// a wheel zoom keeps it on the same bar, but the bar, its marker and their findings move or regroup). The legend and
// the findings list are told only when something they show changed.

function sameAnchor(a: BarAnchor | null, b: BarAnchor | null): boolean {
  if (a === null || b === null) return a === b;
  return a.left === b.left && a.right === b.right && a.top === b.top && a.bottom === b.bottom && a.plotWidth === b.plotWidth && a.plotHeight === b.plotHeight;
}

/** Whether two readings of the hovered bar show the same: its values, its marker's place and its findings. */
export function sameHover(a: LegendBar | null, b: LegendBar): boolean {
  if (a === null || a.t !== b.t || a.c !== b.c || a.sma !== b.sma || a.vwap !== b.vwap) return false;
  if (a.findingsCount !== b.findingsCount || a.findings.length !== b.findings.length) return false;
  for (let k = 0; k < a.findings.length; k++) if (a.findings[k] !== b.findings[k]) return false;
  return sameAnchor(a.anchor, b.anchor);
}
