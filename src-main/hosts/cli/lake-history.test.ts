import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { expectOneLineError, lines, runCli, useCliTestDir } from './testing';

// Every removal from the live lake is a commit: `prune` and `lake repair` end the catalog rows of what they take out
// (a snapshot), so `query --as-of` an older job still reads what that job saw, or fails naming the file it can no
// longer read; `lake vacuum` moves the oldest readable snapshot, and `lake verify` checks the retained files too.

const t = useCliTestDir('mp-lake-hist-');

const HEADER = 'Symbol,Timestamp,Open,High,Low,Close,Volume,Trade_Count,VWAP';
/** `n` minutes of `symbol` from 09:30 New York on `day`, every price `price`. */
const minutes = (symbol: string, day: string, price: number, n = 3) =>
  Array.from({ length: n }, (_, i) => `${symbol},${day} 09:${String(30 + i).padStart(2, '0')}:00,${price},${price},${price},${price},${1000 + i},10,${price}`);

function csv(name: string, lines: string[]): string {
  const file = path.join(t.dir, name);
  fs.writeFileSync(file, [HEADER, ...lines].join('\n') + '\n');
  return file;
}

async function ingest(file: string, force = false): Promise<string> {
  const r = await runCli(t.dataDir, ['ingest', '--provider', 'csv', '--source', file, '--no-pipeline', '--json', ...(force ? ['--force'] : [])]);
  expect(r.code, r.stderr).toBe(0);
  const jobs = JSON.parse((await runCli(t.dataDir, ['jobs', '--json'])).stdout) as Array<{ id: string; createdAt: string }>;
  return jobs.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))[0]!.id;
}

const SQL = "SELECT symbol, strftime(ts, '%Y-%m-%d %H:%M') AS t, close FROM bars_all ORDER BY symbol, ts";
async function content(asOf?: string, sql = SQL): Promise<string> {
  const r = await runCli(t.dataDir, ['query', sql, '--format', 'csv', ...(asOf ? ['--as-of', asOf] : [])]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

const partDir = (symbol: string, year: number) => path.join(t.dataDir, 'lake', 'bars', 'timeframe=1m', 'provider=csv', 'feed=file', `symbol=${symbol}`, `year=${year}`);
const onlyFile = (dir: string) => {
  const names = fs.readdirSync(dir).filter((n) => n.endsWith('.parquet'));
  expect(names).toHaveLength(1);
  return path.join(dir, names[0]!);
};
function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('removals from the lake are commits', () => {
  it('after a correction, a prune and a repair, --as-of the first job reads its result or names the quarantined file; vacuum moves the boundary', async () => {
    const jobA = await ingest(csv('v1.csv', [...minutes('AAA', '2024-01-02', 10), ...minutes('AAA', '2024-01-03', 11), ...minutes('BBB', '2023-06-01', 20), ...minutes('CCC', '2024-01-02', 30)]));
    const v1 = await content();
    expect(v1).toMatch(/^BBB,2023-06-01/m);
    const jobB = await ingest(csv('v2.csv', minutes('AAA', '2024-01-03', 12)), true);
    const v2 = await content();
    expect(v2).not.toBe(v1);

    // prune the 2023 partition (older than 2024-06-01): it leaves the live lake, the earlier snapshots keep it
    const pruned = onlyFile(partDir('BBB', 2023));
    const days = Math.floor((Date.now() - Date.UTC(2024, 5, 1)) / 86_400_000);
    const p = await runCli(t.dataDir, ['prune', 'bars', '--older-than', `${days}d`, '--yes']);
    expect(p.code, p.stderr).toBe(0);
    expect(fs.existsSync(partDir('BBB', 2023))).toBe(false);
    expect(walk(path.join(t.dataDir, 'lake', 'retained')).map((f) => path.basename(f))).toContain(path.basename(pruned));
    const v3 = await content();
    expect(v3).not.toMatch(/^BBB/m);
    expect(await content(jobA)).toBe(v1);
    expect(await content(jobB)).toBe(v2);
    expect((await runCli(t.dataDir, ['lake', 'verify'])).code).toBe(0);

    // a damaged live file, quarantined by repair: the live lake reads without it, a snapshot that held it names it
    const victim = onlyFile(partDir('CCC', 2024));
    const rel = path.relative(t.dataDir, victim);
    fs.truncateSync(victim, 10);
    // found damaged at start (that start logs a warning too), not yet repaired: a snapshot holding it names it and the
    // repair
    const found = await runCli(t.dataDir, ['query', SQL, '--as-of', jobA]);
    expect(found.code).toBe(1);
    const before = lines(found.stderr).at(-1)!;
    expect(before).toMatch(/^marketpipe: /);
    expect(before).toContain(`needs lake file ${rel}, which is damaged (size: `);
    expect(before).toContain('run `marketpipe lake repair`');
    const rep = await runCli(t.dataDir, ['lake', 'repair']);
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stdout).toContain(`quarantined ${rel}`);
    const v4 = await content();
    expect(v4).toBe(v3.split('\n').filter((l) => !l.startsWith('CCC,')).join('\n'));
    for (const job of [jobA, jobB]) {
      const e = expectOneLineError(await runCli(t.dataDir, ['query', SQL, '--as-of', job]), 1);
      expect(e).toContain(rel);
      expect(e).toContain('marketpipe lake repair');
      expect(e).toContain('quarantine');
    }
    expect((await runCli(t.dataDir, ['lake', 'verify'])).code).toBe(0);
    // a time after the repair reads the lake as it is now
    expect(await content(new Date(Date.now() + 60_000).toISOString())).toBe(v4);

    // vacuum with no retention: the snapshots before it are refused, naming the new oldest one
    const vac = await runCli(t.dataDir, ['lake', 'vacuum', '--json'], { MP_RETAIN_DAYS: '0' });
    expect(vac.code, vac.stderr).toBe(0);
    const oldest = (JSON.parse(vac.stdout) as { oldestSnapshot: { id: number } }).oldestSnapshot.id;
    expect(oldest).toBeGreaterThan(1);
    for (const job of [jobA, jobB]) {
      const e = expectOneLineError(await runCli(t.dataDir, ['query', SQL, '--as-of', job]), 2);
      expect(e).toContain(`older than the oldest retained snapshot, snapshot ${oldest} (`);
    }
    expect(walk(path.join(t.dataDir, 'lake', 'retained'))).toEqual([]);
    expect(await content()).toBe(v4);
    expect((await runCli(t.dataDir, ['lake', 'verify'])).code).toBe(0);
  });
});

describe('lake verify checks the retained files', () => {
  it('names a changed and a missing retained file as breaking only --as-of; repair quarantines them and --as-of names them', async () => {
    const jobA = await ingest(csv('v1.csv', [...minutes('AAA', '2024-01-02', 10), ...minutes('AAA', '2024-01-03', 11)]));
    const jobB = await ingest(csv('v2.csv', minutes('AAA', '2024-01-03', 12)), true);
    await ingest(csv('v3.csv', minutes('AAA', '2024-01-03', 13)), true);
    const live = await content();
    const retainedRoot = path.join(t.dataDir, 'lake', 'retained');
    const jobAFile = async () => {
      const r = await runCli(t.dataDir, ['lake', 'verify', '--json']);
      return JSON.parse(r.stdout) as { ok: boolean; retained: { files: number; problems: Array<{ file: string; kind: string; detail: string; snapshots: { first: number; last: number } }> } };
    };
    expect(await jobAFile()).toMatchObject({ ok: true, retained: { files: 2, problems: [] } });
    expect((await runCli(t.dataDir, ['lake', 'verify'])).stdout).toMatch(/^lake ok: 1 file\(s\), 6 bars, [\d.]+ MB checked, and 2 retained file\(s\)/);

    // the file jobA wrote is superseded first: the older of the two (part names sort by time)
    const [fa, fb] = walk(retainedRoot).sort();
    const bytes = fs.readFileSync(fa!);
    const mid = bytes.length >> 1;
    bytes[mid] = bytes[mid]! ^ 0xff;
    fs.writeFileSync(fa!, bytes);
    fs.rmSync(fb!);
    const relA = path.relative(t.dataDir, fa!);
    const relB = path.relative(t.dataDir, fb!);

    const quick = await runCli(t.dataDir, ['lake', 'verify', '--quick']);
    expect(quick.code).toBe(1);
    expect(quick.stdout.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^retained missing: ${relB.replace(/[.]/g, '\\.')}: .*breaks only query --as-of snapshots \\d+\\.\\.\\d+, not the live lake$`))]);
    const full = await runCli(t.dataDir, ['lake', 'verify']);
    expectOneLineError(full, 1);
    expect(full.stdout.trim().split('\n').map((l) => l.split(':')[0])).toEqual(['retained checksum', 'retained missing']);
    const j = await jobAFile();
    expect(j.ok).toBe(false);
    expect(j.retained.problems.map((p) => [p.kind, p.file])).toEqual([['checksum', relA], ['missing', relB]]);
    expect(j.retained.problems[0]!.snapshots.last).toBeLessThan(j.retained.problems[1]!.snapshots.first);
    expect(await content()).toBe(live);

    const rep = await runCli(t.dataDir, ['lake', 'repair']);
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stdout).toContain(`quarantined ${relA} -> ${path.join('quarantine', relA)} (retained checksum: `);
    expect(fs.existsSync(path.join(t.dataDir, 'quarantine', relA))).toBe(true);
    expect((await runCli(t.dataDir, ['lake', 'verify'])).code).toBe(0);
    for (const [job, rel] of [[jobA, relA], [jobB, relB]] as const) {
      const e = expectOneLineError(await runCli(t.dataDir, ['query', SQL, '--as-of', job]), 1);
      expect(e).toContain(`needs lake file ${rel}`);
      expect(e).toContain('marketpipe lake repair');
    }
    expect(await content()).toBe(live);
  });
});

describe('the catalog names the job behind every file', () => {
  it('after an ingest with its pipeline, every live file of every timeframe names the job; --as-of the job reads them all', async () => {
    const r = await runCli(t.dataDir, ['ingest', '--provider', 'fake', '--symbols', 'AAPL,MSFT', '--start', '2024-01-02', '--end', '2024-01-03', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const jobs = JSON.parse((await runCli(t.dataDir, ['jobs', '--json'])).stdout) as Array<{ id: string }>;
    expect(jobs).toHaveLength(1);
    const db = new Database(path.join(t.dataDir, 'marketpipe.db'), { readonly: true });
    try {
      const rows = db.prepare(`SELECT timeframe, job_id FROM lake_files WHERE end_snapshot IS NULL ORDER BY timeframe`).all() as Array<{ timeframe: string; job_id: string | null }>;
      expect(new Set(rows.map((x) => x.timeframe))).toEqual(new Set(['1m', '5m', '15m', '30m', '1h', '1d']));
      expect(rows).toHaveLength(12);
      expect(rows.filter((x) => x.job_id !== jobs[0]!.id)).toEqual([]);
    } finally {
      db.close();
    }
    const all = 'SELECT * FROM bars_all ORDER BY timeframe, symbol, ts';
    expect(await content(jobs[0]!.id, all)).toBe(await content(undefined, all));
  });
});

describe('compaction at the threshold', () => {
  it('the ingest that leaves a partition with more than 8 files compacts it in the same job, its rows unchanged', async () => {
    const sessions = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09', '2024-01-10', '2024-01-11', '2024-01-12'];
    const one = (dataDir: string, start: string, end: string) => runCli(dataDir, ['ingest', '--provider', 'fake', '--symbols', 'AAA', '--start', start, '--end', end, '--no-pipeline', '--json']);
    const dir = path.join(t.dataDir, 'lake', 'bars', 'timeframe=1m', 'provider=fake', 'feed=sim', 'symbol=AAA', 'year=2024');
    const count = () => fs.readdirSync(dir).filter((n) => n.endsWith('.parquet')).length;
    let last = '';
    for (const [i, day] of sessions.entries()) {
      const r = await one(t.dataDir, day, day);
      expect(r.code, r.stderr).toBe(0);
      last = (JSON.parse(r.stdout) as { jobId: string }).jobId;
      expect(count()).toBe(i < 8 ? i + 1 : 1);
    }
    const db = new Database(path.join(t.dataDir, 'marketpipe.db'), { readonly: true });
    try {
      expect(db.prepare(`SELECT kind, job_id FROM lake_snapshots ORDER BY id DESC LIMIT 1`).get()).toEqual({ kind: 'compact', job_id: last });
    } finally {
      db.close();
    }
    const clean = path.join(t.dir, 'clean');
    expect((await one(clean, sessions[0]!, sessions.at(-1)!)).code).toBe(0);
    const all = 'SELECT * FROM bars_all ORDER BY ts';
    const cleanContent = await runCli(clean, ['query', all, '--format', 'csv']);
    expect(await content(undefined, all)).toBe(cleanContent.stdout);
  });
});
