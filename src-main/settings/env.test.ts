import { describe, expect, it } from 'vitest';
import { parseEnv, readEnv } from './env';

describe('environment variables', () => {
  it('reads one variable where it is used: parsed, trimmed, empty as not set', () => {
    expect(readEnv({ POLYGON_RATE_PER_MIN: ' 300 ' }, 'POLYGON_RATE_PER_MIN')).toBe(300);
    expect(readEnv({ POLYGON_RATE_PER_MIN: '  ' }, 'POLYGON_RATE_PER_MIN')).toBeUndefined();
    expect(readEnv({ ALPACA_KEY: ' k ' }, 'ALPACA_KEY')).toBe('k');
    expect(readEnv({}, 'IEX_TOKEN')).toBeUndefined();
    expect(readEnv({ MP_FAKE_LATENCY_MS: '20' }, 'MP_FAKE_LATENCY_MS')).toBe(20);
    expect(() => readEnv({ POLYGON_RATE_PER_MIN: '5.5' }, 'POLYGON_RATE_PER_MIN')).toThrow(/^POLYGON_RATE_PER_MIN must be a whole number of requests per minute/);
    expect(() => readEnv({ MP_FAKE_LATENCY_MS: '-1' }, 'MP_FAKE_LATENCY_MS')).toThrow(/MP_FAKE_LATENCY_MS must be a whole number/);
  });

  it('parses what every command needs up front, naming the variable of a bad value', () => {
    expect(parseEnv({ MP_LOG_LEVEL: 'debug', MP_FAKE_LATENCY_MS: '5', POLYGON_RATE_PER_MIN: 'bad' })).toMatchObject({ MP_LOG_LEVEL: 'debug', MP_FAKE_LATENCY_MS: 5 });
    expect(() => parseEnv({ MP_LOG_LEVEL: 'loud' })).toThrow(/^MP_LOG_LEVEL: /);
    expect(() => parseEnv({ MP_SOURCE_PRECEDENCE: 'a b' })).toThrow(/^MP_SOURCE_PRECEDENCE: MP_SOURCE_PRECEDENCE must be a comma-separated list/);
  });
});
