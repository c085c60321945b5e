import { create } from 'zustand';
import type { CredentialStatus, ProviderInfo } from '../../../src-main/contract/schemas';
import type { ErrorValue } from '../../../src-main/shared/errors';
import type { Client } from '../client';
import { refreshProviders } from './session';
import { errorText } from '../errorWords';

type CredentialSource = CredentialStatus['source'];

export const SOURCE_TEXT: Record<CredentialSource, string> = {
  env: 'from environment',
  stored: 'stored in keychain',
  missing: 'missing',
};

/** The outcome of the last save or clear of one provider's settings (one alert per provider table). */
interface CredentialError {
  name: string;
  action: 'save' | 'clear';
  error: ErrorValue;
}

interface CredentialsState {
  /** null until the first answer */
  list: CredentialStatus[] | null;
  loadError: string | null;
  /** the setting being saved or cleared, by name */
  busy: Record<string, 'save' | 'clear'>;
  /** by provider */
  errors: Record<string, CredentialError>;
  /** by name: the last successful change, for a quiet confirmation */
  done: Record<string, 'saved' | 'cleared'>;
}

/** Values never enter this store: only where each setting comes from. */
export const useCredentials = create<CredentialsState>()(() => ({ list: null, loadError: null, busy: {}, errors: {}, done: {} }));

interface ProviderCredentials {
  provider: string;
  rows: CredentialStatus[];
}

/** The settings grouped by provider, in the order of the provider list (unknown providers last, as they came). */
export function groupByProvider(list: CredentialStatus[], providers: ProviderInfo[] | null): ProviderCredentials[] {
  const groups = new Map<string, CredentialStatus[]>();
  for (const c of list) {
    const rows = groups.get(c.provider) ?? [];
    rows.push(c);
    groups.set(c.provider, rows);
  }
  const order = (providers ?? []).map((p) => p.name);
  const rank = (name: string) => {
    const i = order.indexOf(name);
    return i < 0 ? order.length : i;
  };
  return [...groups.entries()].sort((a, b) => rank(a[0]) - rank(b[0])).map(([provider, rows]) => ({ provider, rows }));
}

/** Providers that need no credentials at all (shown as one line instead of an empty table). */
export function keylessProviders(list: CredentialStatus[], providers: ProviderInfo[] | null): string[] {
  const withKeys = new Set(list.map((c) => c.provider));
  return (providers ?? []).filter((p) => p.needs.length === 0 && !withKeys.has(p.name)).map((p) => p.name);
}

const CANNOT_STORE = /cannot store credentials/i;
const REFUSED = /^refusing to store credentials:\s*/i;

/**
 * The engine's refusal, said for the user of this window. In web mode the engine (`marketpipe serve`) never stores
 * credentials: they come from its environment or its .env file, so that is what to do instead.
 */
export function explainCredentialError(error: ErrorValue, name: string, transport: Client['transport']): ErrorValue {
  if (error.code !== 'E_FORBIDDEN') return error;
  if (transport === 'websocket' || CANNOT_STORE.test(error.message)) {
    const where =
      transport === 'websocket'
        ? 'In web mode credentials are not stored by the app: they come from the environment of the marketpipe serve process'
        : 'This host does not store credentials: they come from its environment';
    return {
      code: error.code,
      message: `${where}. Set ${name} there or in a .env file in the folder it is started from, then restart it.`,
    };
  }
  if (REFUSED.test(error.message)) {
    const reason = error.message.replace(REFUSED, '');
    return {
      code: error.code,
      message: `Not stored: this machine offers no encrypted storage for it (${reason}), and the app will not keep credentials in plain text. Set ${name} in the environment or a .env file instead.`,
    };
  }
  return error;
}

export async function loadCredentials(client: Client): Promise<void> {
  const r = await client.request('credentials.status', {});
  if (r.ok) useCredentials.setState({ list: r.value, loadError: null });
  else useCredentials.setState({ loadError: errorText(r.error) });
}

/** Saves (value) or clears (null) one setting. The caller has already dropped the value from its input. */
export async function setCredential(client: Client, provider: string, name: string, value: string | null): Promise<boolean> {
  const action = value === null ? 'clear' : 'save';
  useCredentials.setState((s) => {
    const errors = { ...s.errors };
    delete errors[provider];
    const done = { ...s.done };
    delete done[name];
    return { busy: { ...s.busy, [name]: action }, errors, done };
  });
  const r = await client.request('credentials.set', { name, value });
  useCredentials.setState((s) => {
    const busy = { ...s.busy };
    delete busy[name];
    if (r.ok) return { busy, list: r.value, loadError: null, done: { ...s.done, [name]: action === 'save' ? 'saved' : 'cleared' } };
    return { busy, errors: { ...s.errors, [provider]: { name, action, error: explainCredentialError(r.error, name, client.transport) } } };
  });
  // Whether a provider is configured may have changed: the ingest form says so.
  if (r.ok) void refreshProviders(client);
  return r.ok;
}
