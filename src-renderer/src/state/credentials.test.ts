import { beforeEach, describe, expect, it } from 'vitest';
import type { CredentialStatus, ProviderInfo } from '../../../src-main/contract/schemas';
import { fakeClient } from '../testing/fixtures';
import { explainCredentialError, groupByProvider, keylessProviders, setCredential, useCredentials } from './credentials';
import { useSession } from './session';

const provider = (name: string, needs: string[]): ProviderInfo => ({
  name,
  description: '',
  feeds: ['x'],
  defaultFeed: 'x',
  timeframes: ['1m'],
  adjustments: ['raw'],
  needs,
  configured: needs.length === 0,
});
const providers = [provider('fake', []), provider('alpaca', ['ALPACA_KEY', 'ALPACA_SECRET']), provider('polygon', ['POLYGON_API_KEY']), provider('csv', [])];
const list: CredentialStatus[] = [
  { provider: 'polygon', name: 'POLYGON_API_KEY', source: 'env' },
  { provider: 'alpaca', name: 'ALPACA_KEY', source: 'missing' },
  { provider: 'alpaca', name: 'ALPACA_SECRET', source: 'stored' },
];

const CANNOT = { code: 'E_FORBIDDEN' as const, message: 'this host cannot store credentials: set them in the environment or in a .env file' };

describe('credentials', () => {
  beforeEach(() => {
    useCredentials.setState({ list: null, loadError: null, busy: {}, errors: {}, done: {} });
    useSession.setState({ providers });
  });

  it('groups settings by provider in the order of the provider list, and names the keyless ones', () => {
    expect(groupByProvider(list, providers).map((g) => [g.provider, g.rows.map((r) => r.name)])).toEqual([
      ['alpaca', ['ALPACA_KEY', 'ALPACA_SECRET']],
      ['polygon', ['POLYGON_API_KEY']],
    ]);
    // a provider the list does not know goes last
    expect(groupByProvider([...list, { provider: 'zed', name: 'ZED_KEY', source: 'missing' }], providers).at(-1)?.provider).toBe('zed');
    expect(keylessProviders(list, providers)).toEqual(['fake', 'csv']);
  });

  it('explains the web-mode refusal: the environment or .env of marketpipe serve', () => {
    const e = explainCredentialError(CANNOT, 'ALPACA_KEY', 'websocket');
    expect(e.code).toBe('E_FORBIDDEN');
    expect(e.message).toContain('web mode');
    expect(e.message).toContain('marketpipe serve process');
    expect(e.message).toContain('ALPACA_KEY');
    expect(e.message).toContain('.env');
  });

  it('explains a refused plain-text store on the desktop, keeping the reason', () => {
    const e = explainCredentialError({ code: 'E_FORBIDDEN', message: 'refusing to store credentials: no keyring (basic_text)' }, 'ALPACA_KEY', 'ipc');
    expect(e.message).toContain('no keyring (basic_text)');
    expect(e.message).toContain('plain text');
    // other errors pass as they are
    const bad = { code: 'E_BAD_INPUT' as const, message: 'FOO is not a provider setting' };
    expect(explainCredentialError(bad, 'FOO', 'ipc')).toBe(bad);
  });

  it('keeps the error per provider, and never the value', async () => {
    const { client, calls } = fakeClient(() => ({ ok: false, error: CANNOT }), 'websocket');
    expect(await setCredential(client, 'alpaca', 'ALPACA_KEY', 's3cret')).toBe(false);
    expect(calls).toEqual([{ name: 'credentials.set', arg: { name: 'ALPACA_KEY', value: 's3cret' } }]);
    const s = useCredentials.getState();
    expect(s.busy).toEqual({});
    expect(s.errors.alpaca).toMatchObject({ name: 'ALPACA_KEY', action: 'save', error: { code: 'E_FORBIDDEN' } });
    expect(s.errors.alpaca?.error.message).toContain('web mode');
    expect(JSON.stringify(s)).not.toContain('s3cret');
  });

  it('takes the new list on success, clears the provider error, and refreshes the providers', async () => {
    const stored = list.map((c) => (c.name === 'ALPACA_KEY' ? { ...c, source: 'stored' as const } : c));
    const { client, calls } = fakeClient(
      (name) => (name === 'credentials.set' ? { ok: true, value: stored } : { ok: true, value: providers.map((p) => ({ ...p, configured: true })) }),
      'ipc',
    );
    useCredentials.setState({ errors: { alpaca: { name: 'ALPACA_KEY', action: 'save', error: CANNOT } } });
    expect(await setCredential(client, 'alpaca', 'ALPACA_KEY', 'k')).toBe(true);
    const s = useCredentials.getState();
    expect(s.errors).toEqual({});
    expect(s.done).toEqual({ ALPACA_KEY: 'saved' });
    expect(s.list?.find((c) => c.name === 'ALPACA_KEY')?.source).toBe('stored');
    await expect.poll(() => useSession.getState().providers?.every((p) => p.configured)).toBe(true);
    expect(calls.map((c) => c.name)).toEqual(['credentials.set', 'providers.list']);

    expect(await setCredential(client, 'alpaca', 'ALPACA_KEY', null)).toBe(true);
    expect(calls.at(-2)).toEqual({ name: 'credentials.set', arg: { name: 'ALPACA_KEY', value: null } });
    expect(useCredentials.getState().done).toEqual({ ALPACA_KEY: 'cleared' });
  });
});
