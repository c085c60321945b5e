import { cancelledError } from './cancel';
import { AttemptFailure, isRetryableStatus, networkPhrase } from './failure';
import { retryHintMs } from './backoff';
import type { HttpResponse } from './types';

export interface AttemptInput {
  url: URL;
  headers: Headers;
  /** the caller's signal */
  signal: AbortSignal;
  timeoutMs: number;
  /** called for every HTTP response, retryable or not, once its body is read */
  onResponse: (status: number, durationMs: number) => void;
  /** called for every HTTP response with its status and headers, before it is classified (rate-limit headers) */
  onHeaders?: (status: number, headers: Headers) => void;
  now: () => number;
}

/**
 * One GET, bounded by timeoutMs from the first byte sent to the last byte of the body. Resolves with a final
 * response; rejects with AttemptFailure (retryable: 429/408/5xx, timeout, network) or E_CANCELLED.
 */
export async function attempt(input: AttemptInput): Promise<HttpResponse> {
  const { signal } = input;
  if (signal.aborted) throw cancelledError();
  // one controller for both the caller's cancel and our timeout; flags tell them apart afterwards
  const ctrl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctrl.abort();
  }, input.timeoutMs);
  const onAbort = (): void => ctrl.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const started = input.now();
  try {
    const res = await fetch(input.url, {
      method: 'GET',
      headers: input.headers,
      signal: ctrl.signal,
      // a redirect would carry our API-key headers to wherever Location points (fetch strips only Authorization on a
      // cross-origin hop): hand the 3xx to the adapter instead
      redirect: 'manual',
    });
    // read in full under the same timeout: a server that stalls mid-body is as dead as one that never answers
    const text = await res.text();
    input.onResponse(res.status, input.now() - started);
    input.onHeaders?.(res.status, res.headers);
    if (isRetryableStatus(res.status)) {
      throw new AttemptFailure('status', res.status, retryHintMs(res.status, res.headers, Date.now()));
    }
    return { status: res.status, headers: res.headers, text };
  } catch (e) {
    if (e instanceof AttemptFailure) throw e;
    if (signal.aborted) throw cancelledError();
    if (timedOut) throw new AttemptFailure('timeout');
    throw new AttemptFailure('network', undefined, undefined, networkPhrase(e));
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
