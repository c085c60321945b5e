import { MpError } from '../../shared/errors';

/** The error every wait in this layer rejects with when the caller's signal fires; the client adds the provider name. */
export function cancelledError(): MpError {
  return new MpError('E_CANCELLED', 'cancelled');
}

/**
 * A setTimeout-based sleep that the caller's signal ends at once. Our own rather than timers/promises so vitest's
 * fake timers can drive it (a Retry-After of minutes is tested without waiting minutes).
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(cancelledError());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
