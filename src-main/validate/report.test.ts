import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { parse } from 'csv-parse/sync';
import { makeTmpDir, type TmpDir } from '../testing/tmp';
import { openDb } from '../db/open';
import { migrate } from '../db/migrations';
import { sqlString } from '../lake/layout';
import { guardCell, REPORT_HEADER, reportFileName, writeReport } from './report';
import { runValidation } from './run';
import { ValidationStore } from './store';
import { readReport, sessionBars, writePartition } from './fixtures/lake';

let tmp: TmpDir;
beforeEach(() => (tmp = makeTmpDir('mp-report-')));
afterEach(() => tmp.cleanup());

const ROW = (symbol: string, message: string, value: string) =>
  `SELECT ${sqlString(symbol)} AS symbol, '1m' AS timeframe, '2024-01-02T14:30:00Z' AS ts, 'price_jump' AS rule, 'warning' AS severity,
     ${sqlString(message)} AS message, 'fake' AS provider, 'sim' AS feed, NULL::VARCHAR AS job_id, 'nyse-2026.1' AS calendar_version,
     ${value}::DOUBLE AS value, '{"a":1}' AS observed`;

describe('audit CSV', () => {
  it('header first, RFC 4180 quoting, formula guard on text only, loads back in DuckDB and csv-parse', async () => {
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    const file = path.join(tmp.dir, 'reports', 'r.csv');
    const tricky = 'a, "quoted"\nsecond line';
    await writeReport(conn, [ROW('AAA', tricky, '-0.25'), ROW('=HYPERLINK("x")', '+1 move', '2'), ROW('BBB', '@SUM(A1)', '3'), ROW('CCC', '\tx', '4'), ROW('DDD', '-5% drop', '-5')].join(' UNION ALL '), file);
    conn.closeSync();
    inst.closeSync();
    const text = fs.readFileSync(file, 'utf8');
    expect(text.split('\r\n')[0]).toBe(REPORT_HEADER.join(','));
    // RFC 4180: every record ends in CRLF; a bare LF appears only inside a quoted field
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/"(?:[^"]|"")*"/g, '').replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text).toContain('"a, ""quoted""\nsecond line"');
    // no temp file left beside it
    expect(fs.readdirSync(path.dirname(file))).toEqual(['r.csv']);

    const records = parse(text, { columns: true }) as Array<Record<string, string>>;
    // numbers stay numbers: a negative value is not prefixed
    expect(records.map((r) => [r.symbol, r.message, Number(r.value)])).toEqual([
      ['AAA', tricky, -0.25],
      [`'=HYPERLINK("x")`, "'+1 move", 2],
      ['BBB', "'@SUM(A1)", 3],
      ['CCC', "'\tx", 4],
      ['DDD', "'-5% drop", -5],
    ]);
    expect(records[4]!.value).toMatch(/^-5(\.0)?$/);
    const back = await readReport(file);
    expect(back.map((r) => [r.symbol, r.message, r.value, r.ts])).toEqual(records.map((r) => [r.symbol, r.message, Number(r.value), '2024-01-02T14:30:00Z']));
    // value is typed as a number when DuckDB sniffs the file
    const i2 = await DuckDBInstance.create(':memory:');
    const c2 = await i2.connect();
    const types = (await c2.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_csv(${sqlString(file)}))`)).getRows();
    expect(types.find((t) => t[0] === 'value')?.[1]).toBe('DOUBLE');
    c2.closeSync();
    i2.closeSync();
    expect(guardCell('=1+1')).toBe("'=1+1");
    expect(guardCell('ok')).toBe('ok');
  });

  it('parses with pandas when python3 and pandas are available', async (ctx) => {
    const file = path.join(tmp.dir, 'r.csv');
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    await writeReport(conn, ROW('AAA', 'x, "y"\nz', '1.5'), file);
    conn.closeSync();
    inst.closeSync();
    let out: string;
    try {
      out = execFileSync('python3', ['-c', `import pandas as pd, json; d = pd.read_csv(${JSON.stringify(file)}); print(json.dumps([list(d.columns), d["message"][0], float(d["value"][0])]))`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      ctx.skip('python3 with pandas is not available');
      return;
    }
    expect(JSON.parse(out)).toEqual([[...REPORT_HEADER], 'x, "y"\nz', 1.5]);
  });

  it('names the file by time and run id', () => {
    expect(reportFileName('ab12cd34', new Date('2024-01-02T03:04:05.678Z'))).toBe('validation-20240102T030405Z-ab12cd34.csv');
  });
});

describe('validation runs in SQLite (migration 0005)', () => {
  it('records each run with its scope, calendar version, provider, feed, report file and summary', async () => {
    const db = openDb(path.join(tmp.dir, 'meta.db'));
    migrate(db);
    const store = new ValidationStore(db);
    const barsRoot = path.join(tmp.dir, 'lake', 'bars');
    const bars = sessionBars('2024-01-02');
    bars[3] = { ...bars[3]!, volume: -1 };
    await writePartition(barsRoot, { timeframe: '1m', provider: 'fake', feed: 'sim', symbol: 'AAA', year: 2024 }, bars.slice(0, 300));
    const r = await runValidation({ barsRoot, reportDir: path.join(tmp.dir, 'reports'), now: Date.UTC(2024, 6, 1), jobId: 'job-1', store, scope: { symbols: ['AAA'] } });
    const saved = store.get(r.runId)!;
    expect(saved).toMatchObject({ id: r.runId, jobId: 'job-1', calendarVersion: 'nyse-2026.1', provider: 'fake', feed: 'sim', reportFile: r.reportFile, barsChecked: 300, findingsTotal: 2 });
    expect(saved.scope).toEqual({ symbols: ['AAA'] });
    expect(saved.counts).toEqual({ intraday_gap: { warning: 1 }, negative_volume: { error: 1 } });
    expect(store.summary(r.runId)).toEqual([
      { rule: 'intraday_gap', severity: 'warning', count: 1 },
      { rule: 'negative_volume', severity: 'error', count: 1 },
    ]);
    expect(store.list({ jobId: 'job-1' }).map((x) => x.id)).toEqual([r.runId]);
    expect(store.list({ jobId: 'other' })).toEqual([]);
    expect(store.get('nope')).toBeNull();
    const rows = await readReport(r.reportFile);
    expect(rows.every((x) => x.job_id === 'job-1' && x.calendar_version === 'nyse-2026.1')).toBe(true);
    db.close();
  });
});
