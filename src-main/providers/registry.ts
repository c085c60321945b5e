import type { ProviderInfo } from '../contract/schemas';
import { MpError } from '../shared/errors';
import { alpacaProvider } from './alpaca';
import { csvProvider } from './csv';
import { createFakeProvider, fakeWorkers } from './fake';
import { iexProvider } from './iex';
import { polygonProvider } from './polygon';
import type { Provider } from './types';

// One registry of providers. Real providers (alpaca, iex, polygon, csv) register here as they arrive.
export class ProviderRegistry {
  private readonly byName = new Map<string, Provider>();

  register(p: Provider): this {
    if (this.byName.has(p.info.name)) throw new MpError('E_CONFLICT', `provider ${p.info.name} is registered twice`);
    this.byName.set(p.info.name, p);
    return this;
  }

  get(name: string): Provider {
    const p = this.byName.get(name);
    if (!p) throw new MpError('E_BAD_INPUT', `unknown provider "${name}" (known: ${[...this.byName.keys()].join(', ')})`);
    return p;
  }

  all(): Provider[] {
    return [...this.byName.values()];
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  list(env: NodeJS.ProcessEnv): ProviderInfo[] {
    return [...this.byName.values()].map((p) => ({ ...p.info, adjustments: p.info.adjustments ?? ['raw'], configured: p.isConfigured(env) }));
  }
}

export function defaultRegistry(): ProviderRegistry {
  return new ProviderRegistry()
    .register(createFakeProvider({ workers: fakeWorkers() }))
    .register(csvProvider)
    .register(alpacaProvider)
    .register(polygonProvider)
    .register(iexProvider);
}
