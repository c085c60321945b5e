import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckQueryService } from './service';
import { firstKeyword } from './guard';

let dir: string;
let svc: DuckQueryService;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-query-'));
  fs.mkdirSync(path.join(dir, 'lake', 'bars'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'secret.csv'), 'a\n1\n');
  svc = await DuckQueryService.open(path.join(dir, 'lake'), path.join(dir, 'lake', 'bars'));
});
afterAll(() => {
  svc.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const run = (sql: string, maxRows = 100, timeoutMs?: number) => svc.run({ sql, maxRows, timeoutMs });

describe('query service', () => {
  it('converts values to JSON cells without losing precision', async () => {
    const r = await run(`SELECT 42::BIGINT AS i, 9007199254740993::BIGINT AS big, 1.5::DECIMAL(10,2) AS d, 'x' AS s, true AS b, NULL AS n,
      TIMESTAMPTZ '2024-01-02 14:30:00.123456+00' AS tz, TIMESTAMP '2024-01-02 09:30:00' AS naive, DATE '2024-01-02' AS day, 'nan'::DOUBLE AS nan`);
    expect(r.columns.map((c) => c.name)).toEqual(['i', 'big', 'd', 's', 'b', 'n', 'tz', 'naive', 'day', 'nan']);
    expect(r.rows).toEqual([[42, '9007199254740993', 1.5, 'x', true, null, '2024-01-02T14:30:00.123456Z', '2024-01-02T09:30:00.000', '2024-01-02', 'NaN']]);
  });

  it('caps rows and says so', async () => {
    const r = await run(`SELECT * FROM range(10000)`, 5);
    expect(r).toMatchObject({ rowCount: 5, truncated: true });
    expect((await run(`SELECT * FROM range(5)`, 5)).truncated).toBe(false);
  });

  it.each([
    ['CREATE TABLE x AS SELECT 1', /CREATE statements are not allowed/],
    ['INSERT INTO bars SELECT * FROM bars', /read-only/],
    ["COPY (SELECT 1) TO 'out.csv'", /COPY statements are not allowed/],
    ["ATTACH 'x.db'", /ATTACH statements are not allowed/],
    ['INSTALL httpfs', /not allowed/],
    ["SET threads = 1", /SET statements are not allowed/],
    ['PRAGMA enable_profiling', /not allowed/],
    ["EXPORT DATABASE 'x'", /not allowed/],
    ['CREATE OR REPLACE VIEW bars AS SELECT 1', /CREATE statements are not allowed/],
  ])('refuses %s', async (sql, msg) => {
    await expect(run(sql)).rejects.toMatchObject({ code: 'E_READ_ONLY', message: expect.stringMatching(msg) });
  });

  it('cannot read files outside the lake even with a SELECT', async () => {
    await expect(run(`SELECT * FROM read_csv('${path.join(dir, 'secret.csv')}')`)).rejects.toMatchObject({ code: 'E_READ_ONLY' });
  });

  it('refuses more than one statement and reports syntax errors in one line', async () => {
    await expect(run('SELECT 1; SELECT 2')).rejects.toMatchObject({ code: 'E_BAD_INPUT' });
    const err = await run('SELEC 1').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_QUERY' });
    expect((err as Error).message).not.toContain('\n');
  });

  it('cancels a query that runs past its timeout', async () => {
    await expect(run('SELECT count(*) FROM range(100000000000) a, range(100) b', 10, 200)).rejects.toMatchObject({ code: 'E_TIMEOUT' });
    // the service is still usable afterwards
    expect((await run('SELECT 1')).rows).toEqual([[1]]);
  });

  it('allows EXPLAIN, WITH and DESCRIBE', async () => {
    await expect(run('EXPLAIN SELECT 1')).resolves.toBeTruthy();
    expect((await run('WITH t AS (SELECT 2 AS x) SELECT x FROM t')).rows).toEqual([[2]]);
    expect((await run('DESCRIBE bars')).rowCount).toBe(13);
  });

  it('finds the first keyword past comments and parentheses', () => {
    expect(firstKeyword('-- hi\n /* x */ (copy x to y)')).toBe('COPY');
    expect(firstKeyword('  select 1')).toBe('SELECT');
  });
});
