import { MpError } from '../../shared/errors';
import type { ResilienceOptions } from './types';

export interface Resolved extends ResilienceOptions {
  burst: number;
}

/**
 * Checks a provider's resilience options and fills the default burst. Bad values would otherwise surface much later
 * as a bucket that never refills (rate 0) or a retry loop that never ends (NaN), so they are refused up front.
 */
export function resolveOptions(provider: string, o: ResilienceOptions): Resolved {
  const bad = (name: string, rule: string): MpError => new MpError('E_BAD_INPUT', `${provider}: resilience option ${name} must be ${rule}`);
  const positive = (name: string, v: number): void => {
    if (!Number.isFinite(v) || v <= 0) throw bad(name, 'a positive number');
  };
  const wholeAtLeast = (name: string, v: number, min: number): void => {
    if (!Number.isInteger(v) || v < min) throw bad(name, `a whole number >= ${min}`);
  };
  positive('ratePerMinute', o.ratePerMinute);
  if (o.burst !== undefined) wholeAtLeast('burst', o.burst, 1);
  wholeAtLeast('maxRetries', o.maxRetries, 0);
  if (!Number.isFinite(o.baseDelayMs) || o.baseDelayMs < 0) throw bad('baseDelayMs', 'a number >= 0');
  if (!Number.isFinite(o.maxDelayMs) || o.maxDelayMs < 0) throw bad('maxDelayMs', 'a number >= 0');
  positive('timeoutMs', o.timeoutMs);
  const b = o.breaker;
  if (!Number.isFinite(b.errorThresholdPercentage) || b.errorThresholdPercentage < 0 || b.errorThresholdPercentage > 100) {
    throw bad('breaker.errorThresholdPercentage', 'between 0 and 100');
  }
  positive('breaker.resetTimeoutMs', b.resetTimeoutMs);
  wholeAtLeast('breaker.volumeThreshold', b.volumeThreshold, 0);
  return { ...o, burst: o.burst ?? Math.max(1, Math.floor(o.ratePerMinute / 60)) };
}
