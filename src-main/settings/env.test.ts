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
    expect(() => parseEnv({ MP_LOG_LEVEL: 'loud' })).toThrow('MP_LOG_LEVEL: Invalid option: expected one of "debug"|"info"|"warn"|"error"|"silent"');
    expect(parseEnv({ MP_SOURCE_PRECEDENCE: ' fake, alpaca:iex ', MP_DATA_DIR: ' /d ' })).toMatchObject({ MP_SOURCE_PRECEDENCE: ' fake, alpaca:iex ', MP_DATA_DIR: ' /d ' });
  });

  it('checks the query ceiling and the lake settings: digits only, within their range', () => {
    expect(readEnv({ MP_QUERY_MEMORY_MB: ' 512 ' }, 'MP_QUERY_MEMORY_MB')).toBe(512);
    expect(() => readEnv({ MP_QUERY_MEMORY_MB: '64' }, 'MP_QUERY_MEMORY_MB')).toThrow('MP_QUERY_MEMORY_MB must be between 128 and 1048576');
    expect(() => readEnv({ MP_QUERY_MEMORY_MB: '1e3' }, 'MP_QUERY_MEMORY_MB')).toThrow('MP_QUERY_MEMORY_MB must be a whole number');
    expect(() => readEnv({ MP_RETAIN_DAYS: '-3' }, 'MP_RETAIN_DAYS')).toThrow('MP_RETAIN_DAYS must be a whole number');
    expect(readEnv({ MP_COMPACT_THRESHOLD: '8' }, 'MP_COMPACT_THRESHOLD')).toBe(8);
    expect(() => readEnv({ MP_COMPACT_THRESHOLD: '0' }, 'MP_COMPACT_THRESHOLD')).toThrow('MP_COMPACT_THRESHOLD must be between 1 and 10000');
    expect(() => readEnv({ POLYGON_RATE_PER_MIN: '0x10' }, 'POLYGON_RATE_PER_MIN')).toThrow(/^POLYGON_RATE_PER_MIN must be a whole number/);
  });
});
