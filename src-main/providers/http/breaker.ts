import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import { MpError } from '../../shared/errors';
import type { BreakerState, HttpResponse, ResilienceOptions } from './types';

const ROLLING_WINDOW_MS = 60_000;
const ROLLING_BUCKETS = 10;

type Attempt = () => Promise<HttpResponse>;

export interface Breaker {
  /** Throws E_PROVIDER when the breaker would refuse a call: checked before queueing for a token, to fail fast. */
  assertAvailable(): void;
  /** Runs one attempt through the breaker; a rejection by the breaker itself becomes E_PROVIDER. */
  run(attempt: Attempt): Promise<HttpResponse>;
  /** Stops the breaker's window timer; later calls reject with E_INTERNAL. */
  shutdown(): void;
}

export interface BreakerDeps {
  provider: string;
  options: ResilienceOptions['breaker'];
  /**
   * Tells which rejections are not the provider's fault. Only retryable failures (429, 5xx, timeouts, network) may
   * count against the provider: the caller cancelling is no evidence either way.
   */
  isNeutral: (e: unknown) => boolean;
  onState: (state: BreakerState) => void;
  now: () => number;
}

/**
 * The provider's circuit breaker: opossum, wrapped around a single attempt (not around a request with its retries,
 * so every failed attempt is one sample). Opossum's own timeout is off: attempts carry their own.
 */
export function createBreaker(deps: BreakerDeps): Breaker {
  const { provider, options } = deps;
  // We rotate opossum's rolling window ourselves, so that closing after a successful probe can empty it: opossum
  // keeps the failures that opened it, and the first failure after recovery would re-open it at once.
  const rotator = new EventEmitter();
  const breaker: CircuitBreaker<[Attempt], HttpResponse> = new CircuitBreaker((run: Attempt) => run(), {
    name: provider,
    timeout: false,
    errorThresholdPercentage: options.errorThresholdPercentage,
    resetTimeout: options.resetTimeoutMs,
    volumeThreshold: options.volumeThreshold,
    rollingCountTimeout: ROLLING_WINDOW_MS,
    rollingCountBuckets: ROLLING_BUCKETS,
    rotateBucketController: rotator,
    // snapshots and latency percentiles feed opossum's own metrics, which we do not use (ours come from the hooks)
    enableSnapshots: false,
    rollingPercentilesEnabled: false,
    // A neutral outcome in the half-open probe is still counted as a failure: closing the breaker on no evidence
    // would be worse than waiting one more resetTimeout.
    errorFilter: (e: unknown) => deps.isNeutral(e) && !breaker.halfOpen,
  });
  const rotation = setInterval(() => rotator.emit('rotate'), ROLLING_WINDOW_MS / ROLLING_BUCKETS);
  // the window only matters while requests run: it must never keep the process alive
  rotation.unref();

  let openedAt = deps.now();
  breaker.on('open', () => {
    openedAt = deps.now();
    deps.onState('open');
  });
  breaker.on('halfOpen', () => deps.onState('half-open'));
  breaker.on('close', () => {
    for (let i = 0; i < ROLLING_BUCKETS; i++) rotator.emit('rotate');
    deps.onState('closed');
  });

  const closedError = (): MpError => new MpError('E_INTERNAL', `${provider}: HTTP client is closed`);
  const openError = (): MpError => {
    if (breaker.halfOpen) {
      return new MpError('E_PROVIDER', `${provider}: circuit open after repeated failures, a probe request is in flight`);
    }
    const remainingS = Math.max(1, Math.ceil((options.resetTimeoutMs - (deps.now() - openedAt)) / 1000));
    return new MpError('E_PROVIDER', `${provider}: circuit open after repeated failures, retrying in ${remainingS} s`);
  };

  return {
    assertAvailable() {
      if (breaker.isShutdown) throw closedError();
      // closed, or half-open with the probe not yet taken (opossum's pendingClose)
      if (!breaker.closed && !breaker.pendingClose) throw openError();
    },
    async run(attempt) {
      try {
        return await breaker.fire(attempt);
      } catch (e) {
        if (e instanceof Error && CircuitBreaker.isOurError(e)) {
          if (breaker.isShutdown) throw closedError();
          throw openError();
        }
        throw e;
      }
    },
    shutdown() {
      clearInterval(rotation);
      breaker.shutdown();
    },
  };
}
