import { describe, expect, it } from 'vitest';
import type { ValidationRunSummary } from '../../../src-main/contract/validation';
import { bytesOfChunks, mergeRuns, reconcileArg, runArg, scopeText, sourceText } from './validation';
import {
  ariaSort,
  canPage,
  findingsArg,
  nextSort,
  NO_FILTERS,
  offsetForSize,
  offsetOfPage,
  pageCount,
  rangeLabel,
  ruleFacets,
  severitySummary,
  symbolFilterError,
  toggled,
} from './validationFindings';

const run = (over: Partial<ValidationRunSummary> = {}): ValidationRunSummary => ({
  id: 'r1',
  kind: 'validation',
  createdAt: '2024-06-01T10:00:00.000Z',
  jobId: null,
  symbols: ['AAPL'],
  start: '2024-01-02',
  end: '2024-01-05',
  timeframe: null,
  provider: 'fake',
  feed: 'sim',
  sources: null,
  calendarVersion: 'nyse-2026.1',
  series: 1,
  barsChecked: 10,
  findingsTotal: 0,
  bySeverity: { error: 0, warning: 0, info: 0 },
  rules: [],
  reportName: 'validation-x.csv',
  elapsedMs: 5,
  ...over,
});

describe('validation page logic', () => {
  it('builds the findings request from the filters, leaving empty ones out', () => {
    expect(findingsArg('r1', NO_FILTERS, 0)).toEqual({ runId: 'r1', offset: 0, limit: 100 });
    expect(findingsArg('r1', { ...NO_FILTERS, symbol: ' aapl ', rule: 'missing_session', severity: 'error' }, 200)).toEqual({ runId: 'r1', offset: 200, limit: 100, symbol: 'AAPL', rule: 'missing_session', severity: 'error' });
    expect(findingsArg('r1', { ...NO_FILTERS, text: ' halt ', acknowledged: 'show' }, 0, 250, { column: 'ts', dir: 'desc' })).toEqual({ runId: 'r1', offset: 0, limit: 250, text: 'halt', acknowledged: 'show', sort: 'ts', dir: 'desc' });
    expect(findingsArg('r1', { ...NO_FILTERS, severity: 'bogus' }, 0)).toEqual({ runId: 'r1', offset: 0, limit: 100 });
    expect(symbolFilterError('aa$')).toBe('"aa$" is not a symbol');
    expect(symbolFilterError(' brk.b ')).toBeNull();
  });

  it('turns the run form into a scope, refusing bad symbols and reversed dates', () => {
    expect(runArg({ symbols: '', start: '', end: '', sources: '' })).toEqual({ ok: true, arg: {} });
    expect(runArg({ symbols: 'aapl, msft aapl', start: '2024-01-02', end: '2024-01-05', sources: '' })).toEqual({ ok: true, arg: { symbols: ['AAPL', 'MSFT'], start: '2024-01-02', end: '2024-01-05' } });
    expect(runArg({ symbols: 'A$', start: '', end: '', sources: '' })).toEqual({ ok: false, message: '"A$" is not a symbol' });
    expect(runArg({ symbols: '', start: '2024-02-01', end: '2024-01-01', sources: '' })).toEqual({ ok: false, message: 'Start is after End' });
  });

  it('turns the form into a reconcile request: two sources and both dates', () => {
    const form = { symbols: 'aapl', start: '2024-01-02', end: '2024-01-05', sources: 'alpaca:sip, polygon' };
    expect(reconcileArg(form)).toEqual({ ok: true, arg: { sources: ['alpaca:sip', 'polygon'], start: '2024-01-02', end: '2024-01-05', symbols: ['AAPL'] } });
    expect(reconcileArg({ ...form, sources: 'alpaca' })).toEqual({ ok: false, message: 'Sources: give two, e.g. alpaca:sip, polygon' });
    expect(reconcileArg({ ...form, sources: 'alpaca ../x' })).toEqual({ ok: false, message: '"../x" is not a source (provider or provider:feed)' });
    expect(reconcileArg({ ...form, end: '' })).toEqual({ ok: false, message: 'Reconciling needs Start and End' });
  });

  it('sorts on header clicks: ascending, descending, report order; another column starts ascending', () => {
    const asc = nextSort(null, 'ts');
    expect(asc).toEqual({ column: 'ts', dir: 'asc' });
    expect(nextSort(asc, 'ts')).toEqual({ column: 'ts', dir: 'desc' });
    expect(nextSort({ column: 'ts', dir: 'desc' }, 'ts')).toBeNull();
    expect(nextSort({ column: 'ts', dir: 'desc' }, 'rule')).toEqual({ column: 'rule', dir: 'asc' });
    expect(ariaSort({ column: 'ts', dir: 'desc' }, 'ts')).toBe('descending');
    expect(ariaSort({ column: 'ts', dir: 'desc' }, 'rule')).toBe('none');
  });

  it('jumps to a page, clamped; a new page size keeps the first row shown', () => {
    expect(pageCount(62_901, 100)).toBe(630);
    expect(pageCount(0, 100)).toBe(1);
    expect(offsetOfPage('3', 1000, 100)).toBe(200);
    expect(offsetOfPage('1,000', 62_901, 100)).toBe(62_900);
    expect(offsetOfPage('0', 1000, 100)).toBe(0);
    expect(offsetOfPage('x', 1000, 100)).toBeNull();
    expect(offsetOfPage(' ', 1000, 100)).toBeNull();
    expect(offsetOfPage('2.5', 1000, 100)).toBeNull();
    expect(offsetForSize(350, 250)).toBe(250);
    expect(offsetForSize(350, 50)).toBe(350);
  });

  it('words the counts with every severity, and lists every rule of the run as a facet', () => {
    expect(severitySummary({ error: 2340, warning: 1, info: 0 }, (n) => n.toLocaleString('en-US'))).toBe('2,340 errors, 1 warning, 0 info');
    const counts = { bySeverity: { error: 1, warning: 0, info: 0 }, byRule: [{ rule: 'price_jump', count: 1 }], acknowledged: 0 };
    expect(ruleFacets(['missing_session', 'price_jump'], counts, '')).toEqual([
      { rule: 'missing_session', count: 0 },
      { rule: 'price_jump', count: 1 },
    ]);
    expect(toggled('error', 'error')).toBe('');
    expect(toggled('', 'error')).toBe('error');
  });

  it('pages', () => {
    const counts = { bySeverity: { error: 0, warning: 0, info: 0 }, byRule: [], acknowledged: 0 };
    const page = { runId: 'r1', total: 250, offset: 100, rows: new Array(100).fill(null), counts };
    expect(rangeLabel(page)).toBe('101–200 of 250');
    expect(rangeLabel({ ...page, total: 0, offset: 0, rows: [] })).toBe('0 findings');
    expect(canPage(page, -1)).toBe(true);
    expect(canPage(page, 1)).toBe(true);
    expect(canPage({ ...page, offset: 200 }, 1)).toBe(false);
    expect(canPage({ ...page, offset: 0 }, -1)).toBe(false);
    expect(canPage(null, 1)).toBe(false);
  });

  it('describes runs', () => {
    expect(scopeText(run())).toBe('AAPL · 2024-01-02 → 2024-01-05');
    expect(scopeText(run({ symbols: null, start: null, end: null, timeframe: '1m' }))).toBe('all symbols · all dates · 1m');
    expect(scopeText(run({ symbols: ['A', 'B', 'C', 'D', 'E', 'F'] }))).toBe('A, B, C, D +2 · 2024-01-02 → 2024-01-05');
    expect(sourceText(run())).toBe('fake / sim');
    expect(sourceText(run({ kind: 'reconcile', sources: ['alpaca:sip', 'polygon:stocks'] }))).toBe('alpaca:sip vs polygon:stocks');
    expect(sourceText(run({ provider: null, feed: null }))).toBe('—');
  });

  it('merges a completed run into the list, newest first, once', () => {
    const a = run({ id: 'a', createdAt: '2024-06-01T10:00:00.000Z' });
    const b = run({ id: 'b', createdAt: '2024-06-01T11:00:00.000Z' });
    expect(mergeRuns([a], [b, a]).map((r) => r.id)).toEqual(['b', 'a']);
  });

  it('reassembles report chunks split inside a UTF-8 character', () => {
    const bytes = new TextEncoder().encode('symbol,message\nAAPL,"prix: 12 €"\n');
    const cut = bytes.indexOf(0xe2) + 1; // inside the euro sign
    const b64 = (u: Uint8Array) => btoa(String.fromCharCode(...u));
    const back = bytesOfChunks([b64(bytes.slice(0, cut)), b64(bytes.slice(cut))]);
    expect(new TextDecoder().decode(back)).toBe('symbol,message\nAAPL,"prix: 12 €"\n');
  });
});
