// The resilient HTTP layer every network provider uses. Adapters build URLs, page, parse and map their provider's
// error format; this layer owns rate limiting, retries, timeouts and the circuit breaker, per provider.

export interface HttpRequest {
  url: string;
  headers?: Record<string, string>;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** the body as text (JSON APIs: parse with the adapter's zod schema) */
  text: string;
}

export interface HttpClient {
  /**
   * A GET through the provider's token bucket, with retries (exponential backoff, full jitter) for 429, 5xx,
   * timeouts and dropped connections, honouring Retry-After (seconds or HTTP date) and X-RateLimit-Reset as the
   * minimum wait, and through the provider's circuit breaker.
   * Resolves with the final response: 2xx, or a 4xx other than 429 (not retried; the adapter maps it to a clear
   * error). Rejects with MpError: E_PROVIDER (retries exhausted, breaker open), E_TIMEOUT, E_CANCELLED.
   * Never puts the URL's query string or headers (which may carry secrets) into an error message.
   */
  get(req: HttpRequest): Promise<HttpResponse>;
}

export interface ResilienceOptions {
  /** requests allowed per minute (the provider's documented limit) */
  ratePerMinute: number;
  /** bucket size: how many requests may go at once after a quiet spell (default: ratePerMinute / 60, at least 1) */
  burst?: number;
  /** retries after the first attempt */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** per attempt */
  timeoutMs: number;
  breaker: {
    /** % of failures in the rolling window that opens the breaker */
    errorThresholdPercentage: number;
    /** how long the breaker stays open before a probe */
    resetTimeoutMs: number;
    /** minimum requests in the window before it may open */
    volumeThreshold: number;
  };
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Observability hooks (metrics, logs, UI): labels are bounded (provider, status class, reason), never a URL. */
export interface HttpHooks {
  onResponse?(e: { provider: string; status: number; durationMs: number }): void;
  onError?(e: { provider: string; code: string; durationMs: number }): void;
  onRetry?(e: { provider: string; attempt: number; waitMs: number; reason: string }): void;
  onRateLimitWait?(e: { provider: string; waitMs: number }): void;
  onBreakerState?(e: { provider: string; state: BreakerState }): void;
}
