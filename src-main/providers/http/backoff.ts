// Retry timing: exponential backoff with full jitter, raised to whatever the server asked us to wait.

/** A server hint beyond this is treated as this: a provider asking for an hour should not park a job for an hour. */
export const MAX_HINT_MS = 5 * 60_000;

/**
 * Full jitter (random between 0 and the exponential cap): spreads retries of many clients hit by the same outage,
 * instead of having them return in lockstep. `retry` counts from 0 (the first retry).
 */
export function backoffDelay(retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
  return Math.floor(random() * cap);
}

/** Retry-After: delta seconds, or an HTTP date. Returns ms from now (>= 0), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  // a bare number that failed the test above (negative, exponent) is not a date either
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * X-RateLimit-Reset: when the provider's window resets. Alpaca sends epoch seconds; some APIs send epoch ms, others
 * seconds from now. A value too small to be a recent epoch time (before 2001) is read as seconds from now.
 */
export function parseRateLimitReset(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (!/^\d+(\.\d+)?$/.test(v)) return undefined;
  const n = Number(v);
  if (n >= 1e12) return Math.max(0, n - nowMs);
  if (n >= 1e9) return Math.max(0, n * 1000 - nowMs);
  return n * 1000;
}

/**
 * The minimum wait a failed response asks for. Retry-After counts on any retryable status (servers send it with 503
 * too). X-RateLimit-Reset counts only on 429: Alpaca sends it on every response, and on a 503 waiting for the
 * rate-limit window to reset would be a pointless stall of up to a minute.
 */
export function retryHintMs(status: number, headers: Headers, nowMs: number): number | undefined {
  const hints = [parseRetryAfter(headers.get('retry-after'), nowMs)];
  if (status === 429) hints.push(parseRateLimitReset(headers.get('x-ratelimit-reset'), nowMs));
  const known = hints.filter((h): h is number => h !== undefined);
  return known.length === 0 ? undefined : Math.max(...known);
}

/**
 * How long a response says the provider's whole budget is spent, for every request of the provider, not only this
 * one: a 429 asks for its hint (Retry-After / X-RateLimit-Reset); any response with X-RateLimit-Remaining: 0 (Alpaca
 * sends the headers on every answer) asks to wait until X-RateLimit-Reset. undefined when it says nothing of the kind.
 */
export function budgetPauseMs(status: number, headers: Headers, nowMs: number): number | undefined {
  const hint = status === 429 ? retryHintMs(status, headers, nowMs) : undefined;
  const exhausted = headers.get('x-ratelimit-remaining')?.trim() === '0' ? parseRateLimitReset(headers.get('x-ratelimit-reset'), nowMs) : undefined;
  if (hint === undefined && exhausted === undefined) return undefined;
  return Math.min(MAX_HINT_MS, Math.max(hint ?? 0, exhausted ?? 0));
}

/** The wait before a retry: the jittered backoff, but never less than the server's hint (capped at MAX_HINT_MS). */
export function retryDelay(
  retry: number,
  opts: { baseDelayMs: number; maxDelayMs: number },
  hintMs: number | undefined,
  random: () => number = Math.random,
): number {
  const jittered = backoffDelay(retry, opts.baseDelayMs, opts.maxDelayMs, random);
  const hint = hintMs === undefined ? 0 : Math.min(MAX_HINT_MS, Math.max(0, Math.ceil(hintMs)));
  return Math.max(jittered, hint);
}
