import { describe, expect, it } from 'vitest';
import { useTestEngine } from '../testing/engine';
import { inProcessClient } from '../contract/dispatcher';
import { symbolsFromCsv } from './csv';
import { lastClosedSession, previousTradingDay } from '../calendar';

const t = useTestEngine('mp-uni-');

const c = () => inProcessClient(t.engine.dispatcher);

describe('universes', () => {
  it('create, add, remove (kept as history), rename, tag, delete', async () => {
    const created = await c().request('universe.create', { name: 'Tech', symbols: ['aapl', 'MSFT', 'AAPL'], tags: ['megacap'] });
    expect(created.ok && created.value).toMatchObject({ name: 'Tech', symbols: ['AAPL', 'MSFT'], tags: ['megacap'], version: 1 });
    expect((await c().request('universe.create', { name: 'tech' })).ok).toBe(false); // names are case-insensitive
    const added = await c().request('universe.add', { name: 'tech', symbols: ['NVDA', 'AAPL'] });
    expect(added.ok && added.value.added).toEqual(['NVDA']);
    const removed = await c().request('universe.remove', { name: 'Tech', symbols: ['MSFT', 'XOM'] });
    expect(removed.ok && removed.value).toMatchObject({ removed: ['MSFT'], universe: { symbols: ['AAPL', 'NVDA'], version: 3 } });
    // re-adding a removed symbol opens a new membership; the old one stays in the history
    await c().request('universe.add', { name: 'Tech', symbols: ['MSFT'] });
    const history = t.engine.db().prepare(`SELECT symbol, removed_at IS NOT NULL AS closed FROM universe_members WHERE symbol = 'MSFT' ORDER BY added_at`).all();
    expect(history).toEqual([
      { symbol: 'MSFT', closed: 1 },
      { symbol: 'MSFT', closed: 0 },
    ]);
    const renamed = await c().request('universe.rename', { name: 'Tech', to: 'Big Tech' });
    expect(renamed.ok && renamed.value.name).toBe('Big Tech');
    const tagged = await c().request('universe.update', { name: 'Big Tech', tags: ['a', 'b', 'a'], exchange: 'NASDAQ' });
    expect(tagged.ok && tagged.value).toMatchObject({ tags: ['a', 'b'], exchange: 'NASDAQ' });
    expect((await c().request('universe.delete', { name: 'big tech' })).ok).toBe(true);
    expect(await c().request('universe.list', {})).toEqual({ ok: true, value: [] });
  });

  it('refuses bad names and bad symbols with E_BAD_INPUT, changing nothing', async () => {
    for (const arg of [{ name: '../etc', symbols: [] }, { name: 'ok', symbols: ['A$B'] }]) {
      const r = await c().request('universe.create', arg);
      expect(r.ok ? 'ok' : r.error.code).toBe('E_BAD_INPUT');
    }
    expect(await c().request('universe.list', {})).toEqual({ ok: true, value: [] });
    expect((await c().request('universe.get', { name: 'nope' })).ok).toBe(false);
  });

  it('ingests a universe, and --update brings it to the last closed session from where each symbol stops', async () => {
    await c().request('universe.create', { name: 'U', symbols: ['AAA', 'BBB'] });
    // relative to today, so the test stays small whenever it runs
    const last = lastClosedSession();
    const days: string[] = [last];
    while (days.length < 6) days.unshift(previousTradingDay(days[0]!));
    const j = await t.engine.startIngest({ provider: 'fake', universe: 'U', start: days[0], end: days[3] });
    await t.engine.waitForJob(j.id);
    const u = await t.engine.startIngest({ provider: 'fake', universe: 'U', update: true });
    expect([u.start, u.end]).toEqual([days[4], last]);
    expect((await t.engine.waitForJob(u.id)).status).toBe('succeeded');
    // a symbol never ingested needs an explicit start
    await c().request('universe.add', { name: 'U', symbols: ['CCC'] });
    await expect(t.engine.startIngest({ provider: 'fake', universe: 'U', update: true })).rejects.toMatchObject({ code: 'E_BAD_INPUT', message: expect.stringContaining('CCC') });
  });

  it('imports and exports CSV through the contract, and tells each symbol\'s coverage', async () => {
    const imp = await c().request('universe.import', { name: 'Imp', csv: 'symbol\nAAA\nB$D\nBBB\n' });
    expect(imp.ok && imp.value).toMatchObject({ imported: 2, rejected: [{ line: 3, value: 'B$D' }], universe: { symbols: ['AAA', 'BBB'] } });
    const exp = await c().request('universe.export', { name: 'Imp' });
    expect(exp.ok && exp.value).toEqual({ filename: 'Imp.csv', csv: 'symbol\nAAA\nBBB\n' });
    const j = await t.engine.startIngest({ provider: 'fake', symbols: ['AAA'], start: '2024-01-02', end: '2024-01-03' });
    await t.engine.waitForJob(j.id);
    const j2 = await t.engine.startIngest({ provider: 'fake', symbols: ['AAA'], start: '2024-01-05', end: '2024-01-05' });
    await t.engine.waitForJob(j2.id);
    const other = await c().request('universe.coverage', { name: 'Imp', provider: 'alpaca' });
    expect(other.ok && other.value.map((x) => x.sessions)).toEqual([0, 0]);
    const bad = await c().request('universe.import', { name: 'Imp', csv: 'symbol\nB$D\n' });
    expect(bad.ok ? '' : bad.error.message).toContain('line 2 "B$D"');
    const cov = await c().request('universe.coverage', { name: 'Imp' });
    expect(cov.ok && cov.value).toEqual([
      { symbol: 'AAA', provider: 'fake', feed: 'sim', timeframe: '1m', firstSession: '2024-01-02', lastSession: '2024-01-05', sessions: 3, missingSessions: 1, behindSessions: expect.any(Number) },
      { symbol: 'BBB', provider: null, feed: null, timeframe: null, firstSession: null, lastSession: null, sessions: 0, missingSessions: 0, behindSessions: 0 },
    ]);
  });

  it('reads symbols from CSV, reporting rejected lines by their line in the file', () => {
    const r = symbolsFromCsv('Symbol,Name\nAMD,Advanced\nBAD$,x\nINTC,Intel\n\namd,dup\n', 'u.csv');
    expect(r.symbols).toEqual(['AMD', 'INTC']);
    expect(r.rejected).toEqual([
      { line: 3, value: 'BAD$', reason: expect.stringContaining('not a symbol') },
      { line: 6, value: 'amd', reason: 'duplicate' },
    ]);
    expect(symbolsFromCsv('AAPL\nMSFT\n', 'plain.csv').symbols).toEqual(['AAPL', 'MSFT']);
  });

  it('refuses a file that is not a symbol list without repeating its content', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n';
    expect(() => symbolsFromCsv(passwd, 'the file')).toThrow('the file: line 1 is not a symbol list: expected a header (symbol or ticker) or symbols');
    for (const text of [passwd, 'root:x:0:0:root:/root:/bin/bash\n', '"unclosed,root:x:0:0\n']) {
      try {
        symbolsFromCsv(text, 'f.csv');
        expect.unreachable();
      } catch (e) {
        expect((e as Error).message).not.toMatch(/root|bash|daemon/);
        expect(e).toMatchObject({ code: 'E_BAD_INPUT' });
      }
    }
    // a long rejected value is not shown; a short one (a mistyped symbol) is
    const r = symbolsFromCsv('symbol\nAAPL\nsecret-token-value-0123456789\nB$D\n', 'u.csv');
    expect(r.rejected.map((x) => x.value)).toEqual(['(29 characters, not shown)', 'B$D']);
  });
});
