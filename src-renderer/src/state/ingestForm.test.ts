import { beforeEach, describe, expect, it } from 'vitest';
import type { ProviderInfo } from '../../../src-main/contract/schemas';
import { blockedReason, buildIngestArg, DEFAULT_TZ, defaultProvider, useIngestForm, type IngestFormValues } from './ingestForm';
import { alpacaProvider, fakeProvider } from '../testing/fixtures';

const fake = fakeProvider;
const alpaca = alpacaProvider(['APCA_API_KEY_ID', 'APCA_API_SECRET_KEY']);
const csv: ProviderInfo = { name: 'csv', description: '', feeds: ['file'], defaultFeed: 'file', timeframes: ['1m', '5m', '1d'], adjustments: ['raw'], needs: [], configured: true };

const values = (v: Partial<IngestFormValues>): IngestFormValues => ({
  provider: 'fake',
  feed: '',
  symbols: 'aapl, MSFT',
  start: '2024-01-02',
  end: '2024-01-05',
  timeframe: '1m',
  force: false,
  source: '',
  tz: DEFAULT_TZ,
  ...v,
});

describe('ingest form', () => {
  beforeEach(() => useIngestForm.setState({ ...values({ provider: '', symbols: '' }) }));

  it('asks a market provider for symbols, range, timeframe and its default feed', () => {
    expect(buildIngestArg(values({}), fake)).toEqual({
      provider: 'fake',
      feed: 'sim',
      symbols: ['AAPL', 'MSFT'],
      start: '2024-01-02',
      end: '2024-01-05',
      timeframe: '1m',
      force: false,
    });
    expect(buildIngestArg(values({ provider: 'alpaca', feed: 'sip', force: true, source: '/x' }), alpaca)).toMatchObject({ feed: 'sip', force: true });
    expect(buildIngestArg(values({ provider: 'alpaca', source: '/x' }), alpaca)).not.toHaveProperty('source');
  });

  it('leaves out for csv what is left empty (read from the files), and passes source and time zone', () => {
    expect(buildIngestArg(values({ provider: 'csv', symbols: '', start: '', end: '', timeframe: '', source: ' /data/bars ', tz: 'Europe/London' }), csv)).toEqual({
      provider: 'csv',
      feed: 'file',
      symbols: [],
      force: false,
      source: '/data/bars',
      tz: 'Europe/London',
    });
    expect(buildIngestArg(values({ provider: 'csv', start: '2024-01-02', end: '', timeframe: '5m', source: '/d' }), csv)).toMatchObject({ start: '2024-01-02', timeframe: '5m' });
  });

  it('switching to csv clears the range and the timeframe; switching back restores a range', () => {
    const s = useIngestForm.getState();
    s.setProvider('fake', fake, '');
    expect(useIngestForm.getState()).toMatchObject({ provider: 'fake', timeframe: '1m', start: '2024-01-02' });
    s.setProvider('csv', csv, 'fake');
    expect(useIngestForm.getState()).toMatchObject({ provider: 'csv', timeframe: '', start: '', end: '', tz: DEFAULT_TZ });
    s.set({ feed: 'file' });
    s.setProvider('alpaca', alpaca, 'csv');
    const st = useIngestForm.getState();
    expect(st).toMatchObject({ provider: 'alpaca', feed: '', timeframe: '1m' });
    expect(st.start).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('picks fake first, then a configured provider; explains why an unconfigured one cannot start', () => {
    expect(defaultProvider([alpaca, csv, fake])).toBe('fake');
    expect(defaultProvider([alpaca, csv])).toBe('csv');
    expect(defaultProvider(null)).toBe('');
    expect(blockedReason(fake)).toBeNull();
    expect(blockedReason(alpaca)).toBe('alpaca is not configured: set APCA_API_KEY_ID, APCA_API_SECRET_KEY in the environment of the engine and restart it.');
  });
});
