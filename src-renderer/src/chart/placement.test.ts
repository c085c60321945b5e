import { describe, expect, it } from 'vitest';
import { intersects, placeFindingsList } from './placement';

const plot = { plotWidth: 1000, plotHeight: 500 };
const legend = { left: 8, top: 4, width: 600, height: 22 };
const size = { width: 300, height: 120 };

describe('the findings list beside a marker', () => {
  it('goes right of the bar, level with its marker, when it fits', () => {
    const a = { ...plot, left: 400, right: 400, top: 200, bottom: 260 };
    const p = placeFindingsList(a, size, legend);
    expect(p.left).toBeGreaterThan(400);
    expect(p.top).toBeLessThan(200);
    // not over the bar and its marker
    expect(intersects({ ...p, ...size }, { left: 395, top: 170, width: 10, height: 90 })).toBe(false);
  });

  it('goes left of a bar near the right edge, and stays in the plot', () => {
    const a = { ...plot, left: 900, right: 920, top: 300, bottom: 340 };
    const p = placeFindingsList(a, size, legend);
    expect(p.left + size.width).toBeLessThan(900);
    expect(p.top + size.height).toBeLessThanOrEqual(plot.plotHeight);
  });

  it('never covers the legend: a marker at the top puts the list below it', () => {
    const a = { ...plot, left: 100, right: 100, top: 10, bottom: 60 };
    const p = placeFindingsList(a, size, legend);
    expect(intersects({ ...p, ...size }, legend)).toBe(false);
    expect(p.top).toBeGreaterThanOrEqual(legend.top + legend.height);
  });

  it('a list beside the legend (not under it) may go up to the top of the plot', () => {
    const a = { ...plot, left: 640, right: 640, top: 10, bottom: 60 };
    const p = placeFindingsList(a, size, legend);
    expect(p.left).toBeGreaterThan(legend.left + legend.width);
    expect(p.top).toBe(0);
  });

  it('a bar low in the plot keeps the list inside it', () => {
    const a = { ...plot, left: 300, right: 300, top: 490, bottom: 498 };
    expect(placeFindingsList(a, size, legend).top).toBe(plot.plotHeight - size.height);
  });
});
