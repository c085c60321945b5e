import { describe, expect, it } from 'vitest';
import { findingTime } from './findingTime';

describe('findingTime', () => {
  // 2024-03-11 00:00 in New York (EDT began the day before): 04:00 UTC, 21:00 the evening before in Los Angeles
  const dayStart = '2024-03-11T04:00:00.000Z';

  it('shows a missing session as its exchange date in every zone setting', () => {
    for (const zone of ['America/New_York', 'UTC', 'local'] as const) {
      expect(findingTime({ ts: dayStart, rule: 'missing_session', timeframe: '1m' }, zone, 'America/Los_Angeles')).toBe('2024-03-11');
    }
  });

  it('shows a daily bar finding as its date', () => {
    expect(findingTime({ ts: dayStart, rule: 'price_jump', timeframe: '1d' }, 'local', 'America/Los_Angeles')).toBe('2024-03-11');
  });

  it('keeps the time and zone of an intraday finding', () => {
    expect(findingTime({ ts: '2024-03-11T13:30:00.000Z', rule: 'price_jump', timeframe: '1m' }, 'America/New_York')).toBe('2024-03-11 09:30:00 EDT');
    expect(findingTime({ ts: '2024-03-11T13:30:00.000Z', rule: 'price_jump', timeframe: '1m' }, 'local', 'America/Los_Angeles')).toBe('2024-03-11 06:30:00 PDT');
  });
});
