import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inProcessClient } from '../contract/dispatcher';
import { Engine } from '../engine';
import { SafeStorageSecrets, type SafeStorageLike } from '../hosts/electron/secrets';
import { dueSession, nextRunAt } from './scheduler';
import { fakeProvider } from '../testing/provider-harness';
import { ProviderRegistry } from '../providers/registry';
import type { Provider } from '../providers/types';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-sched-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const ny = (s: string) => Date.parse(s); // ISO with offset

describe('schedule timing', () => {
  it('is due for the latest session whose run time has passed', () => {
    // Monday 2026-11-23 10:00 New York: Friday's run (20:15) has passed, Monday's has not
    expect(dueSession(ny('2026-11-23T10:00:00-05:00'), '20:15')).toBe('2026-11-20');
    expect(dueSession(ny('2026-11-23T20:16:00-05:00'), '20:15')).toBe('2026-11-23');
    // Thanksgiving (Thursday 2026-11-26) is no session: on Friday morning Wednesday is due
    expect(dueSession(ny('2026-11-27T09:00:00-05:00'), '20:15')).toBe('2026-11-25');
    expect(new Date(nextRunAt(ny('2026-11-25T21:00:00-05:00'), '20:15')).toISOString()).toBe('2026-11-28T01:15:00.000Z'); // Fri 27th 20:15 EST
  });
});

describe('scheduled updates through the engine', () => {
  it('validates, stores, and catches up a missed session at once', async () => {
    const engine = new Engine({ dataDir: path.join(root, 'd'), host: 'test', env: {} });
    const c = inProcessClient(engine.dispatcher);
    const bad = await c.request('schedule.set', { enabled: true, universe: null, provider: 'fake', feed: null, timeframe: '1m', at: '20:15' });
    expect(bad.ok ? 'ok' : bad.error.code).toBe('E_BAD_INPUT');
    expect((await c.request('schedule.set', { enabled: true, universe: 'nope', provider: 'fake', feed: null, timeframe: '1m', at: '20:15' })).ok).toBe(false);

    await c.request('universe.create', { name: 'U', symbols: ['AAA'] });
    const seed = await engine.startIngest({ provider: 'fake', universe: 'U', start: '2024-01-02', end: '2024-01-03' });
    await engine.waitForJob(seed.id);
    // once enabled, a started scheduler runs the update now (everything after Jan 3 is "missed") — wait on the event
    const started = engine.bus.waitFor('jobs.updated', (j) => j.status === 'running' && j.start > '2024-01-03');
    engine.startScheduler();
    const set = await c.request('schedule.set', { enabled: true, universe: 'U', provider: 'fake', feed: null, timeframe: '1m', at: '20:15' });
    expect(set.ok && set.value).toMatchObject({ active: true, schedule: { enabled: true, universe: 'U' } });
    const job = await started;
    expect(job.start).toBe('2024-01-04');
    engine.cancelJob(job.id); // the point is that it started; no need to fetch three years
    await engine.waitForJob(job.id);
    const st = await c.request('schedule.get', {});
    expect(st.ok && st.value).toMatchObject({ lastJobId: job.id, lastError: null, nextRunAt: expect.any(String) });
    await engine.close();
  });
});

describe('scheduled updates of a new universe', () => {
  it('start symbols never ingested at `since`, without asking for --start', async () => {
    const engine = new Engine({ dataDir: path.join(root, 'n'), host: 'test', env: {} });
    const c = inProcessClient(engine.dispatcher);
    await c.request('universe.create', { name: 'New', symbols: ['NEW1'] });
    const started = engine.bus.waitFor('jobs.updated', (j) => j.status === 'running');
    engine.startScheduler();
    const set = await c.request('schedule.set', { enabled: true, universe: 'New', provider: 'fake', feed: null, timeframe: '1m', since: '2024-01-02', at: '20:15' });
    expect(set.ok && set.value).toMatchObject({ lastError: null, lastJobId: expect.any(String) });
    const job = await started;
    expect(job.start).toBe('2024-01-02');
    engine.cancelJob(job.id);
    await engine.waitForJob(job.id);
    await engine.close();
  });
});

class FakeSafe implements SafeStorageLike {
  constructor(private readonly backend = 'gnome_libsecret') {}
  isEncryptionAvailable() {
    return true;
  }
  getSelectedStorageBackend() {
    return this.backend;
  }
  encryptString(p: string) {
    return Buffer.from([...Buffer.from(p)].map((b) => b ^ 0x5a));
  }
  decryptString(e: Buffer) {
    return Buffer.from([...e].map((b) => b ^ 0x5a)).toString();
  }
}

/** A provider that needs credentials (the real ones register themselves in their own folders). */
function keyed(): ProviderRegistry {
  const p: Provider = { ...fakeProvider, info: { ...fakeProvider.info, name: 'keyed', needs: ['ALPACA_KEY', 'POLYGON_API_KEY', 'IEX_TOKEN'] } };
  return new ProviderRegistry().register(fakeProvider).register(p);
}

describe('credentials', () => {
  it('stores encrypted, reports the source, never returns values, and refuses plain-text storage', async () => {
    const dataDir = path.join(root, 'd');
    const engine = new Engine({ dataDir, host: 'test', env: { POLYGON_API_KEY: 'from-env-123' }, providers: keyed(), secrets: new SafeStorageSecrets(new FakeSafe(), dataDir) });
    const c = inProcessClient(engine.dispatcher);
    await c.request('credentials.set', { name: 'ALPACA_KEY', value: 'PK-SECRET-VALUE' });
    const st = await c.request('credentials.status', {});
    expect(st.ok && st.value).toEqual([
      { provider: 'keyed', name: 'ALPACA_KEY', source: 'stored' },
      { provider: 'keyed', name: 'POLYGON_API_KEY', source: 'env' },
      { provider: 'keyed', name: 'IEX_TOKEN', source: 'missing' },
    ]);
    expect(JSON.stringify(st)).not.toContain('PK-SECRET-VALUE');
    expect(fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')).not.toContain('PK-SECRET-VALUE');
    expect((fs.statSync(path.join(dataDir, 'secrets.json')).mode & 0o777).toString(8)).toBe('600');
    expect(engine.providerEnv().ALPACA_KEY).toBe('PK-SECRET-VALUE');
    expect(engine.redactor.text('echo PK-SECRET-VALUE')).not.toContain('PK-SECRET-VALUE');
    expect((await c.request('credentials.set', { name: 'NOT_A_SETTING', value: 'x' })).ok).toBe(false);
    await engine.close();

    const plain = new Engine({ dataDir, host: 'test', env: {}, providers: keyed(), secrets: new SafeStorageSecrets(new FakeSafe('basic_text'), dataDir) });
    const r = await inProcessClient(plain.dispatcher).request('credentials.set', { name: 'ALPACA_KEY', value: 'x' });
    expect(r.ok ? 'ok' : r.error).toMatchObject({ code: 'E_FORBIDDEN', message: expect.stringContaining('plain text') });
    await plain.close();

    const cli = new Engine({ dataDir, host: 'cli', env: {}, providers: keyed() });
    const r2 = await inProcessClient(cli.dispatcher).request('credentials.set', { name: 'ALPACA_KEY', value: 'x' });
    expect(r2.ok ? 'ok' : r2.error.code).toBe('E_FORBIDDEN');
    await cli.close();
  });
});
