import { describe, expect, it } from 'vitest';
import { formatEta } from './format';

describe('formatEta', () => {
  it('reads like a person would say it', () => {
    expect(formatEta(0)).toBe('0 s');
    expect(formatEta(45.4)).toBe('45 s');
    expect(formatEta(130)).toBe('2 m 10 s');
    expect(formatEta(3599)).toBe('59 m 59 s');
    expect(formatEta(3600 + 5 * 60 + 20)).toBe('1 h 05 m');
  });
});
