import type { DomainHandlers } from '../contract/dispatcher';
import type { ProviderRegistry } from './registry';

export function providersHandlers(providers: ProviderRegistry, providerEnv: () => NodeJS.ProcessEnv): DomainHandlers<'providers'> {
  return { 'providers.list': async () => providers.list(providerEnv()) };
}
