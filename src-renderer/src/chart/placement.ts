import type { BarAnchor } from './types';

// Where the list of a marker's findings goes while the pointer is on it: beside the bar and its marker (never over
// them), level with the marker, inside the plot, and below the legend where it would reach under it. It was part of
// the legend, so a long list hid the top of the plot, and the bar hovered there with it.

/** px between the bar (or its marker) and the list */
const GAP = 14;
/** px above a bar's high that its marker (an arrow and the count) takes */
const MARKER = 26;

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The list's top-left corner (px of the chart element) for a list of `size`, with the legend's box `legend`. */
export function placeFindingsList(a: BarAnchor, size: { width: number; height: number }, legend: Box | null): { left: number; top: number } {
  const { width: w, height: h } = size;
  // beside: right of the bar when it fits, else left of it, else against the side with more room
  let left = a.right + GAP;
  if (left + w > a.plotWidth) {
    left = a.left - GAP - w;
    if (left < 0) left = a.plotWidth - a.right >= a.left ? Math.max(0, a.plotWidth - w) : 0;
  }
  // level with the marker, within the plot; below the legend when the list would reach under it
  const overLegend = legend !== null && left < legend.left + legend.width && left + w > legend.left;
  const minTop = overLegend ? legend.top + legend.height + 6 : 0;
  const top = Math.max(minTop, Math.min(a.top - MARKER, a.plotHeight - h));
  return { left, top };
}

/** Whether two boxes overlap (touching edges do not). */
export function intersects(a: Box, b: Box): boolean {
  return a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;
}
