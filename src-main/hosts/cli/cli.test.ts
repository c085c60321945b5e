import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneLineError, lines, runCli, useCliTestDir } from './testing';

// The CLI in-process: the same run(argv, io) the bin calls, with collected streams and a temp data dir per test.

const cli = runCli;

const INGEST = ['ingest', '--provider', 'fake', '--symbols', 'AAPL,MSFT', '--start', '2024-01-02', '--end', '2024-01-05'];

const tmp = useCliTestDir('mp-cli-');

describe('help and version', () => {
  it('--help exits 0, prints usage and creates no file', async () => {
    const r = await cli(tmp.dataDir, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: marketpipe/);
    expect(r.stdout).toMatch(/ingest/);
    expect(r.stderr).toBe('');
    expect(fs.existsSync(tmp.dataDir)).toBe(false);
  });

  it('subcommand --help exits 0 and creates no file', async () => {
    const r = await cli(tmp.dataDir, ['ingest', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--provider/);
    expect(fs.existsSync(tmp.dataDir)).toBe(false);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string };
    const r = await cli(tmp.dataDir, ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
    expect(fs.existsSync(tmp.dataDir)).toBe(false);
  });
});

describe('bad input: exit 2, one line on stderr, nothing created', () => {
  const withIngest = (patch: Record<string, string>, extra: string[] = []): string[] => {
    const args = [...INGEST];
    for (const [flag, value] of Object.entries(patch)) {
      const i = args.indexOf(flag);
      if (i < 0) throw new Error(`no ${flag} in the base args`);
      args[i + 1] = value;
    }
    return [...args, ...extra];
  };

  const cases: { name: string; args: string[]; mentions: RegExp }[] = [
    { name: 'malformed date 2024-13-01', args: withIngest({ '--start': '2024-13-01' }), mentions: /start/ },
    { name: 'impossible date 2024-02-30', args: withIngest({ '--end': '2024-02-30' }), mentions: /end/ },
    { name: 'date not YYYY-MM-DD', args: withIngest({ '--start': '2024/01/02' }), mentions: /YYYY-MM-DD/ },
    { name: 'start after end', args: withIngest({ '--start': '2024-01-05', '--end': '2024-01-02' }), mentions: /start is after end/ },
    { name: 'unknown provider', args: withIngest({ '--provider': 'nope' }), mentions: /unknown provider "nope"/ },
    { name: "bad symbol 'A$B'", args: withIngest({ '--symbols': 'AAPL,A$B' }), mentions: /A\$B/ },
    { name: 'symbol longer than 15 chars', args: withIngest({ '--symbols': 'ABCDEFGHIJKLMNOP' }), mentions: /ABCDEFGHIJKLMNOP/ },
    { name: 'non-numeric --workers', args: withIngest({}, ['--workers', 'many']), mentions: /--workers/ },
    { name: 'out-of-range --workers', args: withIngest({}, ['--workers', '0']), mentions: /--workers/ },
    { name: 'non-numeric --batch-size', args: withIngest({}, ['--batch-size', '10k']), mentions: /--batch-size/ },
    { name: 'missing required option', args: ['ingest', '--provider', 'fake'], mentions: /--symbols/ },
    { name: '--timeout abc', args: ['query', 'SELECT 1', '--timeout', 'abc'], mentions: /--timeout/ },
    { name: '--timeout -1', args: ['query', 'SELECT 1', '--timeout', '-1'], mentions: /--timeout/ },
    { name: 'bad --format', args: ['query', 'SELECT 1', '--format', 'xml'], mentions: /xml/ },
    { name: 'unknown option', args: [...INGEST, '--bogus'], mentions: /--bogus/ },
    { name: 'unknown option close to a known one', args: [...INGEST, '--jsonn'], mentions: /--jsonn/ },
    { name: 'unknown command', args: ['frobnicate'], mentions: /frobnicate/ },
    { name: '--output into a folder that does not exist', args: ['query', 'SELECT 1', '--output', '/nonexistent-mp-dir/x.csv'], mentions: /does not exist/ },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const r = await cli(tmp.dataDir, c.args);
      const line = expectOneLineError(r, 2);
      expect(line).toMatch(c.mentions);
      expect(r.stdout).toBe('');
      expect(fs.existsSync(tmp.dataDir), `${tmp.dataDir} was created`).toBe(false);
    });
  }

  it('a bad MP_LOG_LEVEL is a one-line error too', async () => {
    const r = await cli(tmp.dataDir, ['jobs'], { MP_LOG_LEVEL: 'loud' });
    expect(expectOneLineError(r, 2)).toMatch(/MP_LOG_LEVEL/);
  });
});

describe('ingest and query', () => {
  interface Summary {
    jobId: string;
    status: string;
    rowsWritten: number;
    symbols: string[];
    dataDir: string;
    error: unknown;
  }

  async function ingest(): Promise<Summary> {
    const r = await cli(tmp.dataDir, [...INGEST, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
    return JSON.parse(r.stdout) as Summary;
  }

  async function queryJson(sql: string): Promise<Record<string, unknown>[]> {
    const r = await cli(tmp.dataDir, ['query', sql, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as Record<string, unknown>[];
  }

  it('ingest --json prints one summary; ingesting again is idempotent', async () => {
    const first = await ingest();
    expect(first).toMatchObject({ status: 'succeeded', rowsWritten: 3120, symbols: ['AAPL', 'MSFT'], error: null });
    expect(first.dataDir).toBe(path.resolve(tmp.dataDir));

    const count = async () => (await queryJson(`SELECT count(*) AS n FROM bars WHERE timeframe = '1m'`))[0]?.n;
    expect(await count()).toBe(3120);

    const second = await ingest();
    expect(second.status).toBe('succeeded');
    expect(second.jobId).not.toBe(first.jobId);
    expect(await count()).toBe(3120);
    const dups = await queryJson('SELECT count(*) - count(DISTINCT (symbol, timeframe, ts)) AS dups FROM bars');
    expect(dups).toEqual([{ dups: 0 }]);
    const perDay = await queryJson(
      `SELECT symbol, count(*) AS n FROM bars WHERE timeframe = '1m' GROUP BY symbol, CAST(ts AT TIME ZONE 'America/New_York' AS DATE) ORDER BY ALL`,
    );
    expect(perDay).toHaveLength(8);
    expect(perDay.every((r) => r.n === 390)).toBe(true);
  });

  it('query formats: json rows, csv with header, table, --output to a file', async () => {
    await ingest();
    const sql = `SELECT symbol, count(*) AS n FROM bars WHERE timeframe = '1m' GROUP BY symbol ORDER BY symbol`;

    expect(await queryJson(sql)).toEqual([
      { symbol: 'AAPL', n: 1560 },
      { symbol: 'MSFT', n: 1560 },
    ]);

    const csv = await cli(tmp.dataDir, ['query', sql, '--format', 'csv']);
    expect(csv.code).toBe(0);
    expect(lines(csv.stdout)).toEqual(['symbol,n', 'AAPL,1560', 'MSFT,1560']);

    const table = await cli(tmp.dataDir, ['query', sql]);
    expect(table.code).toBe(0);
    expect(lines(table.stdout)[0]).toMatch(/^symbol\s+n$/);
    expect(table.stdout).toMatch(/\(2 rows\)/);

    const empty = await queryJson(`SELECT * FROM bars WHERE symbol = 'NOPE'`);
    expect(empty).toEqual([]);

    const file = path.join(tmp.dir, 'out.csv');
    const toFile = await cli(tmp.dataDir, ['query', sql, '--format', 'csv', '--output', file]);
    expect(toFile.code).toBe(0);
    expect(toFile.stdout).toBe('');
    expect(fs.readFileSync(file, 'utf8')).toBe('symbol,n\nAAPL,1560\nMSFT,1560\n');
    // written through a temp name: nothing else is left beside it
    expect(fs.readdirSync(tmp.dir).sort()).toEqual(['data', 'out.csv']);

    // a failing query with --output leaves neither the file nor its temp behind
    const failed = await cli(tmp.dataDir, ['query', 'SELECT nope', '--output', path.join(tmp.dir, 'bad.csv')]);
    expectOneLineError(failed, 1);
    expect(fs.readdirSync(tmp.dir).sort()).toEqual(['data', 'out.csv']);
  });

  it('query on a fresh data dir sees an empty bars view', async () => {
    expect(await queryJson('SELECT count(*) AS n FROM bars')).toEqual([{ n: 0 }]);
  });

  describe('write statements are refused (exit 2, one line, read-only)', () => {
    const copyTarget = () => path.join(tmp.dataDir, 'x.csv');
    const statements: { name: string; sql: () => string }[] = [
      { name: 'CREATE TABLE', sql: () => 'CREATE TABLE t AS SELECT 1 AS x' },
      { name: 'COPY … TO a file', sql: () => `COPY (SELECT 1) TO '${copyTarget()}'` },
      { name: 'COPY … TO a file inside the lake', sql: () => `COPY (SELECT 1) TO '${path.join(tmp.dataDir, 'lake', 'x.csv')}'` },
      { name: 'ATTACH', sql: () => `ATTACH '${path.join(tmp.dataDir, 'other.duckdb')}' AS other` },
      { name: 'INSTALL httpfs', sql: () => 'INSTALL httpfs' },
      { name: 'SET threads=1', sql: () => 'SET threads=1' },
      { name: 'EXPORT DATABASE', sql: () => `EXPORT DATABASE '${path.join(tmp.dataDir, 'export')}'` },
      { name: 'LOAD', sql: () => 'LOAD parquet' },
      { name: 'PRAGMA', sql: () => 'PRAGMA threads=1' },
      { name: 'INSERT into the bars view', sql: () => 'INSERT INTO bars SELECT * FROM bars' },
      { name: 'behind a comment', sql: () => `/* hi */ COPY (SELECT 1) TO '${copyTarget()}'` },
      { name: 'EXPLAIN ANALYZE of a COPY', sql: () => `EXPLAIN ANALYZE COPY (SELECT 1) TO '${copyTarget()}'` },
    ];
    for (const s of statements) {
      it(s.name, async () => {
        await cli(tmp.dataDir, ['migrate']);
        const r = await cli(tmp.dataDir, ['query', s.sql()]);
        expect(expectOneLineError(r, 2)).toMatch(/read-only/);
        expect(r.stdout).toBe('');
        expect(fs.existsSync(copyTarget())).toBe(false);
        expect(fs.existsSync(path.join(tmp.dataDir, 'lake', 'x.csv'))).toBe(false);
        expect(fs.existsSync(path.join(tmp.dataDir, 'other.duckdb'))).toBe(false);
        expect(fs.existsSync(path.join(tmp.dataDir, 'export'))).toBe(false);
      });
    }

    it('two statements at once are refused', async () => {
      const r = await cli(tmp.dataDir, ['query', 'SELECT 1; SELECT 2']);
      expect(expectOneLineError(r, 2)).toMatch(/one statement/);
    });

    it('reading a file outside the lake is refused', async () => {
      const outside = path.join(tmp.dir, 'secret.csv');
      fs.writeFileSync(outside, 'a\n1\n');
      const r = await cli(tmp.dataDir, ['query', `SELECT * FROM read_csv('${outside}')`]);
      expectOneLineError(r, 2);
      expect(r.stdout).toBe('');
    });
  });

  it('--timeout cancels a long query: exit 1, message says cancelled', async () => {
    const r = await cli(tmp.dataDir, ['query', 'SELECT count(*) FROM range(100000000000) a, range(100) b', '--timeout', '0.5']);
    expect(expectOneLineError(r, 1)).toMatch(/cancelled/);
    expect(r.stdout).toBe('');
  });

  it('a SQL error is exit 1 with one line', async () => {
    const r = await cli(tmp.dataDir, ['query', 'SELECT no_such_column FROM bars']);
    expect(expectOneLineError(r, 1)).toMatch(/no_such_column/);
  });
});

describe('migrate, jobs, providers', () => {
  it('migrate --status before, migrate, then --status shows 0001_init.sql applied', async () => {
    const before = await cli(tmp.dataDir, ['migrate', '--status']);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/^pending\s+0001_init\.sql$/m);
    // --status changes nothing, not even creating the database
    expect(fs.existsSync(tmp.dataDir)).toBe(false);

    const m = await cli(tmp.dataDir, ['migrate']);
    expect(m.code).toBe(0);
    expect(m.stdout).toMatch(/applied 0001_init\.sql/);

    const again = await cli(tmp.dataDir, ['migrate', '--json']);
    expect(JSON.parse(again.stdout)).toEqual({ applied: [] });

    const st = await cli(tmp.dataDir, ['migrate', '--status']);
    expect(st.code).toBe(0);
    expect(st.stdout).toMatch(/^applied\s+0001_init\.sql/m);

    const json = await cli(tmp.dataDir, ['migrate', '--status', '--json']);
    const list = JSON.parse(json.stdout) as { name: string; state: string; appliedAt: string | null }[];
    expect(list.find((x) => x.name === '0001_init.sql')).toMatchObject({ state: 'applied' });
    expect(list.find((x) => x.name === '0001_init.sql')?.appliedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('jobs --json lists the ingest job', async () => {
    const empty = await cli(tmp.dataDir, ['jobs', '--json']);
    expect(empty.code).toBe(0);
    expect(JSON.parse(empty.stdout)).toEqual([]);

    const ing = await cli(tmp.dataDir, [...INGEST, '--json']);
    const { jobId } = JSON.parse(ing.stdout) as { jobId: string };
    const r = await cli(tmp.dataDir, ['jobs', '--json']);
    expect(r.code).toBe(0);
    const jobs = JSON.parse(r.stdout) as { id: string; status: string; progress: number; rowsWritten: number; symbols: string[] }[];
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ id: jobId, status: 'succeeded', progress: 100, rowsWritten: 3120, symbols: ['AAPL', 'MSFT'] });

    const text = await cli(tmp.dataDir, ['jobs']);
    expect(text.stdout).toContain(jobId);
    expect(text.stdout).toMatch(/succeeded/);
  });

  it('providers --json lists fake, configured, and touches no disk', async () => {
    const r = await cli(tmp.dataDir, ['providers', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; configured: boolean; timeframes: string[] }[];
    expect(list.find((p) => p.name === 'fake')).toMatchObject({ configured: true, timeframes: ['1m'] });
    expect(fs.existsSync(tmp.dataDir)).toBe(false);
  });
});

describe('the built binary', () => {
  const repo = path.resolve(__dirname, '../../..');
  const bin = path.join(repo, 'bin', 'marketpipe.cjs');

  // needs `npm run build` (npm test builds first); without it the bin says so on stderr and this test fails
  it('node bin/marketpipe.cjs --help exits 0 and creates no data dir', async () => {
    const fresh = path.join(tmp.dir, 'from-env');
    const child = spawn(process.execPath, [bin, '--help'], {
      cwd: repo,
      env: { PATH: process.env.PATH ?? '', MP_DATA_DIR: fresh },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c) => resolve(c));
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: marketpipe/);
    expect(fs.existsSync(fresh)).toBe(false);
  });
});
