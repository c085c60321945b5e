import { MpError } from '../shared/errors';

// Every environment variable MarketPipe reads, each with its check: the one list of them. `readEnv(env, NAME)`
// parses one variable where it is used (a provider's variables when that provider is, so a bad POLYGON_RATE_PER_MIN
// does not stop `marketpipe jobs`); `parseEnv(env)` parses, up front, those every CLI command depends on.
// A value that is empty (or only spaces) counts as not set.
// The checks are small functions, not zod schemas: every command reads this module first, `marketpipe query` too, and
// loading zod cost that command about 120 ms of CPU of its start (docs/benchmarks.md, "`marketpipe query` start").
// A check returns the value or throws its message (readEnv turns it into E_BAD_INPUT).

type Check<T> = (raw: string) => T;

class EnvCheckError extends Error {}

const fail = (message: string): never => {
  throw new EnvCheckError(message);
};

/** The value as given (spaces kept). */
const asIs: Check<string> = (s) => s;

/** A credential or URL: checked by the provider that uses it (which knows its own error codes and defaults). */
const text: Check<string> = (s) => s.trim();

const oneOf =
  <const T extends string>(...values: T[]): Check<T> =>
  (s) =>
    (values as string[]).includes(s) ? (s as T) : fail(`Invalid option: expected one of ${values.map((v) => JSON.stringify(v)).join('|')}`);

const matching =
  (re: RegExp, message: string): Check<string> =>
  (s) =>
    re.test(s) ? s : fail(message);

/** Digits only (after trimming), between min and max. */
const intFrom =
  (name: string, min: number, max: number): Check<number> =>
  (raw) => {
    const s = raw.trim();
    if (!/^\d+$/.test(s)) fail(`${name} must be a whole number`);
    const n = Number(s);
    return n >= min && n <= max ? n : fail(`${name} must be between ${min} and ${max}`);
  };

/** A safe integer between min and max (after trimming); `digitsOnly` refuses signs, exponents and the like. */
const wholeNumber =
  (min: number, max: number, message: string, digitsOnly: boolean): Check<number> =>
  (raw) => {
    const s = raw.trim();
    const n = digitsOnly && !/^\d+$/.test(s) ? Number.NaN : Number(s);
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : fail(message);
  };

const VARS = {
  /** the data folder (default: the platform's application data folder) */
  MP_DATA_DIR: asIs,
  MP_LOG_LEVEL: oneOf('debug', 'info', 'warn', 'error', 'silent'),
  /** the fake provider's delay per page, for demos and cancellation tests */
  MP_FAKE_LATENCY_MS: intFrom('MP_FAKE_LATENCY_MS', 0, 60_000),
  /** test hook: a folder whose files hold the fake provider's pages until removed (providers/fakeGate.ts) */
  MP_FAKE_GATE: asIs,
  /** which source the `bars` view prefers for a symbol held from several */
  MP_SOURCE_PRECEDENCE: matching(/^\s*[a-z0-9_-]+(:[a-z0-9_-]+)?(\s*,\s*[a-z0-9_-]+(:[a-z0-9_-]+)?)*\s*$/i, 'MP_SOURCE_PRECEDENCE must be a comma-separated list of provider or provider:feed'),
  /**
   * the timeframes the pipeline builds after each 1m job; empty means none, so the engine reads it as given and
   * aggregateTimeframesFrom (aggregate/service.ts) parses it
   */
  MP_AGGREGATE_TIMEFRAMES: asIs,
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
} as const satisfies Record<string, Check<unknown>>;

export type EnvName = keyof typeof VARS;
export type EnvValue<K extends EnvName> = ReturnType<(typeof VARS)[K]>;

/** One variable, parsed; undefined when not set. A bad value is E_BAD_INPUT with the variable's own message. */
export function readEnv<K extends EnvName>(env: NodeJS.ProcessEnv, name: K): EnvValue<K> | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return (VARS[name] as Check<EnvValue<K>>)(raw);
  } catch (e) {
    if (e instanceof EnvCheckError) throw new MpError('E_BAD_INPUT', e.message);
    throw e;
  }
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
