import { describe, expect, it } from 'vitest';
import { sameHover } from './hover';
import type { ChartFinding } from '../../../src-main/contract/chart';
import type { LegendBar } from './types';

const anchor = { left: 400, right: 410, top: 200, bottom: 260, plotWidth: 1000, plotHeight: 500 };
const finding: ChartFinding = { t: 0, timeframe: '1m', rule: 'price_jump', severity: 'error', message: 'jump', provider: 'fake', feed: 'sim' };
const bar: LegendBar = { t: 0, o: 1, h: 2, l: 0.5, c: 1.5, v: 10, sma: null, vwap: 1.2, findingsCount: 1, findings: [finding], anchor };

describe('the hovered bar read again', () => {
  it('is the same when nothing it shows moved', () => {
    expect(sameHover(bar, { ...bar, findings: [finding], anchor: { ...anchor } })).toBe(true);
  });

  it('differs when its marker moved (a zoom with the pointer on the same bar)', () => {
    expect(sameHover(bar, { ...bar, anchor: { ...anchor, left: 380, right: 395 } })).toBe(false);
    expect(sameHover(bar, { ...bar, anchor: { ...anchor, top: 120 } })).toBe(false);
    expect(sameHover(bar, { ...bar, anchor: { ...anchor, plotWidth: 1400 } })).toBe(false);
    expect(sameHover(bar, { ...bar, anchor: null })).toBe(false);
  });

  it('differs when its marker regrouped or its findings arrived', () => {
    expect(sameHover(bar, { ...bar, findingsCount: 3 })).toBe(false);
    expect(sameHover(bar, { ...bar, findings: [{ ...finding }] })).toBe(false);
    expect(sameHover(null, bar)).toBe(false);
  });
});
