import { describe, expect, it } from 'vitest';
import { formatEta, formatRate, formatSeconds } from './format';

describe('formatEta', () => {
  it('reads like a person would say it', () => {
    expect(formatEta(0)).toBe('0 s');
    expect(formatEta(45.4)).toBe('45 s');
    expect(formatEta(130)).toBe('2 m 10 s');
    expect(formatEta(3599)).toBe('59 m 59 s');
    expect(formatEta(3600 + 5 * 60 + 20)).toBe('1 h 05 m');
  });
});

describe('formatRate', () => {
  it('keeps small positive values visible and big ones readable', () => {
    expect(formatRate(0)).toBe('0');
    expect(formatRate(0.004)).toBe('<0.01');
    expect(formatRate(0.25)).toBe('0.25');
    expect(formatRate(3.456)).toBe('3.46');
    expect(formatRate(42.34)).toBe('42.3');
    expect(formatRate(12_345.6)).toBe('12,346');
    expect(formatRate(Number.NaN)).toBe('0');
  });
});

describe('formatSeconds', () => {
  it('shows latencies in ms below a second', () => {
    expect(formatSeconds(null)).toBe('–');
    expect(formatSeconds(0.0008)).toBe('0.80 ms');
    expect(formatSeconds(0.042)).toBe('42 ms');
    expect(formatSeconds(1.25)).toBe('1.25 s');
  });
});
