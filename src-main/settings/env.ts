import { z } from 'zod';
import { MpError } from '../shared/errors';

// Every environment variable MarketPipe reads, each with its zod schema: the one list of them. `readEnv(env, NAME)`
// parses one variable where it is used (a provider's variables when that provider is, so a bad POLYGON_RATE_PER_MIN
// does not stop `marketpipe jobs`); `parseEnv(env)` parses, up front, those every CLI command depends on.
// A value that is empty (or only spaces) counts as not set.

const wholeNumber = (min: number, max: number, message: string, digitsOnly: boolean) =>
  z
    .string()
    .trim()
    .transform((s, ctx) => {
      const n = digitsOnly && !/^\d+$/.test(s) ? Number.NaN : Number(s);
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return n;
    });

const intFrom = (name: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`);

/** A credential or URL: checked by the provider that uses it (which knows its own error codes and defaults). */
const text = z.string().trim();

const VARS = {
  /** the data folder (default: the platform's application data folder) */
  MP_DATA_DIR: z.string(),
  MP_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']),
  /** the fake provider's delay per page, for demos and cancellation tests */
  MP_FAKE_LATENCY_MS: intFrom('MP_FAKE_LATENCY_MS', 0, 60_000),
  /** which source the `bars` view prefers for a symbol held from several */
  MP_SOURCE_PRECEDENCE: z
    .string()
    .regex(/^\s*[a-z0-9_-]+(:[a-z0-9_-]+)?(\s*,\s*[a-z0-9_-]+(:[a-z0-9_-]+)?)*\s*$/i, 'MP_SOURCE_PRECEDENCE must be a comma-separated list of provider or provider:feed'),
  /**
   * the timeframes the pipeline builds after each 1m job; empty means none, so the engine reads it as given and
   * aggregateTimeframesFrom (aggregate/service.ts) parses it
   */
  MP_AGGREGATE_TIMEFRAMES: z.string(),
  /** a lake partition is compacted once it holds more files than this (lake/compact.ts, default 16) */
  MP_COMPACT_THRESHOLD: intFrom('MP_COMPACT_THRESHOLD', 1, 10_000),
  /** days superseded lake files are kept for `query --as-of` before `lake vacuum` removes them (default 7) */
  MP_RETAIN_DAYS: intFrom('MP_RETAIN_DAYS', 0, 36_500),
  /** the query process's memory ceiling in MB (default 2048): a query past it is stopped with E_QUERY_MEMORY */
  MP_QUERY_MEMORY_MB: intFrom('MP_QUERY_MEMORY_MB', 128, 1_048_576),
  ALPACA_KEY: text,
  ALPACA_SECRET: text,
  ALPACA_DATA_URL: text,
  POLYGON_API_KEY: text,
  POLYGON_BASE_URL: text,
  POLYGON_RATE_PER_MIN: wholeNumber(1, 100_000, 'POLYGON_RATE_PER_MIN must be a whole number of requests per minute between 1 and 100000', true),
  IEX_TOKEN: text,
  IEX_BASE_URL: text,
  /** the standalone metrics endpoint's settings, with their defaults and limits: parseMetricsEnv (metrics/server.ts) */
  METRICS_PORT: text,
  METRICS_HOST: text,
  METRICS_MAX_CONNECTIONS: text,
  METRICS_MAX_HEADER_SIZE: text,
} as const;

export type EnvName = keyof typeof VARS;
export type EnvValue<K extends EnvName> = z.output<(typeof VARS)[K]>;

/** One variable, parsed; undefined when not set. A bad value is E_BAD_INPUT with the variable's own message. */
export function readEnv<K extends EnvName>(env: NodeJS.ProcessEnv, name: K): EnvValue<K> | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const r = (VARS[name] as unknown as z.ZodType<EnvValue<K>>).safeParse(raw);
  if (!r.success) throw new MpError('E_BAD_INPUT', r.error.issues[0]?.message ?? `${name}: invalid value`);
  return r.data;
}

/** What every command reads before it runs (a bad value stops it with one line naming the variable). */
const UP_FRONT = ['MP_DATA_DIR', 'MP_FAKE_LATENCY_MS', 'MP_LOG_LEVEL', 'MP_SOURCE_PRECEDENCE'] as const;
export type EngineEnv = { [K in (typeof UP_FRONT)[number]]?: EnvValue<K> };

export function parseEnv(env: NodeJS.ProcessEnv = process.env): EngineEnv {
  const out: Record<string, unknown> = {};
  for (const name of UP_FRONT) {
    try {
      out[name] = readEnv(env, name);
    } catch (e) {
      throw new MpError('E_BAD_INPUT', `${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out as EngineEnv;
}
