import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobAccounting } from '../../contract/schemas';
import { closeIdleSources } from '../../providers/csv';
import { runCli, type CliResult } from './testing';

// The hostile CSV corpus (issue "Hold under hostile load", item 5: no row is dropped silently). Each file is imported
// through the CLI into its own copy of a data dir that already holds bars of the same symbol and year (the partition a
// bad import could damage). A refused file must leave the lake byte for byte as it was, with one line naming file,
// line and column, exit 2; an accepted one must account for every row it held.

const HEADER = 'timestamp,open,high,low,close,volume';
const bar = (time: string, close = 100.5, day = '2024-01-02') => `${day} ${time},100,101,99,${close},1000`;

let root: string;
let seeded: string;
const ny = (day: string, hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  // January: New York is UTC-5
  return `${day}T${String(h! + 5).padStart(2, '0')}:${String(m!).padStart(2, '0')}:00Z`;
};

function write(name: string, text: string | Buffer): string {
  const file = path.join(root, 'corpus', name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

/** A fresh copy of the seeded data dir, for one case. */
function dataDirFor(name: string): string {
  const dir = path.join(root, 'cases', name);
  fs.cpSync(seeded, dir, { recursive: true });
  return dir;
}

/** Every file of the lake (relative path -> sha256), temp files included: what "nothing changed" compares. */
function lakeSnapshot(dataDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lake = path.join(dataDir, 'lake');
  const walk = (dir: string) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) walk(p);
      else out[path.relative(lake, p)] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  if (fs.existsSync(lake)) walk(lake);
  return out;
}

async function ingest(dataDir: string, file: string, more: string[] = []): Promise<CliResult> {
  const r = await runCli(dataDir, ['ingest', '--provider', 'csv', '--source', file, '--symbols', 'AAA', '--timeframe', '1m', '--no-pipeline', ...more]);
  // each case reads another file: the parsed copy of the last one need not stay open
  await closeIdleSources();
  return r;
}

async function accepted(name: string, text: string | Buffer): Promise<{ dataDir: string; summary: { status: string; rowsWritten: number; accounting: JobAccounting }; lakeBefore: Record<string, string> }> {
  const dataDir = dataDirFor(name);
  const lakeBefore = lakeSnapshot(dataDir);
  const r = await ingest(dataDir, write(`${name}/AAA.csv`, text), ['--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { dataDir, summary: JSON.parse(r.stdout) as never, lakeBefore };
}

/** A refused file: exit 2, one line naming the file (and, given, the line and column), and the lake untouched. */
async function refused(name: string, text: string | Buffer, message: RegExp): Promise<string> {
  const dataDir = dataDirFor(name);
  const before = lakeSnapshot(dataDir);
  const r = await ingest(dataDir, write(`${name}/AAA.csv`, text));
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^marketpipe: error: csv: AAA\.csv /);
  expect(lines[0]).toMatch(message);
  expect(lakeSnapshot(dataDir)).toEqual(before);
  return lines[0]!;
}

interface Finding {
  ts: string;
  rule: string;
  severity: string;
  message: string;
  observed: string;
}

/** The next `marketpipe validate` of the symbol: its findings, from the run's CSV report (read by DuckDB). */
async function validateFindings(dataDir: string): Promise<Finding[]> {
  const r = await runCli(dataDir, ['validate', '--symbols', 'AAA', '--json']);
  expect(r.code).toBe(0);
  const { reportFile } = JSON.parse(r.stdout) as { reportFile: string };
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const got = await conn.runAndReadAll(`SELECT ts, rule, severity, message, observed FROM read_csv('${reportFile}', header = true, all_varchar = true) ORDER BY ts, rule`);
    return got.getRowObjectsJson() as unknown as Finding[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

const sum = (a: JobAccounting) => a.stored + a.duplicates + a.outsideSessions + a.alreadyInLake + a.future + a.refused;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-hostile-'));
  seeded = path.join(root, 'seeded');
  // bars of the same symbol and year as every case: a refused import must leave this partition as it is
  const seed = write('seed/AAA.csv', [HEADER, ...['09:30', '09:31', '09:32', '09:33', '09:34'].map((t) => bar(t, 100.5, '2024-01-03'))].join('\n') + '\n');
  const r = await ingest(seeded, seed);
  expect(r.code).toBe(0);
  expect(Object.keys(lakeSnapshot(seeded)).some((f) => f.endsWith('.parquet'))).toBe(true);
}, 120_000);

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('hostile CSV corpus: refused whole, the lake unchanged byte for byte', () => {
  const ok = bar('09:30');
  it.each([
    ['inf', `${HEADER}\n${ok}\n${bar('09:31').replace('100.5', 'inf')}\n`, /line 3, column "close": "inf" is not a finite number/],
    ['nan', `${HEADER}\n${ok}\n${bar('09:31').replace('101', 'NaN')}\n`, /line 3, column "high": "NaN" is not a finite number/],
    ['overflow', `${HEADER}\n${ok}\n${bar('09:31').replace(',1000', ',1e400')}\n`, /line 3, column "volume": "1e400" is not a finite number/],
    ['negative-infinity', `${HEADER},vwap\n${ok},100\n${bar('09:31')},-Infinity\n`, /line 3, column "vwap": "-Infinity" is not a finite number/],
    ['nan-optional', `${HEADER},vwap\n${ok},100\n${bar('09:31')},nan\n`, /line 3, column "vwap": "nan" is not a finite number/],
    // a quoted field spanning lines: the line reported is the one an editor shows
    ['quoted-newline-bad', `${HEADER},note\n${ok},"two\nlines"\n${bar('09:31').replace('99', 'x')},n\n`, /line 4, column "low": "x" is not a number/],
  ])('%s', async (name, text, message) => {
    await refused(name, text, message);
  });

  it('a 5 MB line: refused cleanly, in one line', async () => {
    const huge = `${HEADER},note\n${ok},a\n${bar('09:31')},${'x'.repeat(5 * 1024 * 1024)}\n${bar('09:32')},b\n`;
    await refused('huge-line', huge, /line 3: the line is too long for a bars CSV/);
  });
});

describe('hostile CSV corpus: accepted, every row accounted for', () => {
  it('equal duplicates: one copy stored, the other a duplicate_bar warning at the next validation', async () => {
    const { dataDir, summary } = await accepted('dup-equal', [HEADER, bar('09:30'), bar('09:31'), bar('09:31'), bar('09:32')].join('\n') + '\n');
    expect(summary.accounting).toMatchObject({ received: 4, stored: 3, duplicates: 1, outsideSessions: 0, alreadyInLake: 0, future: 0, refused: 0, duplicatesUnrecorded: 0 });
    const found = (await validateFindings(dataDir)).filter((f) => f.rule === 'duplicate_bar');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ ts: ny('2024-01-02', '09:31'), severity: 'warning' });
    expect(found[0]!.message).toMatch(/^delivered twice with equal values \(job [0-9a-f]{8}\); one copy stored$/);
    expect(JSON.parse(found[0]!.observed)).toMatchObject({ kept: { close: 100.5 }, dropped: { close: 100.5 } });
  });

  it('conflicting duplicates: the last copy stored, a duplicate_bar error with both values', async () => {
    const text = [HEADER, bar('09:30'), bar('09:31', 100.25), bar('09:31', 100.75), bar('09:32')].join('\r\n') + '\r\n';
    const { dataDir, summary } = await accepted('dup-conflict', text);
    expect(summary.accounting).toMatchObject({ received: 4, stored: 3, duplicates: 1 });
    const found = (await validateFindings(dataDir)).filter((f) => f.rule === 'duplicate_bar');
    expect(found.map((f) => [f.ts, f.severity])).toEqual([[ny('2024-01-02', '09:31'), 'error']]);
    expect(found[0]!.message).toContain('delivered twice with different close');
    expect(found[0]!.message).toContain('kept o 100 h 101 l 99 c 100.75 v 1000');
    expect(found[0]!.message).toContain('dropped o 100 h 101 l 99 c 100.25 v 1000');
    const stored = await runCli(dataDir, ['query', '--format', 'json', `SELECT close FROM bars WHERE symbol = 'AAA' AND ts = TIMESTAMPTZ '${ny('2024-01-02', '09:31')}'`]);
    expect(stored.stdout).toContain('100.75');
  });

  it('a file whose rows all fall on a closed day: exit 0, nothing stored, and it says so', async () => {
    const dataDir = dataDirFor('closed-day');
    const before = lakeSnapshot(dataDir);
    const file = write('closed-day/AAA.csv', [HEADER, ...['09:30', '09:31', '09:32'].map((t) => bar(t, 100.5, '2024-01-06'))].join('\n') + '\n');
    const r = await ingest(dataDir, file);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('already up to date');
    expect(r.stdout).toMatch(/nothing stored: 3 rows received: 0 stored, 3 on days without a trading session \(not stored\)/);
    expect(lakeSnapshot(dataDir)).toEqual(before);
    const json = JSON.parse((await ingest(dataDir, file, ['--json'])).stdout) as { jobId: string; accounting: JobAccounting };
    expect(json.accounting).toMatchObject({ received: 3, stored: 0, outsideSessions: 3 });
    // the job record says it too
    const shown = await runCli(dataDir, ['jobs', json.jobId]);
    expect(shown.stdout).toContain('rows: 3 rows received: 0 stored, 3 on days without a trading session (not stored)');
    expect(shown.stdout).toContain('nothing to fetch: no trading session in the range');
  });

  it('BOM, CRLF and a quoted newline in a column it does not read: every row stored', async () => {
    const text = `\uFEFF${HEADER},note\r\n${bar('09:30')},"a\r\nb"\r\n${bar('09:31')},plain\r\n${bar('09:32')},"c,d"\r\n`;
    const { summary } = await accepted('bom-crlf-quoted', text);
    expect(summary.accounting).toMatchObject({ received: 3, stored: 3, duplicates: 0 });
  });

  it('rows after the last closed session are counted, not stored; a second import finds the rest in the lake', async () => {
    const text = [HEADER, bar('09:30'), bar('09:31'), bar('09:30', 100.5, '2099-01-05')].join('\n') + '\n';
    const { dataDir, summary } = await accepted('future', text);
    expect(summary.accounting).toMatchObject({ received: 3, stored: 2, future: 1, alreadyInLake: 0 });
    const again = await ingest(dataDir, path.join(root, 'corpus', 'future', 'AAA.csv'), ['--json']);
    const acc = (JSON.parse(again.stdout) as { accounting: JobAccounting }).accounting;
    expect(acc).toMatchObject({ received: 3, stored: 0, future: 1, alreadyInLake: 2 });
    expect(sum(acc)).toBe(acc.received);
  });

  it('prices <= 0, above 1e7 and volumes above 1e12 are stored and flagged; vwap aggregates never hold Infinity', async () => {
    const rows = [
      `${bar('09:30')},100`,
      '2024-01-02 09:31,0,0,0,0,1000,1',
      '2024-01-02 09:32,-1,1,-1,1,1000,1',
      '2024-01-02 09:33,2e7,2e7,2e7,2e7,1000,2e7',
      '2024-01-02 09:34,100,101,99,100.5,2e12,100',
      '2024-01-02 09:35,1e300,1e300,1e300,1e300,1e10,1e300',
    ];
    const { dataDir, summary } = await accepted('out-of-range', [`${HEADER},vwap`, ...rows].join('\n') + '\n');
    expect(summary.accounting).toMatchObject({ received: 6, stored: 6 });
    const found = await validateFindings(dataDir);
    const rule = (r: string) => found.filter((f) => f.rule === r).map((f) => f.ts);
    expect(rule('non_positive_price')).toEqual([ny('2024-01-02', '09:31'), ny('2024-01-02', '09:32')]);
    expect(rule('price_out_of_range')).toEqual([ny('2024-01-02', '09:33'), ny('2024-01-02', '09:34'), ny('2024-01-02', '09:35')]);
    expect(found.find((f) => f.ts === ny('2024-01-02', '09:34') && f.rule === 'price_out_of_range')!.message).toBe('volume 2000000000000 is above 1000000000000');
    const agg = await runCli(dataDir, ['aggregate', '--symbols', 'AAA', '--timeframes', '5m,1h', '--json']);
    expect(agg.code).toBe(0);
    const q = await runCli(dataDir, ['query', '--format', 'json', `SELECT timeframe, count(*) AS n, count(*) FILTER (WHERE NOT isfinite(vwap) OR NOT isfinite(volume) OR NOT isfinite(close)) AS bad, count(vwap) AS with_vwap FROM bars_all WHERE symbol = 'AAA' AND timeframe IN ('5m', '1h') GROUP BY timeframe ORDER BY timeframe`]);
    expect(q.code).toBe(0);
    // the 09:35 bar's vwap x volume overflows a double: the 5m and 1h bars holding it have no vwap rather than Infinity
    expect(q.stdout).not.toMatch(/inf|nan/i);
    expect(q.stdout).toContain('"bad":0');
  });
});
