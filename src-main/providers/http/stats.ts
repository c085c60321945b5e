import type { HttpHooks } from './types';

/** Running totals of one provider's HTTP layer in this process: what job progress (and later metrics) report. */
export class ProviderStats {
  requests = 0;
  errors = 0;
  retries = 0;
  rateLimitWaits = 0;
  rateLimitWaitMs = 0;

  hooks(): HttpHooks {
    return {
      onResponse: () => void this.requests++,
      onError: () => void this.errors++,
      onRetry: () => void this.retries++,
      onRateLimitWait: (e) => {
        this.rateLimitWaits++;
        this.rateLimitWaitMs += e.waitMs;
      },
    };
  }

  snapshot(): { retries: number; rateLimitWaits: number } {
    return { retries: this.retries, rateLimitWaits: this.rateLimitWaits };
  }
}
