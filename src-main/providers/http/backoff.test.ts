import { describe, expect, it } from 'vitest';
import { backoffDelay, budgetPauseMs, MAX_HINT_MS, parseRateLimitReset, parseRetryAfter, retryDelay, retryHintMs } from './backoff';

const NOW = Date.parse('2026-01-05T10:00:00.000Z');

describe('backoffDelay (full jitter)', () => {
  it('draws between 0 and min(maxDelay, base * 2^retry)', () => {
    const top = (): number => 0.999999;
    expect(backoffDelay(0, 100, 10_000, () => 0)).toBe(0);
    expect(backoffDelay(0, 100, 10_000, top)).toBe(99);
    expect(backoffDelay(3, 100, 10_000, top)).toBe(799);
    expect(backoffDelay(10, 100, 10_000, top)).toBe(9999);
    // a huge retry count overflows 2^n to Infinity: still capped
    expect(backoffDelay(5000, 100, 10_000, top)).toBe(9999);
    expect(backoffDelay(2, 100, 10_000, () => 0.5)).toBe(200);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta seconds', () => {
    expect(parseRetryAfter('2', NOW)).toBe(2000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfter('1.5', NOW)).toBe(1500);
  });
  it('reads an HTTP date, never negative', () => {
    expect(parseRetryAfter('Mon, 05 Jan 2026 10:00:03 GMT', NOW)).toBe(3000);
    expect(parseRetryAfter('Mon, 05 Jan 2026 09:59:00 GMT', NOW)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
    expect(parseRetryAfter('-5', NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
  });
});

describe('parseRateLimitReset', () => {
  it('reads epoch seconds (Alpaca) and epoch ms', () => {
    expect(parseRateLimitReset(String(NOW / 1000 + 7), NOW)).toBe(7000);
    expect(parseRateLimitReset(String(NOW + 2500), NOW)).toBe(2500);
  });
  it('reads a small number as seconds from now', () => {
    expect(parseRateLimitReset('3', NOW)).toBe(3000);
  });
  it('is never negative and ignores garbage', () => {
    expect(parseRateLimitReset(String(NOW / 1000 - 30), NOW)).toBe(0);
    expect(parseRateLimitReset('tomorrow', NOW)).toBeUndefined();
    expect(parseRateLimitReset(null, NOW)).toBeUndefined();
  });
});

describe('retryHintMs', () => {
  it('takes the larger of Retry-After and X-RateLimit-Reset on 429', () => {
    const h = new Headers({ 'Retry-After': '2', 'X-RateLimit-Reset': String(NOW / 1000 + 5) });
    expect(retryHintMs(429, h, NOW)).toBe(5000);
  });
  it('ignores X-RateLimit-Reset on a 5xx (Alpaca sends it on every response)', () => {
    expect(retryHintMs(503, new Headers({ 'X-RateLimit-Reset': String(NOW / 1000 + 50) }), NOW)).toBeUndefined();
    expect(retryHintMs(503, new Headers({ 'Retry-After': '4' }), NOW)).toBe(4000);
  });
});

describe('budgetPauseMs', () => {
  it('pauses the provider for a 429 hint, or until the reset when the budget is spent on any answer', () => {
    expect(budgetPauseMs(429, new Headers({ 'Retry-After': '2' }), NOW)).toBe(2000);
    const spent = new Headers({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(NOW / 1000 + 7) });
    expect(budgetPauseMs(200, spent, NOW)).toBe(7000);
    expect(budgetPauseMs(503, spent, NOW)).toBe(7000);
    expect(budgetPauseMs(429, new Headers({ 'Retry-After': '2', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(NOW / 1000 + 7) }), NOW)).toBe(7000);
  });
  it('says nothing while budget remains, and caps what it says', () => {
    expect(budgetPauseMs(200, new Headers({ 'X-RateLimit-Remaining': '3', 'X-RateLimit-Reset': String(NOW / 1000 + 7) }), NOW)).toBeUndefined();
    expect(budgetPauseMs(200, new Headers(), NOW)).toBeUndefined();
    expect(budgetPauseMs(429, new Headers(), NOW)).toBeUndefined();
    expect(budgetPauseMs(429, new Headers({ 'Retry-After': '86400' }), NOW)).toBe(MAX_HINT_MS);
  });
});

describe('retryDelay', () => {
  const opts = { baseDelayMs: 100, maxDelayMs: 1000 };
  it('is the jittered backoff without a hint', () => {
    expect(retryDelay(1, opts, undefined, () => 0.5)).toBe(100);
  });
  it('is at least the hint', () => {
    expect(retryDelay(0, opts, 2000, () => 0.999)).toBe(2000);
    expect(retryDelay(5, opts, 10, () => 0.999)).toBe(999);
  });
  it('caps the hint and never goes negative', () => {
    expect(retryDelay(0, opts, 3_600_000, () => 0)).toBe(MAX_HINT_MS);
    expect(retryDelay(0, opts, -500, () => 0)).toBe(0);
  });
});
