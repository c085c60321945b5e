import { describe, expect, it } from 'vitest';
import { formatEta, formatNumber, formatNumericCell, formatRate, formatSeconds, groupDigits, numberIsRounded } from './format';

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

describe('formatNumber (results grid)', () => {
  it('groups thousands', () => {
    expect(formatNumber(424467637)).toBe('424,467,637');
    expect(formatNumber(999)).toBe('999');
    expect(formatNumber(1000)).toBe('1,000');
    expect(formatNumber(Number.MAX_SAFE_INTEGER)).toBe('9,007,199,254,740,991');
  });
  it('shows the fewest decimals that show the value, without binary noise', () => {
    expect(formatNumber(300.34749999999997)).toBe('300.3475');
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(1234.5)).toBe('1,234.5');
    expect(formatNumber(499999.5)).toBe('499,999.5');
    expect(formatNumber(0.000123)).toBe('0.000123');
    expect(formatNumber(1 / 3)).toBe('0.333333333333333');
    expect(numberIsRounded(300.34749999999997)).toBe(true);
    expect(numberIsRounded(1234.5)).toBe(false);
  });
  it('negatives, zero, exponents, NaN and Infinity', () => {
    expect(formatNumber(-1234567.25)).toBe('-1,234,567.25');
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(1.5e21)).toBe('1.5e+21');
    expect(formatNumber(1.2e-9)).toBe('1.2e-9');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(Infinity)).toBe('Infinity');
    expect(formatNumber(-Infinity)).toBe('-Infinity');
  });
  it('numeric cells sent as strings: big integers grouped, NaN and inf by name', () => {
    expect(formatNumericCell('12345678901234567890')).toBe('12,345,678,901,234,567,890');
    expect(formatNumericCell('-170141183460469231731687303715884105727')).toBe('-170,141,183,460,469,231,731,687,303,715,884,105,727');
    expect(formatNumericCell('NaN')).toBe('NaN');
    expect(formatNumericCell('nan')).toBe('NaN');
    expect(formatNumericCell('Infinity')).toBe('Infinity');
    expect(formatNumericCell('-inf')).toBe('-Infinity');
    expect(formatNumericCell('n/a')).toBe('n/a');
    expect(groupDigits('1234.5678')).toBe('1,234.5678');
  });
});
