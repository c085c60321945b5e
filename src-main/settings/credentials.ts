import type { DomainHandlers } from '../contract/dispatcher';
import type { CredentialStatus } from '../contract/schemas';
import type { ProviderRegistry } from '../providers/registry';
import { MpError } from '../shared/errors';
import type { SecretStore } from './secrets';

/**
 * Provider credentials: from the environment, or stored by the host (desktop: the OS keychain). A variable set in the
 * environment wins over a stored one. Values never leave the engine.
 */
export class Credentials {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly providers: ProviderRegistry,
    private readonly secrets: SecretStore | undefined,
    /** a credential was stored or cleared: what must be redacted changed */
    private readonly changed: () => void,
  ) {}

  /** What providers see: stored credentials under the environment. */
  providerEnv(): NodeJS.ProcessEnv {
    const stored: NodeJS.ProcessEnv = {};
    if (this.secrets?.available) for (const n of this.secrets.names()) stored[n] = this.secrets.get(n);
    return { ...stored, ...this.env };
  }

  status(): CredentialStatus[] {
    const stored = this.secrets?.available ? new Set(this.secrets.names()) : new Set<string>();
    return this.providers.list({}).flatMap((p) =>
      p.needs.map((name) => ({ provider: p.name, name, source: this.env[name] ? ('env' as const) : stored.has(name) ? ('stored' as const) : ('missing' as const) })),
    );
  }

  set(name: string, value: string | null): void {
    const known = new Set(this.providers.list({}).flatMap((p) => p.needs));
    if (!known.has(name)) throw new MpError('E_BAD_INPUT', `${name} is not a provider setting (known: ${[...known].join(', ') || 'none'})`);
    const secrets = this.secrets;
    if (!secrets) throw new MpError('E_FORBIDDEN', 'this host cannot store credentials: set them in the environment or in a .env file');
    if (!secrets.available) throw new MpError('E_FORBIDDEN', `refusing to store credentials: ${secrets.reason ?? 'no encrypted storage on this machine'}`);
    secrets.set(name, value);
    // a new secret must be redacted from now on; a provider's HTTP client keeps no credentials, so nothing else to reset
    this.changed();
  }
}

export function credentialsHandlers(c: Credentials): DomainHandlers<'credentials'> {
  return {
    'credentials.status': async () => c.status(),
    'credentials.set': async ({ name, value }) => {
      c.set(name, value);
      return c.status();
    },
  };
}
