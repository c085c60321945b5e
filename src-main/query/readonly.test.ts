import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { run as runCli } from '../hosts/cli/main';
import { makeTmpDir, type TmpDir } from '../testing/tmp';
import { DuckQueryService } from './service';
import { splitExplain } from './guard';
import { evaluateRule } from '../universe/rule';

// Hostile SQL against a real lake: every attempt is refused (or, for the few that are reads in disguise, changes
// nothing), and after each one every file under the data dir is byte-identical and no file appeared or vanished.

// made at load time: the corpus below names the lake's real paths when the tests are collected
const tmp: TmpDir = makeTmpDir('mp-readonly-');
const data = path.join(tmp.dir, 'data');
const lake = path.join(data, 'lake');
const bars = path.join(lake, 'bars');
let svc: DuckQueryService;
let before: Map<string, string>;
let counts: unknown;
const COUNTS = 'SELECT timeframe, symbol, count(*) AS n FROM bars GROUP BY ALL ORDER BY ALL';

function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        out.set(p + '/', 'dir');
        walk(p);
      } else out.set(p, createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(root);
  return out;
}

beforeAll(async () => {
  const out = new PassThrough();
  out.resume();
  const code = await runCli(['node', 'marketpipe', '--data-dir', data, 'ingest', '--provider', 'fake', '--symbols', 'AAA,BBB', '--start', '2024-01-02', '--end', '2024-01-03'], { stdout: out, stderr: out, env: {} });
  expect(code).toBe(0);
  svc = await DuckQueryService.open(lake, bars, undefined, { exportDir: path.join(data, 'tmp', 'exports') });
  before = snapshot(tmp.dir);
  counts = (await run(COUNTS)).rows;
});
afterAll(() => {
  svc.close();
  tmp.cleanup();
});

const run = (sql: string) => svc.run({ sql, maxRows: 10, timeoutMs: 5000 });
const file = () => path.join(bars, 'timeframe=1m', 'provider=fake', 'feed=sim', 'symbol=AAA', 'year=2024', 'data.parquet');
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Write attempts: every statement type DuckDB has, wrapped every way we could think of. */
function corpus(): string[] {
  const f = q(file());
  const dir = q(bars);
  const copyLake = `COPY (SELECT 1 AS a, 'x' AS p) TO ${dir} (FORMAT parquet, PARTITION_BY (p), OVERWRITE true)`;
  const copyFile = `COPY (SELECT 1 AS a) TO ${f} (FORMAT parquet, USE_TMP_FILE false)`;
  return [
    `EXPLAIN ANALYZE ${copyLake}`,
    `explain analyze ${copyLake}`,
    `EXPLAIN /* c */ ANALYZE ${copyFile}`,
    `EXPLAIN -- c\n ANALYZE ${copyFile}`,
    `EXPLAIN (ANALYZE) ${copyFile}`,
    `EXPLAIN (ANALYZE, FORMAT json) ${copyFile}`,
    `EXPLAIN (FORMAT json, ANALYSE) ${copyLake}`,
    `EXPLAIN ANALYSE ${copyFile}`,
    `EXPLAIN ${copyFile}`,
    `/* /* nested */ */ EXPLAIN ANALYZE ${copyFile}`,
    `EXPLAIN /* /* nested */ */ ANALYZE ${copyFile}`,
    `EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1`,
    `EXPLAIN ANALYZE INSERT INTO bars SELECT * FROM bars`,
    `EXPLAIN ANALYZE EXPORT DATABASE ${dir}`,
    `EXPLAIN ANALYZE ATTACH ${f} AS x`,
    `EXPLAIN ANALYZE (${copyFile})`,
    `EXPLAIN (FORMAT json) (ANALYZE) ${copyFile}`,
    copyLake,
    copyFile,
    `CoPy (SELECT 1) tO ${f}`,
    `/* hi */ ${copyFile}`,
    `-- hi\n${copyFile}`,
    `(${copyFile})`,
    `WITH x AS (SELECT 1 AS a) ${copyFile}`,
    `COPY bars TO ${dir} (FORMAT parquet, PARTITION_BY (symbol), OVERWRITE_OR_IGNORE true)`,
    `COPY (SELECT 1 AS a) TO ${q(path.join(bars, 'new.parquet'))}`,
    `EXPORT DATABASE ${dir}`,
    `IMPORT DATABASE ${dir}`,
    `ATTACH ${f} AS x`,
    `ATTACH ${q(path.join(lake, 'x.duckdb'))} AS x`,
    `DETACH memory`,
    `CREATE TABLE t AS SELECT * FROM bars`,
    `CREATE OR REPLACE VIEW bars AS SELECT 1`,
    `CREATE MACRO m() AS 1`,
    `CREATE SECRET s (TYPE s3, KEY_ID 'x', SECRET 'y')`,
    `DROP VIEW bars`,
    `ALTER VIEW bars RENAME TO b`,
    `INSERT INTO bars SELECT * FROM bars`,
    `UPDATE bars SET close = 0`,
    `DELETE FROM bars`,
    `TRUNCATE bars`,
    `SET allowed_paths = []`,
    `SET lock_configuration = false`,
    `RESET allowed_directories`,
    `PRAGMA threads=1`,
    `INSTALL httpfs`,
    `LOAD httpfs`,
    `FORCE INSTALL httpfs`,
    `CALL pragma_version()`,
    `CHECKPOINT`,
    `VACUUM`,
    `BEGIN TRANSACTION`,
    `PREPARE p AS SELECT 1`,
    `USE memory`,
    `ANALYZE`,
    `SELECT * FROM query(${q(copyFile)})`,
    `SELECT * FROM query_table(${q('bars')})`,
    `SELECT 1; ${copyFile}`,
    `SELECT 1 /* ; */; ${copyFile}`,
    `PIVOT bars ON symbol USING count(*)`,
    `UPDATE_EXTENSIONS`,
  ];
}

describe('a read-only query is read-only', () => {
  it('has a corpus of at least 40 write attempts', () => {
    expect(corpus().length).toBeGreaterThanOrEqual(40);
  });

  for (const [i, sql] of corpus().entries()) {
    it(`#${i} ${sql.replace(/\s+/g, ' ').slice(0, 90)}`, async () => {
      const r = await run(sql).then(
        (v) => ({ ok: true as const, v }),
        (e: unknown) => ({ ok: false as const, e }),
      );
      // reads in disguise (query_table over a view) may run; anything else must be refused
      if (r.ok) expect(sql).toMatch(/^SELECT \* FROM query_table/);
      else expect((r.e as { code?: string }).code).toMatch(/^E_(READ_ONLY|BAD_INPUT|QUERY)$/);
      expect(snapshot(tmp.dir)).toEqual(before);
    });
  }

  it('still answers reads, EXPLAIN and EXPLAIN ANALYZE of a SELECT', async () => {
    expect((await run(COUNTS)).rows).toEqual(counts);
    expect((await run(`SELECT count(*) FROM bars WHERE timeframe = '1m' AND symbol = 'AAA'`)).rows).toEqual([[2 * 390]]);
    expect((await run('EXPLAIN SELECT count(*) FROM bars')).rowCount).toBeGreaterThan(0);
    const a = await run('EXPLAIN ANALYZE SELECT count(*) FROM bars');
    expect(JSON.stringify(a.rows)).toMatch(/Total Time|QUERY PROFILING/i);
    expect((await run('explain (format json, analyze) select 1')).rowCount).toBeGreaterThan(0);
    expect(snapshot(tmp.dir)).toEqual(before);
    expect((await run(COUNTS)).rows).toEqual(counts);
  });

  it('refuses EXPLAIN ANALYZE of a write with a one-line read-only message', async () => {
    const e = (await run(`EXPLAIN ANALYZE COPY (SELECT 1) TO ${q(file())}`).catch((x: unknown) => x)) as Error & { code: string };
    expect(e.code).toBe('E_READ_ONLY');
    expect(e.message).toMatch(/^refused: queries are read-only; COPY/);
    expect(e.message).not.toContain('\n');
  });

  it('splits EXPLAIN prefixes past comments, casing and options', () => {
    expect(splitExplain('select 1')).toBeUndefined();
    expect(splitExplain('/* a */ explain -- b\n analyse select 1')).toEqual({ analyze: true, format: undefined, inner: ' select 1' });
    expect(splitExplain('EXPLAIN (format JSON, analyze) SELECT 1')).toEqual({ analyze: true, format: 'JSON', inner: ' SELECT 1' });
    expect(() => splitExplain('EXPLAIN (SETTINGS) SELECT 1')).toThrow(/not supported/);
  });

  it('property: any wrapping of a write is refused and changes nothing', async () => {
    const f = q(file());
    const writes = [
      `COPY (SELECT 1 AS a) TO ${f} (FORMAT parquet, USE_TMP_FILE false)`,
      `COPY (SELECT 1 AS a, 'x' AS p) TO ${q(bars)} (FORMAT parquet, PARTITION_BY (p), OVERWRITE true)`,
      `CREATE TABLE t AS SELECT 1`,
      `ATTACH ${f} AS x`,
      `SET lock_configuration = false`,
    ];
    const gap = fc.constantFrom(' ', '\n', '\t', ' /* x */ ', ' -- y\n', ' /* /* z */ */ ');
    const kw = (w: string) => fc.constantFrom(w, w.toLowerCase(), w[0] + w.slice(1).toLowerCase());
    const prefix = fc.oneof(
      fc.constant(''),
      fc.tuple(gap, kw('EXPLAIN'), gap).map((t) => t.join('')),
      fc.tuple(gap, kw('EXPLAIN'), gap, kw('ANALYZE'), gap).map((t) => t.join('')),
      fc.tuple(kw('EXPLAIN'), gap, fc.constantFrom('(ANALYZE)', '(analyze, format json)', '(FORMAT text, ANALYSE)'), gap).map((t) => t.join('')),
    );
    await fc.assert(
      fc.asyncProperty(prefix, fc.constantFrom(...writes), fc.boolean(), fc.constantFrom('', ';', ' ;\n'), async (pre, write, paren, tail) => {
        const sql = `${pre}${paren ? `(${write})` : write}${tail}`;
        await expect(run(sql)).rejects.toBeTruthy();
        expect(snapshot(tmp.dir)).toEqual(before);
      }),
      { numRuns: 60 },
    );
  });

  it('universe rules (predicates and queries) cannot write either', async () => {
    const f = q(file());
    for (const rule of [
      `1=1) ; COPY (SELECT 1 AS a) TO ${f} (USE_TMP_FILE false); SELECT (1`,
      `EXPLAIN ANALYZE COPY (SELECT 1 AS a) TO ${f}`,
      `COPY (SELECT 1 AS a, 'x' AS p) TO ${q(bars)} (FORMAT parquet, PARTITION_BY (p), OVERWRITE true)`,
      `SELECT symbol FROM bars) ; DROP VIEW bars; SELECT (1`,
      `symbol IN (SELECT * FROM query(${q(`COPY (SELECT 1) TO ${f}`)}))`,
    ]) {
      await expect(evaluateRule(svc, rule)).rejects.toMatchObject({ code: 'E_BAD_INPUT' });
      expect(snapshot(tmp.dir)).toEqual(before);
    }
    expect((await evaluateRule(svc, 'sessions >= 1')).symbols).toEqual(['AAA', 'BBB']);
  });

  it('the second wall: the query engine cannot write even a statement the guard never sees', async () => {
    // Run straight on a leased connection (no guard): the instance may touch only the lake's files by path, its
    // configuration locked.
    const lease = await svc.lease();
    try {
      for (const sql of [
        `COPY (SELECT 1 AS a, 'x' AS p) TO ${q(bars)} (FORMAT parquet, PARTITION_BY (p), OVERWRITE true)`,
        `COPY (SELECT 1 AS a) TO ${q(file())}`,
        `COPY (SELECT 1 AS a) TO ${q(path.join(bars, 'new.parquet'))}`,
        `SET allowed_directories = [${q(lake)}]`,
        `SET lock_configuration = false`,
        `SELECT * FROM read_parquet(${q(path.join(bars, '**', '*.parquet'))})`,
      ]) {
        await expect(lease.conn.run(sql)).rejects.toThrow(/Permission|disabled by configuration|locked/);
      }
    } finally {
      lease.release();
    }
    expect(snapshot(tmp.dir)).toEqual(before);
  });
});
