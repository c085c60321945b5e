import { firstLine, MpError } from '../../shared/errors';
import { attempt } from './attempt';
import { budgetPauseMs, retryDelay } from './backoff';
import { createBreaker, type Breaker } from './breaker';
import { sleep } from './cancel';
import { AttemptFailure, exhaustedError } from './failure';
import { resolveOptions } from './options';
import { ProviderPause } from './pause';
import { TokenBucket } from './token-bucket';
import type { BreakerState, HttpClient, HttpHooks, HttpRequest, HttpResponse, ResilienceOptions } from './types';

// Composition of the resilient GET: for each attempt, breaker check → token bucket → breaker-wrapped fetch; between
// attempts, a jittered backoff raised to the server's Retry-After. A 429 or an exhausted budget (X-RateLimit-Remaining:
// 0) pauses every request of the client, not just the one that drew it. Every wait ends at once on the caller's signal.

const breakers = new WeakMap<HttpClient, Breaker>();

export function createHttpClient(provider: string, opts: ResilienceOptions, hooks: HttpHooks = {}): HttpClient {
  const o = resolveOptions(provider, opts);
  const now = (): number => performance.now();
  const emit = guardedHooks(provider, hooks);
  const bucket = new TokenBucket(o.ratePerMinute, o.burst);
  const pause = new ProviderPause();
  const onHeaders = (status: number, headers: Headers): void => pause.extend(budgetPauseMs(status, headers, Date.now()) ?? 0);
  const waitForPause = (signal: AbortSignal): Promise<void> => pause.wait(signal, (waitMs) => emit.rateLimitWait(waitMs));
  const breaker = createBreaker({
    provider,
    options: o.breaker,
    isNeutral: isCancellation,
    onState: (state) => emit.breakerState(state),
    now,
  });

  async function run(req: HttpRequest): Promise<HttpResponse> {
    const target = prepare(provider, req);
    for (let n = 0; ; n++) {
      if (req.signal.aborted) throw new MpError('E_CANCELLED', 'cancelled');
      // before the bucket: a request the breaker will refuse should neither wait for nor spend a token
      breaker.assertAvailable();
      await waitForPause(req.signal);
      // every attempt, retries included, is paced: retries spend the provider's budget like any request
      await bucket.take(req.signal, (waitMs) => emit.rateLimitWait(waitMs));
      // a pause may have begun while this request queued for its token
      await waitForPause(req.signal);
      try {
        return await breaker.run(() =>
          attempt({ ...target, signal: req.signal, timeoutMs: o.timeoutMs, now, onResponse: emit.response, onHeaders }),
        );
      } catch (e) {
        if (!(e instanceof AttemptFailure)) throw e;
        const waitMs = retryDelay(n, o, e.hintMs);
        // a 429 is the provider's budget, not this request's: nobody sends before this one would retry
        if (e.reason === '429') pause.extend(waitMs);
        if (n >= o.maxRetries) throw exhaustedError(provider, e, n + 1, o.timeoutMs);
        // this failure may have opened the breaker: say so now rather than after a backoff
        breaker.assertAvailable();
        emit.retry(n + 1, waitMs, e.reason);
        await sleep(waitMs, req.signal);
      }
    }
  }

  const client: HttpClient = {
    async get(req) {
      const started = now();
      try {
        return await run(req);
      } catch (e) {
        const err = finalError(provider, e);
        emit.error(err.code, now() - started);
        throw err;
      }
    },
  };
  breakers.set(client, breaker);
  return client;
}

/**
 * Releases a client's breaker timer (unref'd, so never required for a clean exit). Later requests reject with
 * E_INTERNAL. For hosts that recreate clients, e.g. after a settings change.
 */
export function closeHttpClient(client: HttpClient): void {
  breakers.get(client)?.shutdown();
  breakers.delete(client);
}

function isCancellation(e: unknown): boolean {
  return e instanceof MpError && e.code === 'E_CANCELLED';
}

/** Parses the URL and headers once, up front, so a malformed one fails without a message quoting it (fetch's would). */
function prepare(provider: string, req: HttpRequest): { url: URL; headers: Headers } {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw new MpError('E_BAD_INPUT', `${provider}: request URL is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MpError('E_BAD_INPUT', `${provider}: request URL must be http or https`);
  }
  try {
    return { url, headers: new Headers(req.headers) };
  } catch {
    throw new MpError('E_BAD_INPUT', `${provider}: a request header has an invalid name or value`);
  }
}

function finalError(provider: string, e: unknown): MpError {
  if (e instanceof MpError) {
    // the waits reject with a bare 'cancelled'; name the provider here, once
    return e.code === 'E_CANCELLED' ? new MpError('E_CANCELLED', `${provider}: cancelled`) : e;
  }
  // A bug of ours, not a provider failure. The message stays generic (we cannot vouch that it holds no secret); the
  // cause is kept for a developer's stack trace.
  return new MpError('E_INTERNAL', `${provider}: unexpected failure in the HTTP client`, { cause: e });
}

/**
 * The hooks, called so that a throwing observer (metrics, logs) can never fail or retry a request: its error is
 * reported as a process warning instead.
 */
function guardedHooks(provider: string, hooks: HttpHooks) {
  const guard = (name: string, f: () => void): void => {
    try {
      f();
    } catch (err) {
      process.emitWarning(`HTTP hook ${name} for ${provider} threw: ${firstLine(err instanceof Error ? err.message : String(err))}`);
    }
  };
  return {
    response: (status: number, durationMs: number) => guard('onResponse', () => hooks.onResponse?.({ provider, status, durationMs })),
    error: (code: string, durationMs: number) => guard('onError', () => hooks.onError?.({ provider, code, durationMs })),
    retry: (attemptNo: number, waitMs: number, reason: string) =>
      guard('onRetry', () => hooks.onRetry?.({ provider, attempt: attemptNo, waitMs, reason })),
    rateLimitWait: (waitMs: number) => guard('onRateLimitWait', () => hooks.onRateLimitWait?.({ provider, waitMs })),
    breakerState: (state: BreakerState) =>
      guard('onBreakerState', () => hooks.onBreakerState?.({ provider, state })),
  };
}
