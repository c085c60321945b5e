import { MpError } from '../../shared/errors';
import type { HttpClient, HttpHooks, ResilienceOptions } from './types';

/** Placeholder until the resilient client lands: refuses, so nothing silently skips the rate limiter. */
export function createHttpClient(provider: string, _opts: ResilienceOptions, _hooks: HttpHooks = {}): HttpClient {
  return {
    get: async () => {
      throw new MpError('E_INTERNAL', `no HTTP client for ${provider} yet`);
    },
  };
}
