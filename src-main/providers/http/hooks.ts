import type { HttpHooks } from './types';

/** One set of hooks that calls each of several (job statistics and metrics both listen to the HTTP layer). */
export function mergeHooks(...all: HttpHooks[]): HttpHooks {
  const keys = ['onResponse', 'onError', 'onRetry', 'onRateLimitWait', 'onBreakerState'] as const;
  const merged: HttpHooks = {};
  for (const k of keys) {
    const fns = all.map((h) => h[k]).filter((f): f is NonNullable<typeof f> => f !== undefined);
    if (fns.length) (merged as Record<string, unknown>)[k] = (e: never) => fns.forEach((f) => (f as (x: never) => void)(e));
  }
  return merged;
}
