import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTask, rowsBySession, rowsBySessionFromHours, type IngestTask } from '../../ingest/plan';
import { sqlString } from '../../lake/layout';
import { LakeWriter } from '../../lake/writer';
import { silentLogger } from '../../shared/log';
import { BatchBuffer, emptyBatch } from '../batch';
import { offline } from '../http/offline';
import { closeIdleSources, csvProvider } from './index';

// The ingest runner writes csv units through openUnit() + LakeWriter.writeRelation() (DuckDB to Parquet directly).
// These tests hold that path to the paged one (fetchBars() + LakeWriter.write()): the same files, bar for bar, in the
// same order, session column included, for sorted, unsorted and repeated bars, optional columns or not, and merges.

const FIXTURES = path.join(__dirname, 'fixtures');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-csv-direct-'));
});
afterEach(async () => {
  await closeIdleSources();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ctx = () => ({ signal: new AbortController().signal, env: {}, log: silentLogger, http: offline('csv') });

interface Run {
  source: string;
  tz?: string;
  /** tasks as the runner would plan them for the prepared range (one per symbol and year) */
  tasks?: (symbols: string[], start: string, end: string) => IngestTask[];
  /** bars already in both lakes before the import: written by the paged path */
  before?: (w: LakeWriter, key: (symbol: string, year: number) => Parameters<LakeWriter['write']>[0]['key']) => Promise<void>;
}

function yearTasks(symbols: string[], start: string, end: string): IngestTask[] {
  const out: IngestTask[] = [];
  for (const s of symbols) for (let y = Number(start.slice(0, 4)); y <= Number(end.slice(0, 4)); y++) {
    const t = makeTask(s, y, y === Number(start.slice(0, 4)) ? start : `${y}-01-01`, y === Number(end.slice(0, 4)) ? end : `${y}-12-31`);
    if (t.days.length) out.push(t);
  }
  return out;
}

/** Imports `run` into two lakes, paged and direct; returns every partition file's rows (in stored order) of each. */
async function both(run: Run) {
  const plan = await csvProvider.prepare!({ symbols: [], timeframe: undefined, start: undefined, end: undefined, feed: 'file', source: run.source, tz: run.tz }, ctx());
  const tasks = (run.tasks ?? yearTasks)(plan.symbols, plan.start, plan.end);
  const out: Record<'paged' | 'direct', { files: Record<string, unknown[][]>; written: number[]; sessions: string[] }> = {
    paged: { files: {}, written: [], sessions: [] },
    direct: { files: {}, written: [], sessions: [] },
  };
  const now = Date.UTC(2030, 0, 1);
  for (const mode of ['paged', 'direct'] as const) {
    const root = path.join(dir, mode);
    const w = await LakeWriter.open(root);
    const key = (symbol: string, year: number) => ({ timeframe: plan.timeframe, provider: 'csv', feed: 'file', symbol, year });
    try {
      await run.before?.(w, key);
      for (const t of tasks) {
        const req = { symbol: t.symbol, timeframe: plan.timeframe, start: t.start, end: t.end, feed: 'file', pageSize: 7, source: run.source, tz: run.tz };
        if (mode === 'paged') {
          const buf = new BatchBuffer(t.symbol);
          for await (const page of csvProvider.fetchBars(req, ctx())) buf.append(page);
          const res = buf.length ? await w.write({ key: key(t.symbol, t.year), batch: buf.view(), replaceFrom: t.from, replaceTo: t.to }) : { written: 0 };
          out.paged.written.push(res.written);
          out.paged.sessions.push(JSON.stringify([...rowsBySession(t, buf.view(), now)]));
        } else {
          const unit = await csvProvider.openUnit!(req, ctx());
          try {
            const res = unit ? await w.writeRelation({ key: key(t.symbol, t.year), conn: unit.conn, sql: unit.sql, replaceFrom: t.from, replaceTo: t.to }) : { written: 0, rowsByHour: new Map<number, number>() };
            out.direct.written.push(res.written);
            out.direct.sessions.push(JSON.stringify([...rowsBySessionFromHours(t, res.rowsByHour, now)]));
          } finally {
            unit?.release();
          }
        }
      }
    } finally {
      await w.close();
    }
    const inst = await DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    await c.run(`SET TimeZone = 'UTC'`);
    const files = (fs.existsSync(root) ? fs.readdirSync(root, { recursive: true, encoding: 'utf8' }) : []).filter((f) => f.endsWith('.parquet')).sort();
    // a partition's files are named part-<time>-<random>: compared by partition folder and order of their first bar
    const read: { dir: string; rows: unknown[][]; cols: unknown[][] }[] = [];
    for (const f of files) {
      const p = path.join(root, f);
      const rows = (await c.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(p)})`)).getRowsJson() as unknown[][];
      const cols = (await c.runAndReadAll(`SELECT name, type FROM parquet_schema(${sqlString(p)})`)).getRowsJson() as unknown[][];
      read.push({ dir: path.dirname(f), rows, cols });
    }
    read.sort((a, b) => a.dir.localeCompare(b.dir) || JSON.stringify(a.rows[0]).localeCompare(JSON.stringify(b.rows[0])));
    const seen = new Map<string, number>();
    for (const r of read) {
      const k = seen.get(r.dir) ?? 0;
      seen.set(r.dir, k + 1);
      out[mode].files[`${r.dir} file ${k}`] = r.rows;
      out[mode].files[`${r.dir} file ${k} schema`] = r.cols;
    }
    c.closeSync();
    inst.closeSync();
  }
  return out;
}

describe('csv: direct write (openUnit + writeRelation) equals the paged write', () => {
  it('a sorted single-symbol file across two years, no optional columns', async () => {
    const rows = ['timestamp,open,high,low,close,volume'];
    // every 30 minutes around the clock: pre, regular, post, shut hours and a weekend, across a New Year
    for (let i = 0; i < 800; i++) rows.push(`${new Date(Date.UTC(2023, 11, 25) + i * 1_800_000).toISOString()},1,2,0.5,${1 + i / 100},${i}`);
    const source = path.join(dir, 'ABC_30m.csv');
    fs.writeFileSync(source, rows.join('\n') + '\n');
    const r = await both({ source, tz: 'UTC' });
    expect(Object.keys(r.direct.files).length).toBe(4);
    expect(r.direct).toEqual(r.paged);
    expect(r.direct.written.reduce((a, b) => a + b, 0)).toBe(800);
  });

  it('an unordered two-symbol file with repeats (last copy kept), optional columns partly empty', async () => {
    const src = fs.readFileSync(path.join(FIXTURES, 'two_symbols.csv'), 'utf8').trim().split('\n');
    const extra = ['AAA,2024-01-02 09:31:00,1,1,1,1.5,7,,', 'BBB,2024-01-02 09:29:00,2,2,2,2,9,3,2.5', 'AAA,2024-01-02 09:31:00,1,1,1,1.75,8,4,'];
    const source = path.join(dir, 'dump.csv');
    fs.writeFileSync(source, [...src, ...extra].join('\n') + '\n');
    const r = await both({ source });
    expect(r.direct).toEqual(r.paged);
  });

  it('a folder whose files overlap (later file wins), with a merge into partitions that hold bars outside the range', async () => {
    const lines = fs.readFileSync(path.join(FIXTURES, 'DBB_1min.csv'), 'utf8').trim().split('\n');
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'DBB_a.csv'), [lines[0], ...lines.slice(1, 320)].join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'src', 'DBB_b.csv'), [lines[0], ...lines.slice(280).map((l) => l.replace(/,(\d+)$/, ',$1.5'))].join('\n') + '\n');
    const r = await both({
      source: path.join(dir, 'src'),
      tz: 'UTC',
      before: async (w, key) => {
        // bars on 2024-01-02 and 2024-12-30 (outside the import's range, so kept) and inside it (replaced)
        const b = emptyBatch('DBB', 3);
        b.length = 3;
        b.ts.set([Date.UTC(2024, 0, 2, 15), Date.UTC(2024, 2, 8, 15), Date.UTC(2024, 11, 30, 15)]);
        for (const c of ['open', 'high', 'low', 'close', 'volume'] as const) b[c].fill(5);
        b.tradeCount.fill(NaN);
        b.vwap.fill(NaN);
        await w.write({ key: key('DBB', 2024), batch: b, replaceFrom: Date.UTC(2024, 0, 1), replaceTo: Date.UTC(2025, 0, 1) });
      },
    });
    expect(r.direct).toEqual(r.paged);
    const rows = Object.entries(r.direct.files).find(([f]) => !f.endsWith('schema'))![1];
    expect(rows.length).toBeGreaterThan(500);
  });

  it('a task range that holds no bars writes nothing', async () => {
    const source = path.join(dir, 'XYZ_1m.csv');
    fs.writeFileSync(source, 'timestamp,open,high,low,close,volume\n2024-01-02 15:00:00,1,1,1,1,1\n2024-01-02 15:01:00,1,1,1,1,1\n');
    const r = await both({ source, tz: 'UTC', tasks: (s) => [makeTask(s[0]!, 2024, '2024-02-01', '2024-02-29')] });
    expect(r.direct).toEqual(r.paged);
    expect(r.direct.files).toEqual({});
  });
});
