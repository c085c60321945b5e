import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTmpDir, type TmpDir } from '../../testing/tmp';
import { runCli } from './testing';

// Appends, corrections, compaction, snapshots and vacuum through the CLI, in-process, on a real lake: a CSV imported,
// then a corrected CSV of one session (--force), then the next session.

let tmp: TmpDir;
beforeEach(() => {
  tmp = makeTmpDir('mp-lake-snap-');
});
afterEach(() => tmp.cleanup());

const HEADER = 'Symbol,Timestamp,Open,High,Low,Close,Volume,Trade_Count,VWAP';
/** `n` minutes of AAA from 09:30 New York on `day`, every price `price`. */
const minutes = (day: string, price: number, n = 5) =>
  Array.from({ length: n }, (_, i) => `AAA,${day} 09:${String(30 + i).padStart(2, '0')}:00,${price},${price},${price},${price},${1000 + i},10,${price}`);

function csv(name: string, lines: string[]): string {
  const file = path.join(tmp.dir, name);
  fs.writeFileSync(file, [HEADER, ...lines].join('\n') + '\n');
  return file;
}

const partition = (dataDir: string) => path.join(dataDir, 'lake', 'bars', 'timeframe=1m', 'provider=csv', 'feed=file', 'symbol=AAA', 'year=2024');
const dataFiles = (dataDir: string) => fs.readdirSync(partition(dataDir)).filter((n) => n.endsWith('.parquet')).sort();

async function ingest(dataDir: string, file: string, force = false): Promise<string> {
  const r = await runCli(dataDir, ['ingest', '--provider', 'csv', '--source', file, '--no-pipeline', '--json', ...(force ? ['--force'] : [])]);
  expect(r.code, r.stderr).toBe(0);
  const jobs = JSON.parse((await runCli(dataDir, ['jobs', '--json'])).stdout) as Array<{ id: string; createdAt: string }>;
  return jobs.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))[0]!.id;
}

async function closes(dataDir: string, asOf?: string): Promise<string> {
  const r = await runCli(dataDir, ['query', "SELECT strftime(ts, '%m-%d %H:%M') AS t, close FROM bars_all ORDER BY ts", '--format', 'csv', ...(asOf ? ['--as-of', asOf] : [])]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe('appends, corrections and snapshots through the CLI', () => {
  it('a --force correction replaces exactly its session; --as-of the first job reads the old rows; compact and vacuum', async () => {
    const dataDir = path.join(tmp.dir, 'data');
    const jobA = await ingest(dataDir, csv('v1.csv', [...minutes('2024-01-02', 10), ...minutes('2024-01-03', 11)]));
    const v1 = await closes(dataDir);
    const day = (out: string, d: string) => out.split('\n').filter((l) => l.startsWith(d));
    expect(day(v1, '01-03').map((l) => l.split(',')[1])).toEqual(['11', '11', '11', '11', '11']);
    const [first] = dataFiles(dataDir);

    // the corrected CSV holds 01-03 only: 01-02's rows stay as they were
    const jobB = await ingest(dataDir, csv('v2.csv', minutes('2024-01-03', 12, 4)), true);
    const v2 = await closes(dataDir);
    expect(day(v2, '01-02')).toEqual(day(v1, '01-02'));
    expect(day(v2, '01-03')).toEqual(['01-03 14:30,12', '01-03 14:31,12', '01-03 14:32,12', '01-03 14:33,12']);
    expect(dataFiles(dataDir)).not.toContain(first);
    expect(await closes(dataDir, jobA)).toBe(v1);
    expect(await closes(dataDir, jobB)).toBe(v2);
    const old = await runCli(dataDir, ['query', 'SELECT 1', '--as-of', '2001-01-01']);
    expect(old.code).toBe(2);
    expect(old.stderr.trim().split('\n')).toHaveLength(1);
    expect(old.stderr).toMatch(/--as-of 2001-01-01: older than the oldest retained snapshot, snapshot 1 \(/);

    // the next session is appended as a second file; the first is left as it is
    const before = dataFiles(dataDir);
    await ingest(dataDir, csv('v3.csv', minutes('2024-01-04', 13)));
    const files = dataFiles(dataDir);
    expect(files).toHaveLength(2);
    expect(files).toEqual(expect.arrayContaining(before));
    const v3 = await closes(dataDir);

    const c = await runCli(dataDir, ['lake', 'compact']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/^lake compact: 1 partition\(s\), 2 files merged into 1, 14 bars/);
    expect(dataFiles(dataDir)).toHaveLength(1);
    expect(await closes(dataDir)).toBe(v3);
    expect((await runCli(dataDir, ['lake', 'verify'])).code).toBe(0);
    expect(JSON.parse((await runCli(dataDir, ['lake', 'compact', '--json'])).stdout)).toMatchObject({ partitions: 0 });

    // vacuum keeps what is younger than the retention; with none, a dry run lists the retained files and removes nothing
    const retained = path.join(dataDir, 'lake', 'retained');
    const kept = () => fs.readdirSync(path.join(retained, path.relative(path.join(dataDir, 'lake', 'bars'), partition(dataDir)))).length;
    expect(kept()).toBe(3);
    const keep = await runCli(dataDir, ['lake', 'vacuum']);
    expect(keep.stdout).toMatch(/^lake vacuum: 0 file\(s\), 0\.0 MB freed \(retention 7 days\)/);
    const dry = await runCli(dataDir, ['lake', 'vacuum', '--dry-run'], { MP_RETAIN_DAYS: '0' });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.split('\n').filter((l) => l.startsWith('would remove lake/retained/'))).toHaveLength(3);
    expect(kept()).toBe(3);
    const vac = await runCli(dataDir, ['lake', 'vacuum', '--json'], { MP_RETAIN_DAYS: '0' });
    const r = JSON.parse(vac.stdout) as { files: unknown[]; bytes: number };
    expect(r.files).toHaveLength(3);
    expect(r.bytes).toBeGreaterThan(0);
    expect(kept()).toBe(0);
    expect((await runCli(dataDir, ['query', 'SELECT 1', '--as-of', jobA])).code).toBe(2);
    expect(await closes(dataDir)).toBe(v3);
    expect((await runCli(dataDir, ['lake', 'verify'])).code).toBe(0);
  });
});
