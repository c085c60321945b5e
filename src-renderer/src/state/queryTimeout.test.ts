import { describe, expect, it } from 'vitest';
import { parseTimeoutSeconds, setQueryTimeout, timeoutLabel, useQueryTimeout } from './queryTimeout';

describe('the query timeout setting', () => {
  it('defaults to 300 s and takes whole seconds from 0 (no limit) to a day', () => {
    expect(useQueryTimeout.getState().seconds).toBe(300);
    expect(parseTimeoutSeconds('0')).toBe(0);
    expect(parseTimeoutSeconds(' 45 ')).toBe(45);
    for (const bad of ['', '-1', '1.5', 'abc', '86401', null]) expect(parseTimeoutSeconds(bad)).toBeUndefined();
  });

  it('a bad value changes nothing', () => {
    expect(setQueryTimeout('12')).toBe(true);
    expect(setQueryTimeout('-3')).toBe(false);
    expect(useQueryTimeout.getState().seconds).toBe(12);
    expect(timeoutLabel(0)).toBe('no limit');
    expect(timeoutLabel(12)).toBe('limit 12 s');
  });
});
