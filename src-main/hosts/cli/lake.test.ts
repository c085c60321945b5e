import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTmpDir, type TmpDir } from '../../testing/tmp';
import { runCli } from './testing';

// The lake catalog through the CLI, in-process, on real lakes: one type per column everywhere, a damaged file that stops
// only the queries that need it, a stray file that changes no answer, `lake verify` and `lake repair`.

let tmp: TmpDir;
beforeEach(() => {
  tmp = makeTmpDir('mp-lake-');
});
afterEach(() => tmp.cleanup());

const INGEST = ['ingest', '--provider', 'fake', '--symbols', 'AAPL,MSFT', '--start', '2024-01-02', '--end', '2024-01-05'];

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const parquetFiles = (dataDir: string) => walk(path.join(dataDir, 'lake', 'bars')).filter((f) => f.endsWith('.parquet')).sort();
const partDir = (dataDir: string, tf: string, symbol: string) => path.join(dataDir, 'lake', 'bars', `timeframe=${tf}`, 'provider=fake', 'feed=sim', `symbol=${symbol}`, 'year=2024');
/** The partition's one data file (these tests write each partition once), or where a stray one would go. */
const barsFile = (dataDir: string, tf: string, symbol: string) => {
  const dir = partDir(dataDir, tf, symbol);
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.parquet')) : [];
  expect(names.length).toBeLessThanOrEqual(1);
  return path.join(dir, names[0] ?? 'data.parquet');
};

/** Every bar of the lake, as CSV (the lake's whole content, in a fixed order). */
async function lakeContent(dataDir: string): Promise<string> {
  const r = await runCli(dataDir, ['query', 'SELECT * FROM bars_all ORDER BY timeframe, provider, feed, symbol, ts', '--format', 'csv']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

async function withDuck<T>(fn: (run: (sql: string) => Promise<unknown[][]>) => Promise<T>): Promise<T> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    return await fn(async (sql) => (await conn.runAndReadAll(sql)).getRows());
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

describe('the lake catalog', () => {
  it('writes every column with one type in every file: an independent scan of the whole lake agrees', async () => {
    const dataDir = path.join(tmp.dir, 'data');
    const r = await runCli(dataDir, INGEST);
    expect(r.code, r.stderr).toBe(0);
    const files = parquetFiles(dataDir);
    expect(new Set(files.map((f) => /timeframe=(\w+)/.exec(f)![1]))).toEqual(new Set(['1m', '5m', '15m', '30m', '1h', '1d']));
    const list = files.map((f) => `'${f}'`).join(', ');
    await withDuck(async (run) => {
      // per column, the distinct Parquet types (physical and logical) over every file of the tree: exactly one each
      const types = await run(`SELECT name, count(DISTINCT concat_ws('/', type, converted_type, logical_type::VARCHAR)) AS n, count(DISTINCT file_name) AS files
        FROM parquet_schema([${list}]) WHERE name <> 'duckdb_schema' GROUP BY name ORDER BY name`);
      expect(types.map(([name, n, f]) => [name, Number(n), Number(f)])).toEqual(
        ['close', 'high', 'low', 'open', 'session', 'trade_count', 'ts', 'volume', 'vwap'].map((c) => [c, 1, files.length]),
      );
      const tc = await run(`SELECT DISTINCT type FROM parquet_schema([${list}]) WHERE name = 'trade_count'`);
      expect(tc).toEqual([['INT64']]);
      // a scan that refuses files whose columns disagree (as Spark or Polars would)
      const n = await run(`SELECT count(*) FROM read_parquet('${path.join(dataDir, 'lake', 'bars')}/**/*.parquet', union_by_name = false, hive_partitioning = true)`);
      expect(Number(n[0]![0])).toBe(4120);
      // the DDL in docs/data.md matches the files' real schema
      const described = await run(`DESCRIBE SELECT * FROM read_parquet('${files[0]}', hive_partitioning = false)`);
      expect(described.map((row) => `${String(row[0])} ${String(row[1])}`)).toEqual([
        'ts TIMESTAMP WITH TIME ZONE', 'open DOUBLE', 'high DOUBLE', 'low DOUBLE', 'close DOUBLE', 'volume DOUBLE', 'trade_count BIGINT', 'vwap DOUBLE', 'session VARCHAR',
      ]);
    });
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'data.md'), 'utf8');
    expect(doc).toMatch(/trade_count\s+BIGINT/);
    const v = await runCli(dataDir, ['lake', 'verify']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^lake ok: 12 file\(s\), 4120 bars/);

    // the catalog lists exactly the tree's files, each with its real size and sha256, and a partition's rewrite
    // (aggregate again) replaces its row
    const rows = () => {
      const db = new Database(path.join(dataDir, 'marketpipe.db'), { readonly: true });
      try {
        return db.prepare(`SELECT path, rows, bytes, sha256, schema_version, status FROM lake_files WHERE end_snapshot IS NULL ORDER BY path`).all() as { path: string; rows: number; bytes: number; sha256: string; schema_version: number; status: string }[];
      } finally {
        db.close();
      }
    };
    const bars = path.join(dataDir, 'lake', 'bars');
    const catalogued = rows();
    expect(catalogued.map((r) => path.join(bars, r.path))).toEqual(files);
    for (const r of catalogued) {
      const bytes = fs.readFileSync(path.join(bars, r.path));
      expect(r).toMatchObject({ bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), schema_version: 2, status: 'ok' });
    }
    expect(catalogued.reduce((n, r) => n + r.rows, 0)).toBe(4120);
    expect((await runCli(dataDir, ['aggregate', '--timeframes', '1d'])).code).toBe(0);
    expect(rows()).toHaveLength(12);
  });

  it('a truncated file stops only the queries that need it; verify names it, repair quarantines it, a re-ingest restores a clean lake', async () => {
    const clean = path.join(tmp.dir, 'clean');
    expect((await runCli(clean, INGEST)).code).toBe(0);
    const want = await lakeContent(clean);

    const dataDir = path.join(tmp.dir, 'data');
    expect((await runCli(dataDir, INGEST)).code).toBe(0);
    const victim = barsFile(dataDir, '1m', 'MSFT');
    fs.truncateSync(victim, Math.floor(fs.statSync(victim).size / 2));
    const rel = path.relative(dataDir, victim);

    const other = await runCli(dataDir, ['query', "SELECT count(*) AS n FROM bars WHERE symbol = 'AAPL' AND timeframe = '1m'", '--format', 'csv']);
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toBe('n\n1560\n');
    const daily = await runCli(dataDir, ['query', "SELECT count(*) AS n FROM bars WHERE timeframe = '1d'", '--format', 'csv']);
    expect(daily.stdout).toBe('n\n8\n');
    const needs = await runCli(dataDir, ['query', "SELECT count(*) FROM bars WHERE symbol = 'MSFT' AND timeframe = '1m'"]);
    expect(needs.code).toBe(1);
    expect(needs.stderr.trim().split('\n')).toHaveLength(1);
    expect(needs.stderr).toContain(rel);
    expect(needs.stderr).toContain('marketpipe lake repair');

    const v = await runCli(dataDir, ['lake', 'verify']);
    expect(v.code).toBe(1);
    expect(v.stdout.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^size: ${rel.replace(/[.]/g, '\\.')}: `))]);
    const vj = JSON.parse((await runCli(dataDir, ['lake', 'verify', '--json'])).stdout) as { ok: boolean; problems: { file: string; kind: string }[] };
    expect(vj).toMatchObject({ ok: false, problems: [{ file: rel, kind: 'size' }] });

    const rep = await runCli(dataDir, ['lake', 'repair']);
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stdout).toContain(`quarantined ${rel} -> ${path.join('quarantine', rel)}`);
    expect(rep.stdout).toContain('marketpipe ingest --provider fake --feed sim --symbols MSFT --timeframe 1m --start 2024-01-02 --end 2024-01-05');
    expect(fs.existsSync(path.join(dataDir, 'quarantine', rel))).toBe(true);
    expect(fs.existsSync(victim)).toBe(false);
    expect((await runCli(dataDir, ['lake', 'verify'])).code).toBe(0);

    // coverage forgot MSFT's sessions: the same command fetches them again, and the lake equals a clean run's
    const again = await runCli(dataDir, INGEST);
    expect(again.code, again.stderr).toBe(0);
    expect(await lakeContent(dataDir)).toBe(want);
    expect((await runCli(dataDir, ['lake', 'verify'])).code).toBe(0);
  });

  it('a stray Parquet file of another schema changes no answer, is reported by verify and quarantined by repair', async () => {
    const dataDir = path.join(tmp.dir, 'data');
    expect((await runCli(dataDir, INGEST)).code).toBe(0);
    const before = await lakeContent(dataDir);
    const agg0 = await runCli(dataDir, ['query', 'SELECT timeframe, count(*) AS n, sum(volume) AS v FROM bars GROUP BY 1 ORDER BY 1', '--format', 'csv']);
    // a foreign file where a partition's file would be, and one under a folder of its own
    const strays = [path.join(dataDir, 'lake', 'bars', 'timeframe=1m', 'provider=fake', 'feed=sim', 'symbol=ZZZZ', 'year=2024', 'data.parquet'), path.join(dataDir, 'lake', 'bars', 'junk.parquet')];
    await withDuck(async (run) => {
      for (const s of strays) {
        fs.mkdirSync(path.dirname(s), { recursive: true });
        await run(`COPY (SELECT 'x' AS a, 42 AS ts, 1.5 AS volume) TO '${s}' (FORMAT parquet)`);
      }
    });
    expect(await lakeContent(dataDir)).toBe(before);
    expect((await runCli(dataDir, ['query', 'SELECT timeframe, count(*) AS n, sum(volume) AS v FROM bars GROUP BY 1 ORDER BY 1', '--format', 'csv'])).stdout).toBe(agg0.stdout);
    const a = await runCli(dataDir, ['aggregate', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const val = await runCli(dataDir, ['validate', '--json']);
    expect(val.code, val.stderr).toBe(0);

    const v = await runCli(dataDir, ['lake', 'verify']);
    expect(v.code).toBe(1);
    expect(v.stdout.trim().split('\n').sort()).toEqual(strays.map((s) => expect.stringContaining(`foreign: ${path.relative(dataDir, s)}`)).reverse());
    const rep = await runCli(dataDir, ['lake', 'repair']);
    expect(rep.code, rep.stderr).toBe(0);
    for (const s of strays) {
      expect(fs.existsSync(s)).toBe(false);
      expect(fs.existsSync(path.join(dataDir, 'quarantine', path.relative(dataDir, s)))).toBe(true);
    }
    expect((await runCli(dataDir, ['lake', 'verify'])).code).toBe(0);
    expect(await lakeContent(dataDir)).toBe(before);
  });

  it('adopts a lake written before the catalog (resumably), rewriting files of the older schema, and repair rebuilds a derived file from its 1m bars', async () => {
    const dataDir = path.join(tmp.dir, 'data');
    expect((await runCli(dataDir, INGEST)).code).toBe(0);
    const before = await lakeContent(dataDir);
    // as an older build left it: no catalog, an aggregate with trade_count DOUBLE and no session, a foreign file
    const db = new Database(path.join(dataDir, 'marketpipe.db'));
    db.exec(`DELETE FROM lake_files; DELETE FROM lake_catalog_state;`);
    db.close();
    const old = barsFile(dataDir, '5m', 'AAPL');
    const foreign = barsFile(dataDir, '1h', 'ZZZZ');
    fs.mkdirSync(path.dirname(foreign), { recursive: true });
    await withDuck(async (run) => {
      await run(`COPY (SELECT ts, open, high, low, close, volume, trade_count::DOUBLE AS trade_count, vwap FROM read_parquet('${old}', hive_partitioning = false)) TO '${old}.x' (FORMAT parquet)`);
      await run(`COPY (SELECT 1 AS a) TO '${foreign}' (FORMAT parquet)`);
    });
    fs.renameSync(`${old}.x`, old);

    const v = await runCli(dataDir, ['lake', 'verify']);
    expect(v.code).toBe(1);
    expect(v.stdout.trim().split('\n')).toEqual([`foreign: ${path.relative(dataDir, foreign)}: a data file the catalog does not list`]);
    await withDuck(async (run) => {
      const tc = await run(`SELECT DISTINCT type FROM parquet_schema('${path.join(dataDir, 'lake', 'bars')}/timeframe=*/provider=fake/**/*.parquet') WHERE name = 'trade_count'`);
      expect(tc).toEqual([['INT64']]);
    });
    expect(await lakeContent(dataDir)).toBe(before);

    // an adoption cut short resumes: the files not yet catalogued are registered on the next start
    const db2 = new Database(path.join(dataDir, 'marketpipe.db'));
    db2.exec(`DELETE FROM lake_files WHERE symbol = 'MSFT'; DELETE FROM lake_catalog_state;`);
    db2.close();
    expect((await runCli(dataDir, ['lake', 'repair'])).code).toBe(0);
    const ok = await runCli(dataDir, ['lake', 'verify']);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/^lake ok: 12 file\(s\), 4120 bars/);

    // a damaged derived file whose 1m bars are intact is rebuilt by repair itself
    const hourly = barsFile(dataDir, '1h', 'MSFT');
    fs.writeFileSync(hourly, 'not parquet');
    const rep = await runCli(dataDir, ['lake', 'repair']);
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stdout).toMatch(/rebuilt (\w+,)*1h(,\w+)* of MSFT \(fake\/sim\) 2024, from its 1m bars/);
    expect(await lakeContent(dataDir)).toBe(before);
    expect((await runCli(dataDir, ['lake', 'verify'])).code).toBe(0);
  });

  it('says what is lost when a CSV-sourced file is damaged', async () => {
    const dataDir = path.join(tmp.dir, 'data');
    const source = path.join(__dirname, '..', '..', 'providers', 'csv', 'fixtures', 'two_symbols.csv');
    const imp = await runCli(dataDir, ['ingest', '--provider', 'csv', '--source', source, '--no-pipeline']);
    expect(imp.code, imp.stderr).toBe(0);
    const file = parquetFiles(dataDir).find((f) => f.includes('provider=csv'))!;
    fs.truncateSync(file, 10);
    const rep = await runCli(dataDir, ['lake', 'repair']);
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stdout).toContain(`quarantined ${path.relative(dataDir, file)}`);
    expect(rep.stdout).toMatch(/^lost: the \w+ bars of \S+ from csv .*only the original CSV can restore them/m);
  });
});
