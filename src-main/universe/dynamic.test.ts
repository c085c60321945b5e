import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestEngine } from '../testing/engine';
import { inProcessClient } from '../contract/dispatcher';

const t = useTestEngine('mp-dyn-');

const c = () => inProcessClient(t.engine.dispatcher);

async function ingest(symbols: string[], start: string, end: string): Promise<void> {
  const j = await t.engine.startIngest({ provider: 'fake', symbols, start, end });
  expect((await t.engine.waitForJob(j.id, { pipeline: false })).status).toBe('succeeded');
}

function value<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

describe('dynamic universes', () => {
  it('previews, creates, refreshes (versioned adds and removes) and re-rules a universe over real lake data', async () => {
    expect(value(await c().request('lake.status', {}))).toEqual({ symbols: 0, empty: true });
    // an empty lake matches nothing, and is not an error
    expect(value(await c().request('universe.preview', { sql: 'sessions >= 1' })).symbols).toEqual([]);

    await ingest(['AAA', 'BBB'], '2024-01-02', '2024-01-05');
    await ingest(['CCC'], '2024-01-02', '2024-01-02');
    expect(value(await c().request('lake.status', {}))).toEqual({ symbols: 3, empty: false });

    const p = value(await c().request('universe.preview', { sql: 'sessions >= 2 AND adv20 > 0;' }));
    expect(p).toMatchObject({ kind: 'predicate', symbols: ['AAA', 'BBB'], ignored: [] });
    expect(value(await c().request('universe.preview', { sql: 'adv20 > 1e15' })).symbols).toEqual([]);
    const q = value(await c().request('universe.preview', { sql: "SELECT symbol FROM bars WHERE symbol <> 'BBB'" }));
    expect(q).toMatchObject({ kind: 'query', symbols: ['AAA', 'CCC'] });

    const created = value(await c().request('universe.createDynamic', { name: 'Liquid', rule: 'sessions >= 2', tags: ['dyn'] }));
    expect(created.universe).toMatchObject({ name: 'Liquid', symbols: ['AAA', 'BBB'], rule: 'sessions >= 2', tags: ['dyn'], version: 1 });

    await ingest(['CCC'], '2024-01-03', '2024-01-04');
    // evaluate tells what would change and changes nothing
    expect(value(await c().request('universe.evaluate', { name: 'liquid' }))).toMatchObject({ symbols: ['AAA', 'BBB', 'CCC'], added: ['CCC'], removed: [] });
    expect(value(await c().request('universe.get', { name: 'Liquid' })).version).toBe(1);

    const refreshed = value(await c().request('universe.refresh', { name: 'Liquid' }));
    expect(refreshed).toMatchObject({ added: ['CCC'], removed: [], universe: { symbols: ['AAA', 'BBB', 'CCC'], version: 2 } });
    // refreshing again with nothing new is not a new version
    expect(value(await c().request('universe.refresh', { name: 'Liquid' })).universe.version).toBe(2);

    const ruled = value(await c().request('universe.setRule', { name: 'Liquid', rule: "symbol = 'AAA'" }));
    expect(ruled).toMatchObject({ added: [], removed: ['BBB', 'CCC'], universe: { symbols: ['AAA'], rule: "symbol = 'AAA'" } });
    const history = t.engine.db().prepare(`SELECT symbol, count(*) AS n FROM universe_members GROUP BY symbol ORDER BY symbol`).all();
    expect(history).toEqual([
      { symbol: 'AAA', n: 1 },
      { symbol: 'BBB', n: 1 },
      { symbol: 'CCC', n: 1 },
    ]);
    const unruled = value(await c().request('universe.setRule', { name: 'Liquid', rule: null }));
    expect(unruled.universe).toMatchObject({ rule: null, symbols: ['AAA'] });
    const noRule = await c().request('universe.refresh', { name: 'Liquid' });
    expect(noRule.ok ? '' : noRule.error.code).toBe('E_BAD_INPUT');
  });

  it('refuses bad rules, writes and file access with one E_BAD_INPUT line, changing nothing', async () => {
    await ingest(['AAA'], '2024-01-02', '2024-01-02');
    const before = value(await c().request('universe.create', { name: 'Static', symbols: ['ZZZ'] }));
    const bad = [
      'adv20 >>> 3',
      'no_such_column > 1',
      'SELECT 1 AS x',
      'true; DROP VIEW bars',
      "SELECT symbol FROM read_csv('/etc/passwd')",
      `true) UNION SELECT 'X' FROM (COPY bars TO '${path.join(t.dir, 'x.csv')}'`,
    ];
    for (const rule of bad) {
      const r = await c().request('universe.createDynamic', { name: 'Bad', rule });
      expect(r.ok ? `accepted: ${rule}` : r.error.code).toBe('E_BAD_INPUT');
      if (!r.ok) expect(r.error.message).not.toContain('\n');
      const s = await c().request('universe.setRule', { name: 'Static', rule });
      expect(s.ok ? `accepted: ${rule}` : s.error.code).toBe('E_BAD_INPUT');
    }
    const noSymbol = await c().request('universe.preview', { sql: 'SELECT 1 AS x' });
    expect(noSymbol.ok ? '' : noSymbol.error.message).toContain('symbol column');
    expect(value(await c().request('universe.list', {}))).toEqual([before]);
    expect(fs.existsSync(path.join(t.dir, 'x.csv'))).toBe(false);
  });
});
