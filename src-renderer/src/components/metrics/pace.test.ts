import { describe, expect, it } from 'vitest';
import { Pacer } from './pace';

describe('Pacer', () => {
  const opts = { minMs: 1000, maxMs: 10_000, share: 0.25 };

  it('draws the first value at once, then no more often than minMs while drawing is cheap', () => {
    const p = new Pacer(opts);
    expect(p.delay(5000)).toBe(0);
    p.drew(5000);
    p.cost(30);
    expect(p.interval()).toBe(1000);
    expect(p.delay(5400)).toBe(600);
    expect(p.delay(7000)).toBe(0);
  });

  it('spaces draws so that drawing takes at most its share of the time, up to maxMs', () => {
    const p = new Pacer(opts);
    p.drew(0);
    p.cost(800); // a loaded machine: 800 ms per draw, so one every 3.2 s
    expect(p.interval()).toBe(3200);
    expect(p.delay(1000)).toBe(2200);
    p.cost(60_000);
    expect(p.interval()).toBe(10_000);
    // the machine is quiet again: the next measured draw brings the pace back
    p.cost(20);
    expect(p.interval()).toBe(1000);
  });
});
