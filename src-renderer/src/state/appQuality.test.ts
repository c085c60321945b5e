import { describe, expect, it } from 'vitest';
import type { Job, SymbolCoverage, Universe } from '../../../src-main/contract/schemas';
import { CHORD_MS, commandForKey, commands, type KeyLike } from '../commands';
import { jobToast, useToasts } from './toasts';
import { registerPageExport, runPageExport } from '../commands/exportPage';
import { facetValues, filterByFacets, filterRowsByData } from './universeFilters';

// the registry's answer, told as the tests have always read it: open the list, go to a page, or a chord begun
function shortcutFor(e: KeyLike, chordAt: number | null) {
  const o = commandForKey(e, chordAt);
  if (o?.type !== 'run') return o;
  return o.command.id === 'app.shortcuts' ? { type: 'help' } : { type: 'go', page: o.command.id.replace(/^go\./, '') };
}

const key = (k: string, o: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, target: { tagName: 'BODY' }, timeStamp: 1000, ...o });

describe('shortcuts', () => {
  it('g then a letter switches page within the chord window; Ctrl+1..7 too; ? and Ctrl+/ open the list', () => {
    expect(shortcutFor(key('g'), null)).toEqual({ type: 'chord' });
    expect(shortcutFor(key('q', { timeStamp: 1500 }), 1000)).toEqual({ type: 'go', page: 'query' });
    expect(shortcutFor(key('u', { timeStamp: 1000 + CHORD_MS + 1 }), 1000)).toBeNull();
    expect(shortcutFor(key('q'), null)).toBeNull();
    expect(shortcutFor(key('1', { ctrlKey: true }), null)).toEqual({ type: 'go', page: 'universe' });
    expect(shortcutFor(key('7', { metaKey: true }), null)).toEqual({ type: 'go', page: 'settings' });
    expect(shortcutFor(key('?'), null)).toEqual({ type: 'help' });
    expect(shortcutFor(key('/', { ctrlKey: true }), null)).toEqual({ type: 'help' });
  });

  it('never fires while typing in an input, a text area, a select or CodeMirror', () => {
    for (const target of [{ tagName: 'INPUT' }, { tagName: 'textarea' }, { tagName: 'SELECT' }, { tagName: 'DIV', isContentEditable: true }, { tagName: 'SPAN', closest: () => ({}) }]) {
      expect(shortcutFor(key('?', { target }), null)).toBeNull();
      expect(shortcutFor(key('1', { ctrlKey: true, target }), null)).toBeNull();
      expect(shortcutFor(key('q', { target }), 1000)).toBeNull();
    }
  });

  it('lists every page', () => {
    expect(commands().filter((s) => s.label.startsWith('Go to')).map((s) => s.keys.join(' / '))).toEqual(['g u / Ctrl+1', 'g i / Ctrl+2', 'g q / Ctrl+3', 'g c / Ctrl+4', 'g v / Ctrl+5', 'g m / Ctrl+6', 'g s / Ctrl+7']);
  });
});

const job = (o: Partial<Job>): Job => ({
  id: 'j1',
  kind: 'ingest',
  stage: 'fetch',
  status: 'running',
  provider: 'fake',
  feed: 'sim',
  timeframe: '1m',
  symbols: ['AAPL', 'MSFT'],
  start: '2024-01-02',
  end: '2024-01-05',
  progress: 100,
  rowsWritten: 1560,
  createdAt: '',
  startedAt: null,
  finishedAt: null,
  error: null,
  ...o,
});

describe('job toasts', () => {
  it('one per finished job, telling its status and rows; none while it runs; the same one once', () => {
    expect(jobToast(job({}))).toBeNull();
    expect(jobToast(job({ status: 'succeeded' }))).toMatchObject({ kind: 'ok', title: 'Job j1 succeeded', message: 'AAPL, MSFT from fake: 1,560 rows written.' });
    expect(jobToast(job({ status: 'failed', error: { code: 'E_PROVIDER', message: 'down' } }))?.message).toContain('The data provider failed: down');
    expect(jobToast(job({ status: 'cancelled' }))?.kind).toBe('info');
    // a full job id is 36 characters: the title says its first 8, as the jobs table does
    expect(jobToast(job({ id: '64cf4e73-1b2c-4d5e-8f90-123456789abc', status: 'succeeded' }))?.title).toBe('Job 64cf4e73 succeeded');
    const t = jobToast(job({ status: 'succeeded' }))!;
    useToasts.getState().push(t);
    useToasts.getState().push(t);
    expect(useToasts.getState().toasts).toHaveLength(1);
    useToasts.getState().dismiss(t.id);
    expect(useToasts.getState().toasts).toHaveLength(0);
  });
});

describe('universe filters', () => {
  const u = (name: string, o: Partial<Universe> = {}): Universe => ({ name, exchange: null, assetClass: null, tags: [], version: 1, symbols: [], createdAt: '', updatedAt: '', ...o });
  const cov = (symbol: string, sessions: number, behind: number): SymbolCoverage => ({ symbol, provider: 'fake', feed: 'sim', timeframe: '1m', firstSession: null, lastSession: null, sessions, missingSessions: 0, behindSessions: behind });

  it('filters universes by tag, exchange and asset class', () => {
    const list = [u('A', { tags: ['tech'], exchange: 'NASDAQ' }), u('B', { tags: ['etf'], assetClass: 'etf', exchange: 'NYSE' }), u('C')];
    expect(facetValues(list)).toEqual({ tags: ['etf', 'tech'], exchanges: ['NASDAQ', 'NYSE'], assetClasses: ['etf'] });
    expect(filterByFacets(list, { tag: 'tech', exchange: '', assetClass: '' }).map((x) => x.name)).toEqual(['A']);
    expect(filterByFacets(list, { tag: '', exchange: 'NYSE', assetClass: 'etf' }).map((x) => x.name)).toEqual(['B']);
  });

  it('filters symbols by data and freshness', () => {
    const rows = [
      { symbol: 'A', coverage: cov('A', 5, 0) },
      { symbol: 'B', coverage: cov('B', 5, 3) },
      { symbol: 'C', coverage: cov('C', 0, 0) },
      { symbol: 'D', coverage: null },
    ];
    const names = (f: Parameters<typeof filterRowsByData>[1], n?: number) => filterRowsByData(rows, f, n).map((r) => r.symbol);
    expect(names('all')).toEqual(['A', 'B', 'C', 'D']);
    expect(names('with-data')).toEqual(['A', 'B']);
    expect(names('no-data')).toEqual(['C']);
    expect(names('up-to-date')).toEqual(['A']);
    expect(names('behind')).toEqual(['B']);
    expect(names('behind', 4)).toEqual([]);
  });
});

describe('File › Export… (the page export registry)', () => {
  it('runs the export the open page registered, and nothing once that page withdrew it', () => {
    const ran: string[] = [];
    expect(runPageExport()).toBe(false);
    const query = {};
    const withdrawQuery = registerPageExport(query, 'Export CSV', () => ran.push('query'));
    expect(runPageExport()).toBe(true);
    // a newer registration is not withdrawn by an older one's cleanup, whichever order React runs them in
    const withdrawValidation = registerPageExport({}, 'Export CSV', () => ran.push('validation'));
    withdrawQuery();
    expect(runPageExport()).toBe(true);
    withdrawValidation();
    expect(runPageExport()).toBe(false);
    expect(ran).toEqual(['query', 'validation']);
  });
});
