import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { inProcessClient } from '../contract/dispatcher';
import type { Result } from '../shared/errors';
import { useTestEngine } from '../testing/engine';

// The workbench through the contract, against a real fx.engine: DuckDB, SQLite and files in a temp dir.

const MILLION = 'SELECT range AS i, range * 0.5 AS x FROM range(1000000)';
const LONG = 'SELECT count(*) FROM range(100000000000) a, range(100) b';

const fx = useTestEngine('mp-workbench-');
const client = () => inProcessClient(fx.engine.dispatcher);

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}


async function readBack(file: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const fn = file.endsWith('.csv') ? 'read_csv' : 'read_parquet';
    return (await c.runAndReadAll(`SELECT count(*), min(i), max(i), sum(x) FROM ${fn}('${file}')`)).getRowsJS();
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

describe('query workbench', () => {
  it('holds a 1,000,000-row result fx.engine-side and pages through it', async () => {
    const open = value(await client().request('query.open', { sql: MILLION, queryId: 'q1', limit: 100 }));
    expect(open).toMatchObject({ queryId: 'q1', rowCount: 1_000_000, columns: [{ name: 'i' }, { name: 'x' }] });
    expect(open.first.rows).toHaveLength(100);
    expect(open.first.rows[0]).toEqual([0, 0]);
    const late = value(await client().request('query.page', { queryId: 'q1', offset: 999_000, limit: 1000 }));
    expect(late.rows).toHaveLength(1000);
    expect(late.rows[999]).toEqual([999_999, 499_999.5]);
    const past = value(await client().request('query.page', { queryId: 'q1', offset: 2_000_000, limit: 10 }));
    expect(past.rows).toEqual([]);
    // never more than a page per message
    const big = await client().request('query.page', { queryId: 'q1', offset: 0, limit: 5000 });
    expect(big).toMatchObject({ ok: false, error: { code: 'E_BAD_INPUT' } });
    // the result is a columnar table in DuckDB: a million rows stay far below the query DuckDB's 2 GB limit
    const stats = await (await fx.engine.workbench()).results.stats();
    expect(stats).toMatchObject({ open: 1, tables: 1 });
    expect(stats.memoryBytes).toBeLessThan(256 * 1024 * 1024);
  });

  it('sorts server-side, keeps pages stable, and goes back to the query order', async () => {
    value(await client().request('query.open', { sql: MILLION, queryId: 's', limit: 0 }));
    const desc = value(await client().request('query.sort', { queryId: 's', sort: { column: 'x', dir: 'desc' }, limit: 3 }));
    expect(desc.first.rows).toEqual([
      [999_999, 499_999.5],
      [999_998, 499_999],
      [999_997, 499_998.5],
    ]);
    const end = value(await client().request('query.page', { queryId: 's', offset: 999_998, limit: 5, sort: { column: 'x', dir: 'desc' } }));
    expect(end.rows).toEqual([
      [1, 0.5],
      [0, 0],
    ]);
    const back = value(await client().request('query.page', { queryId: 's', offset: 10, limit: 1, sort: null }));
    expect(back.rows).toEqual([[10, 5]]);
    const bad = await client().request('query.sort', { queryId: 's', sort: { column: 'nope', dir: 'asc' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'E_BAD_INPUT' } });
    // the previous ordered copy was dropped: one table for the result, none left behind
    expect((await (await fx.engine.workbench()).results.stats()).tables).toBe(1);
  });

  it('cancels a running query, records it, and stays usable', async () => {
    const running = client().request('query.open', { sql: LONG, queryId: 'long' });
    // cancel as soon as the fx.engine has it running (the workbench answers false until then)
    for (;;) {
      const c = value(await client().request('query.cancel', { queryId: 'long' }));
      if (c.cancelled) break;
      await new Promise<void>((r) => setImmediate(r));
    }
    expect(await running).toMatchObject({ ok: false, error: { code: 'E_CANCELLED' } });
    expect(value(await client().request('query.cancel', { queryId: 'long' })).cancelled).toBe(false);
    const after = value(await client().request('query.open', { sql: 'SELECT 42 AS answer' }));
    expect(after.first.rows).toEqual([[42]]);
    const history = value(await client().request('query.history', {}));
    expect(history.map((h) => [h.sql, h.errorCode])).toEqual([
      ['SELECT 42 AS answer', null],
      [LONG, 'E_CANCELLED'],
    ]);
  });

  it.each([
    ["COPY (SELECT 1) TO '/tmp/x.csv'", 'E_READ_ONLY'],
    ['CREATE TABLE t AS SELECT 1', 'E_READ_ONLY'],
    ['DROP TABLE mp_results.r1', 'E_READ_ONLY'],
    ['INSERT INTO bars SELECT * FROM bars', 'E_READ_ONLY'],
    ['SELECT 1; SELECT 2', 'E_BAD_INPUT'],
    ['SELECT 1) UNION (SELECT 2', 'E_QUERY'],
  ])('refuses %s with %s, changing nothing', async (sql, code) => {
    expect(await client().request('query.open', { sql })).toMatchObject({ ok: false, error: { code } });
    expect((await (await fx.engine.workbench()).results.stats()).tables).toBe(0);
  });

  it('cannot read outside the lake, nor the exports of others', async () => {
    fs.writeFileSync(path.join(fx.dir, 'secret.csv'), 'a\n1\n');
    const r = await client().request('query.open', { sql: `SELECT * FROM read_csv('${path.join(fx.dir, 'secret.csv')}')` });
    expect(r).toMatchObject({ ok: false, error: { code: 'E_READ_ONLY' } });
  });

  it('keeps trailing semicolons and comments working, and runs EXPLAIN', async () => {
    expect(value(await client().request('query.open', { sql: 'SELECT 1 AS a -- one\n;' })).first.rows).toEqual([[1]]);
    const ex = value(await client().request('query.open', { sql: 'EXPLAIN SELECT 1' }));
    expect(ex.rowCount).toBeGreaterThan(0);
    expect(await client().request('query.export', { queryId: ex.queryId, format: 'csv' })).toMatchObject({ ok: false, error: { code: 'E_BAD_INPUT' } });
  });

  it('keeps only a few results (LRU) and frees closed ones', async () => {
    for (let n = 1; n <= 6; n++) value(await client().request('query.open', { sql: `SELECT ${n} AS n`, queryId: `r${n}` }));
    expect((await (await fx.engine.workbench()).results.stats()).tables).toBe(4);
    expect(await client().request('query.page', { queryId: 'r1', offset: 0, limit: 1 })).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND' } });
    expect(value(await client().request('query.close', { queryId: 'r6' })).closed).toBe(true);
    expect((await (await fx.engine.workbench()).results.stats()).tables).toBe(3);
  });

  it('lists the views and their columns', async () => {
    const schema = value(await client().request('query.schema', {}));
    expect(schema.map((v) => v.name)).toEqual(['bars', 'bars_all']);
    expect(schema[0]!.columns.map((c) => c.name)).toEqual(['symbol', 'timeframe', 'ts', 'open', 'high', 'low', 'close', 'volume', 'trade_count', 'vwap', 'session', 'provider', 'feed']);
  });

  it('persists history and saved queries across restarts', async () => {
    value(await client().request('query.open', { sql: 'SELECT 1' }));
    const saved = value(await client().request('query.saved.save', { name: 'One', sql: 'SELECT 1' }));
    const replaced = value(await client().request('query.saved.save', { name: ' one ', sql: 'SELECT 11' }));
    expect(replaced).toMatchObject({ id: saved.id, name: 'one', sql: 'SELECT 11' });
    value(await client().request('query.saved.save', { name: 'Two', sql: 'SELECT 2' }));
    expect(await client().request('query.saved.save', { name: '  ', sql: 'SELECT 2' })).toMatchObject({ ok: false, error: { code: 'E_BAD_INPUT' } });
    await fx.reopen();
    expect(value(await client().request('query.history', {})).map((h) => h.sql)).toEqual(['SELECT 1']);
    expect(value(await client().request('query.saved.list', {})).map((s) => [s.name, s.sql])).toEqual([
      ['one', 'SELECT 11'],
      ['Two', 'SELECT 2'],
    ]);
    expect(value(await client().request('query.saved.delete', { id: saved.id })).deleted).toBe(true);
    expect(value(await client().request('query.saved.list', {}))).toHaveLength(1);
    expect(value(await client().request('query.history.clear', {})).cleared).toBe(1);
  });

  it('exports CSV and Parquet as one-time downloads that DuckDB reads back, in the current sort', async () => {
    value(await client().request('query.open', { sql: MILLION, queryId: 'e', limit: 0 }));
    value(await client().request('query.sort', { queryId: 'e', sort: { column: 'i', dir: 'desc' }, limit: 0 }));
    const wb = await fx.engine.workbench();
    for (const format of ['csv', 'parquet'] as const) {
      const r = value(await client().request('query.export', { queryId: 'e', format }));
      if (r.status !== 'download') throw new Error(`expected a download, got ${r.status}`);
      expect(r).toMatchObject({ rows: 1_000_000, filename: expect.stringMatching(new RegExp(`\\.${format}$`)) });
      const id = r.url.replace('/download/', '');
      const d = wb.takeDownload(id)!;
      expect(wb.takeDownload(id)).toBeUndefined();
      expect(await readBack(d.file)).toEqual([[1_000_000n, 0n, 999_999n, 249_999_750_000]]);
      if (format === 'csv') expect(fs.readFileSync(d.file, 'utf8').slice(0, 30)).toMatch(/^i,x\n999999,499999\.5\n/);
      d.release();
      expect(fs.existsSync(d.file)).toBe(false);
    }
  });

  it('exports to the path the save dialog chose, and nowhere else', async () => {
    const out = path.join(fx.dir, 'out');
    fs.mkdirSync(out);
    const answers: (string | null)[] = [path.join(out, 'result'), null, path.join(fx.dir, 'missing', 'x.csv')];
    const asked: string[] = [];
    await fx.reopen({
      chooseExportPath: async ({ defaultName }) => {
        asked.push(defaultName);
        return answers.shift() ?? null;
      },
    });
    value(await client().request('query.open', { sql: MILLION, queryId: 'd', limit: 0 }));
    const saved = value(await client().request('query.export', { queryId: 'd', format: 'parquet' }));
    expect(saved).toMatchObject({ status: 'saved', path: path.join(out, 'result.parquet'), rows: 1_000_000 });
    expect(asked[0]).toMatch(/^query-.*\.parquet$/);
    expect(fs.readdirSync(out)).toEqual(['result.parquet']);
    expect(await readBack(path.join(out, 'result.parquet'))).toEqual([[1_000_000n, 0n, 999_999n, 249_999_750_000]]);
    expect(value(await client().request('query.export', { queryId: 'd', format: 'csv' }))).toEqual({ status: 'cancelled' });
    expect(await client().request('query.export', { queryId: 'd', format: 'csv' })).toMatchObject({ ok: false, error: { code: 'E_IO' } });
    // no temp file left in the engine's export folder, nothing new beside the chosen file
    const exportsRoot = path.join(fx.dir, 'data', 'tmp', 'exports');
    const left = fs.readdirSync(exportsRoot).flatMap((d) => fs.readdirSync(path.join(exportsRoot, d)));
    expect(left).toEqual([]);
    expect(fs.readdirSync(out)).toEqual(['result.parquet']);
  });
});
