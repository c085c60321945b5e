import { MpError } from '../../shared/errors';
import type { HttpClient } from './types';

/** The HTTP client of a provider that needs no network (fake, csv): any use is a bug, reported as such. */
export function offline(provider: string): HttpClient {
  return {
    get: async () => {
      throw new MpError('E_INTERNAL', `provider ${provider} does not use the network`);
    },
  };
}
