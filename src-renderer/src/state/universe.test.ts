import { beforeEach, describe, expect, it } from 'vitest';
import { splitSymbols } from '../../../src-common/symbols';
import type { SymbolCoverage, Universe } from '../../../src-main/contract/schemas';
import { fakeClient } from '../testing/fixtures';
import {
  applyUniverse,
  createDemo,
  deleteUniverse,
  everySymbolHasData,
  filterUniverses,
  isCsvFile,
  loadCoverage,
  loadUniverses,
  missingDaysArg,
  nameFromFile,
  nextSelection,
  parseTags,
  summarize,
  coverageWords,
  symbolRows,
  upsertUniverse,
  useUniverses,
} from './universe';

const uni = (name: string, symbols: string[] = [], tags: string[] = []): Universe => ({
  name,
  exchange: null,
  assetClass: null,
  tags,
  version: 1,
  symbols,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
});
const none = (symbol: string): SymbolCoverage => ({
  symbol,
  provider: null,
  feed: null,
  timeframe: null,
  firstSession: null,
  lastSession: null,
  sessions: 0,
  missingSessions: 0,
  behindSessions: 0,
});
const held = (symbol: string, over: Partial<SymbolCoverage> = {}): SymbolCoverage => ({
  symbol,
  provider: 'fake',
  feed: 'sim',
  timeframe: '1m',
  firstSession: '2025-01-02',
  lastSession: '2025-01-10',
  sessions: 7,
  missingSessions: 0,
  behindSessions: 0,
  ...over,
});

const ok = (value: unknown) => ({ ok: true, value });
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('universe helpers', () => {
  it('filters universes by name or tag, case-insensitively', () => {
    const list = [uni('Tech', [], ['large']), uni('Energy'), uni('Small caps', [], ['risky'])];
    expect(filterUniverses(list, '').map((u) => u.name)).toEqual(['Tech', 'Energy', 'Small caps']);
    expect(filterUniverses(list, 'tE').map((u) => u.name)).toEqual(['Tech']);
    expect(filterUniverses(list, 'RISK').map((u) => u.name)).toEqual(['Small caps']);
  });

  it('parses tags and symbols as typed', () => {
    expect(parseTags(' tech, large-cap,,Tech , ')).toEqual(['tech', 'large-cap']);
    expect(parseTags('')).toEqual([]);
    expect(splitSymbols('aapl, MSFT\nnvda  AAPL')).toEqual(['AAPL', 'MSFT', 'NVDA']);
  });

  it('merges members with their coverage and filters the rows', () => {
    const u = uni('Tech', ['AAPL', 'MSFT', 'NVDA']);
    const rows = symbolRows(u, [held('AAPL'), none('MSFT')], '');
    expect(rows.map((r) => [r.symbol, r.coverage?.sessions ?? null])).toEqual([
      ['AAPL', 7],
      ['MSFT', 0],
      ['NVDA', null],
    ]);
    expect(symbolRows(u, null, 'ms').map((r) => r.symbol)).toEqual(['MSFT']);
  });

  it('says how many symbols have no data, and up to date only when every one is', () => {
    expect(coverageWords({ symbols: 10, withData: 2, missing: 0, behind: 0 })).toEqual(['2 with data', '8 of 10 symbols have no data']);
    expect(coverageWords({ symbols: 10, withData: 0, missing: 0, behind: 0 })).toEqual(['0 with data', '10 of 10 symbols have no data']);
    expect(coverageWords({ symbols: 3, withData: 3, missing: 0, behind: 0 })).toEqual(['3 with data', 'up to date']);
    expect(coverageWords({ symbols: 3, withData: 2, missing: 1, behind: 4 })).toEqual(['2 with data', '1 of 3 symbols has no data', '1 session missing', 'up to 4 sessions behind']);
  });

  it('summarizes coverage over the symbols with data', () => {
    const u = uni('Tech', ['AAPL', 'MSFT', 'NVDA']);
    expect(summarize(u, [held('AAPL', { missingSessions: 2, behindSessions: 3 }), held('MSFT', { missingSessions: 1, behindSessions: 5 }), none('NVDA')])).toEqual({
      symbols: 3,
      withData: 2,
      missing: 3,
      behind: 5,
    });
    expect(summarize(u, null)).toEqual({ symbols: 3, withData: 0, missing: 0, behind: 0 });
  });

  it('"Ingest missing days": no start when every symbol has data, else From', () => {
    const u = uni('Tech', ['AAPL', 'MSFT']);
    expect(everySymbolHasData(u, [held('AAPL'), held('MSFT')])).toBe(true);
    expect(missingDaysArg(u, [held('AAPL'), held('MSFT')], 'fake', '2025-01-01')).toEqual({ provider: 'fake', universe: 'Tech', update: true });
    expect(missingDaysArg(u, [held('AAPL'), none('MSFT')], 'fake', '2025-01-01')).toEqual({ provider: 'fake', universe: 'Tech', update: true, start: '2025-01-01' });
    // data from another provider is no data for this one
    expect(missingDaysArg(u, [held('AAPL'), held('MSFT')], 'alpaca', '2025-01-01')).toMatchObject({ start: '2025-01-01' });
    // a member the coverage does not mention yet has no data
    expect(missingDaysArg(u, [held('AAPL')], 'alpaca', '2025-02-03')).toMatchObject({ start: '2025-02-03' });
  });

  it('picks the next universe after a delete', () => {
    const list = [uni('A'), uni('B'), uni('C')];
    expect(nextSelection(list, 'B')).toBe('C');
    expect(nextSelection(list, 'C')).toBe('B');
    expect(nextSelection([uni('A')], 'A')).toBeNull();
  });

  it('upserts a universe in name order, replacing a renamed one', () => {
    const list = [uni('B'), uni('D')];
    expect(upsertUniverse(list, uni('A')).map((u) => u.name)).toEqual(['A', 'B', 'D']);
    expect(upsertUniverse(list, uni('Z'), 'B').map((u) => u.name)).toEqual(['D', 'Z']);
    expect(upsertUniverse(null, uni('A')).map((u) => u.name)).toEqual(['A']);
  });

  it('tells csv files and names universes after them', () => {
    expect(isCsvFile({ name: 'tech.CSV', type: '' })).toBe(true);
    expect(isCsvFile({ name: 'list', type: 'text/csv' })).toBe(true);
    expect(isCsvFile({ name: 'list.txt', type: 'text/plain' })).toBe(false);
    expect(nameFromFile('Tech 2025.csv')).toBe('Tech 2025');
    expect(nameFromFile('.csv')).toBe('Imported');
  });
});

describe('universe store', () => {
  beforeEach(() => useUniverses.setState({ list: null, listError: null, selected: null, coverage: null, coverageOf: null, coverageError: null, lastJob: null }));

  it('loads the list sorted and selects the first, keeping a selection that still exists', async () => {
    const { client } = fakeClient(() => ok([uni('Zeta'), uni('Alpha')]));
    await loadUniverses(client);
    expect(useUniverses.getState().list?.map((u) => u.name)).toEqual(['Alpha', 'Zeta']);
    expect(useUniverses.getState().selected).toBe('Alpha');
    useUniverses.getState().select('Zeta');
    await loadUniverses(client);
    expect(useUniverses.getState().selected).toBe('Zeta');
  });

  it('drops coverage that arrives for a universe no longer selected', async () => {
    const { client } = fakeClient(() => ok([held('AAPL')]));
    useUniverses.getState().select('A');
    const pending = loadCoverage(client, 'A');
    useUniverses.getState().select('B');
    await pending;
    expect(useUniverses.getState().coverage).toBeNull();
    expect(useUniverses.getState().coverageOf).toBeNull();
  });

  it('a rename keeps the selection and its coverage under the new name', () => {
    const { client } = fakeClient(() => ok([]));
    useUniverses.setState({ list: [uni('Old', ['AAPL'])], selected: 'Old', coverage: [held('AAPL')], coverageOf: 'Old' });
    applyUniverse(client, uni('New', ['AAPL']), 'Old');
    const s = useUniverses.getState();
    expect(s.list?.map((u) => u.name)).toEqual(['New']);
    expect(s.selected).toBe('New');
    expect(s.coverageOf).toBe('New');
    expect(s.coverage).toHaveLength(1);
  });

  it('a member change fetches the coverage again', async () => {
    const { client, calls } = fakeClient(() => ok([held('AAPL'), none('MSFT')]));
    useUniverses.setState({ list: [uni('Tech', ['AAPL'])], selected: 'Tech' });
    applyUniverse(client, uni('Tech', ['AAPL', 'MSFT']), 'Tech', true);
    await flush();
    expect(calls).toEqual([{ name: 'universe.coverage', arg: { name: 'Tech' } }]);
    expect(useUniverses.getState().coverage?.map((c) => c.symbol)).toEqual(['AAPL', 'MSFT']);
  });

  it('delete selects the next universe', async () => {
    const { client } = fakeClient(() => ok({ deleted: true }));
    useUniverses.setState({ list: [uni('A'), uni('B')], selected: 'A' });
    expect(await deleteUniverse(client, 'A')).toBeNull();
    expect(useUniverses.getState().list?.map((u) => u.name)).toEqual(['B']);
    expect(useUniverses.getState().selected).toBe('B');
  });

  it('the demo creates Demo with three symbols and updates it from the fake provider from ten days back', async () => {
    const { client, calls } = fakeClient((name) =>
      name === 'universe.create' ? ok(uni('Demo', ['AAPL', 'MSFT', 'SPY'])) : name === 'ingest.start' ? ok({ jobId: 'j1' }) : ok([]),
    );
    expect(await createDemo(client, new Date(2025, 5, 20))).toBeNull();
    expect(calls[0]).toEqual({ name: 'universe.create', arg: { name: 'Demo', symbols: ['AAPL', 'MSFT', 'SPY'] } });
    expect(calls.find((c) => c.name === 'ingest.start')?.arg).toEqual({ provider: 'fake', universe: 'Demo', update: true, start: '2025-06-10' });
    expect(useUniverses.getState().selected).toBe('Demo');
    expect(useUniverses.getState().lastJob).toEqual({ universe: 'Demo', jobId: 'j1' });
  });

  it('returns the engine error of a failed create', async () => {
    const { client } = fakeClient(() => ({ ok: false, error: { code: 'E_CONFLICT', message: 'universe "Demo" exists' } }));
    expect(await createDemo(client)).toEqual({ code: 'E_CONFLICT', message: 'universe "Demo" exists' });
    expect(useUniverses.getState().lastJob).toBeNull();
  });
});
