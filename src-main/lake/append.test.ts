import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogStore } from '../db/catalog';
import { loadMigrations, migrate } from '../db/migrations';
import { openDb } from '../db/open';
import { emptyBatch } from '../providers/batch';
import { makeTmpDir, type TmpDir } from '../testing/tmp';
import { sweepDebris } from './commit';
import { partitionDir, retainedRoot, sqlString } from './layout';
import { filesAsOf, planVacuum, applyVacuum, resolveSnapshot } from './snapshots';
import type { FreeSpaceProbe } from './space';
import { LakeWriter } from './writer';

// Appends, overlapping writes, compaction, snapshots and the free-space check, on a real lake with its real SQLite
// catalog: what the engine's writer does, without the rest of the engine.

let tmp: TmpDir;
let db: Database.Database;
let catalog: CatalogStore;
let barsRoot: string;
let writer: LakeWriter;
let free = Number.MAX_SAFE_INTEGER;
const probe: FreeSpaceProbe = () => free;

async function openWriter(threshold = 16): Promise<LakeWriter> {
  return LakeWriter.open(barsRoot, { catalog, compactThreshold: threshold, freeSpace: probe });
}

beforeEach(async () => {
  tmp = makeTmpDir('mp-append-');
  barsRoot = path.join(tmp.dir, 'lake', 'bars');
  fs.mkdirSync(barsRoot, { recursive: true });
  db = openDb(path.join(tmp.dir, 'marketpipe.db'));
  migrate(db);
  catalog = new CatalogStore(db, barsRoot);
  catalog.setAdopted();
  free = Number.MAX_SAFE_INTEGER;
  writer = await openWriter();
});
afterEach(async () => {
  await writer.close();
  db.close();
  tmp.cleanup();
});

const key = { timeframe: '1m' as const, provider: 'fake', feed: 'sim', symbol: 'AAPL', year: 2024 };
const DAY = 86_400_000;
/** 14:30 UTC (09:30 New York) on 2024-01-02 + d days */
const open = (d: number) => Date.UTC(2024, 0, 2, 14, 30) + d * DAY;

/** One session of `n` minutes on day d, every price `price`. */
function session(d: number, price: number, n = 390) {
  const b = emptyBatch('AAPL', n);
  for (let i = 0; i < n; i++) {
    b.ts[i] = open(d) + i * 60_000;
    b.open[i] = b.high[i] = b.low[i] = b.close[i] = price;
    b.volume[i] = 100 + i;
    b.tradeCount[i] = 5;
    b.vwap[i] = price;
  }
  b.length = n;
  return { key, batch: b, replaceFrom: open(d) - 14.5 * 3_600_000, replaceTo: open(d) + 9.5 * 3_600_000 };
}

async function rows(sql: string, files = catalog.liveFiles().map((e) => e.file)): Promise<unknown[][]> {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  try {
    await c.run(`SET TimeZone = 'UTC'`);
    const list = files.length ? `read_parquet([${files.map(sqlString).join(', ')}])` : `(SELECT NULL::TIMESTAMPTZ AS ts, NULL::DOUBLE AS close WHERE false)`;
    await c.run(`CREATE VIEW bars AS SELECT * FROM ${list}`);
    return (await c.runAndReadAll(sql)).getRowsJson();
  } finally {
    c.closeSync();
    inst.closeSync();
  }
}

const fingerprint = (file: string) => {
  const st = fs.statSync(file);
  return { ino: st.ino, mtimeMs: st.mtimeMs, sha: createHash('sha256').update(fs.readFileSync(file)).digest('hex') };
};

describe('appends', () => {
  it('a session after the held ones is a new file of the partition; the first file is not rewritten', async () => {
    const first = await writer.write({ ...session(0, 10), jobId: 'job-a' });
    const before = fingerprint(first.file);
    const second = await writer.write({ ...session(1, 11), jobId: 'job-b' });
    expect(second.file).not.toBe(first.file);
    expect(path.dirname(second.file)).toBe(partitionDir(barsRoot, key));
    expect(second).toMatchObject({ written: 390, total: 780 });
    expect(fingerprint(first.file)).toEqual(before);
    expect(catalog.partitionFiles(key).map((e) => [e.file, e.jobId])).toEqual([
      [first.file, 'job-a'],
      [second.file, 'job-b'],
    ]);
    expect(await rows(`SELECT close, count(*) FROM bars GROUP BY ALL ORDER BY 1`)).toEqual([
      [10, '390'],
      [11, '390'],
    ]);
  });

  it('an overlapping write replaces exactly the sessions it covers: only the files it touches are rewritten, the old ones retained', async () => {
    const files = [];
    for (let d = 0; d < 3; d++) files.push((await writer.write({ ...session(d, 10 + d), jobId: `job-${d}` })).file);
    const untouched = [fingerprint(files[0]!), fingerprint(files[2]!)];
    const snapBefore = resolveSnapshot(catalog, 'job-2');
    // a corrected day 1 (one minute fewer: the correction's rows replace the session's, not merge with them)
    const fix = await writer.write({ ...session(1, 99, 389), jobId: 'job-fix' });
    expect([fingerprint(files[0]!), fingerprint(files[2]!)]).toEqual(untouched);
    expect(fs.existsSync(files[1]!)).toBe(false);
    const live = catalog.partitionFiles(key).map((e) => e.file);
    expect(live.sort()).toEqual([files[0]!, files[2]!, fix.file].sort());
    expect(await rows(`SELECT close, count(*) FROM bars GROUP BY ALL ORDER BY 1`)).toEqual([
      [10, '390'],
      [12, '390'],
      [99, '389'],
    ]);
    // the superseded file left the Hive tree for the retained area, and the snapshot before the fix still reads it
    const kept = path.join(retainedRoot(barsRoot), path.relative(barsRoot, files[1]!));
    expect(fs.existsSync(kept)).toBe(true);
    expect(catalog.filesAt(snapBefore.id).sort()).toEqual([files[0]!, kept, files[2]!].sort());
    expect(await rows(`SELECT close, count(*) FROM bars GROUP BY ALL ORDER BY 1`, filesAsOf(catalog, 'job-2').files)).toEqual([
      [10, '390'],
      [11, '390'],
      [12, '390'],
    ]);
  });
});

describe('compaction', () => {
  it('merges a partition into one file with the same rows; past the threshold it runs by itself', async () => {
    await writer.close();
    writer = await openWriter(3);
    for (let d = 0; d < 3; d++) await writer.write(session(d, 10 + d));
    expect(catalog.partitionFiles(key)).toHaveLength(3);
    const want = await rows(`SELECT sum(hash(ts, close, volume))::VARCHAR, count(*) FROM bars`);
    await writer.write(session(3, 13));
    expect(catalog.partitionFiles(key)).toHaveLength(1);
    expect(await rows(`SELECT count(*) FROM bars`)).toEqual([['1560']]);
    expect(await rows(`SELECT sum(hash(ts, close, volume))::VARCHAR, count(*) FROM bars WHERE ts < '${new Date(open(3) - 3_600_000).toISOString()}'`)).toEqual(want);
    // the merged file is sorted by time
    expect(await rows(`SELECT count(*) FROM (SELECT ts < lag(ts) OVER () AS back FROM bars) WHERE back`)).toEqual([['0']]);
  });

  it('past the threshold merges the appended files only, the base untouched; folds them in at a quarter of the base', async () => {
    for (let d = 0; d < 16; d++) await writer.write(session(d, 10 + d));
    const [full] = await writer.compact([key]);
    expect(full).toMatchObject({ kind: 'fold', files: 16, rows: 6240 });
    await writer.close();
    writer = await openWriter(3);
    const base = fingerprint(full!.file);
    for (let d = 16; d < 19; d++) await writer.write({ ...session(d, 10 + d), jobId: `job-${d}` });
    // 4 files past 3: the 3 appended sessions (1,170 rows, under a quarter of the base's 6,240) merged into one
    const live = catalog.partitionFiles(key);
    expect(live.map((e) => e.rows).sort((a, b) => a - b)).toEqual([1170, 6240]);
    expect(fingerprint(full!.file)).toEqual(base);
    const snap = db.prepare(`SELECT kind, job_id FROM lake_snapshots ORDER BY id DESC LIMIT 1`).get();
    expect(snap).toEqual({ kind: 'compact', job_id: 'job-18' });
    const tail = live.find((e) => e.rows === 1170)!.file;
    expect(await rows(`SELECT count(*), min(close), max(close) FROM bars`, [tail])).toEqual([['1170', 26, 28]]);
    expect(await rows(`SELECT count(*) FROM (SELECT ts < lag(ts) OVER () AS back FROM bars) WHERE back`, [tail])).toEqual([['0']]);
    // the snapshot before the merge reads the replaced files, retained
    const before = filesAsOf(catalog, 'job-17').files;
    expect(before).toHaveLength(3);
    expect(before.filter((f) => f.startsWith(retainedRoot(barsRoot)))).toHaveLength(2);
    expect(await rows(`SELECT count(*) FROM bars`, before)).toEqual([['7020']]);
    // base, tail and two more appends: the small files (5 sessions) reach a quarter of the base and fold into it
    const want = await rows(`SELECT sum(hash(ts, close, volume))::VARCHAR FROM bars`);
    await writer.write(session(19, 29));
    expect(catalog.partitionFiles(key)).toHaveLength(3);
    await writer.write(session(20, 30));
    expect(catalog.partitionFiles(key).map((e) => e.rows)).toEqual([8190]);
    expect(fs.existsSync(full!.file)).toBe(false);
    expect(await rows(`SELECT sum(hash(ts, close, volume))::VARCHAR FROM bars WHERE ts < '${new Date(open(19) - 3_600_000).toISOString()}'`)).toEqual(want);
  });

  it('refuses to publish a merge whose rows differ from its files (a dropped row), changing nothing', async () => {
    for (let d = 0; d < 3; d++) await writer.write(session(d, 10 + d));
    const before = catalog.partitionFiles(key).map((e) => fingerprint(e.file));
    const tree = fs.readdirSync(partitionDir(barsRoot, key)).sort();
    const dropOneRow = async (tmpFile: string) => {
      const inst = await DuckDBInstance.create(':memory:');
      const c = await inst.connect();
      await c.run(`COPY (SELECT * FROM read_parquet(${sqlString(tmpFile)}) LIMIT 1169) TO ${sqlString(tmpFile + '.x')} (FORMAT parquet)`);
      c.closeSync();
      inst.closeSync();
      fs.renameSync(tmpFile + '.x', tmpFile);
    };
    await expect(writer.compact([key], { afterMerge: dropOneRow })).rejects.toMatchObject({ code: 'E_IO', message: expect.stringMatching(/refused: the merged file has 1169 rows .* 1170 .*nothing was changed/) });
    expect(catalog.partitionFiles(key).map((e) => fingerprint(e.file))).toEqual(before);
    expect(fs.readdirSync(partitionDir(barsRoot, key)).sort()).toEqual(tree);
    // and without the damage it goes through
    const [done] = await writer.compact([key]);
    expect(done).toMatchObject({ files: 3, rows: 1170 });
  });

  it('a crash after the rename leaves a pending file the start-up sweep removes; one after the commit, files the sweep moves', async () => {
    await writer.write(session(0, 10));
    const live = catalog.partitionFiles(key)[0]!.file;
    // as a writer killed between its rename and its commit leaves it: a file in the tree, pending, of a dead pid
    const orphan = path.join(partitionDir(barsRoot, key), 'part-zzz-0123456789ab.parquet');
    fs.copyFileSync(live, orphan);
    db.prepare(`INSERT INTO lake_pending (path, pid, started_at) VALUES (?, 999999999, '2024-01-01')`).run(path.relative(barsRoot, orphan));
    // and one killed between its commit and the move: a superseded file still in the tree
    const second = await writer.write(session(0, 20));
    const ended = path.join(retainedRoot(barsRoot), path.relative(barsRoot, live));
    fs.renameSync(ended, live);
    const r = await sweepDebris(catalog, () => false);
    expect(r).toEqual({ removed: [orphan], moved: 1 });
    expect(fs.readdirSync(partitionDir(barsRoot, key))).toEqual([path.basename(second.file)]);
    expect(fs.existsSync(ended)).toBe(true);
    expect(await rows(`SELECT close, count(*) FROM bars GROUP BY ALL`)).toEqual([[20, '390']]);
  });
});

describe('free space', () => {
  it('a write or a compaction refuses with E_DISK_FULL when the disk is short, and changes nothing', async () => {
    await writer.write(session(0, 10));
    await writer.write(session(1, 11));
    const tree = fs.readdirSync(partitionDir(barsRoot, key)).sort();
    const catalogued = catalog.partitionFiles(key);
    free = 100 * 1024 * 1024;
    await expect(writer.write(session(2, 12))).rejects.toMatchObject({ code: 'E_DISK_FULL', message: expect.stringMatching(/^not enough free space for a write of AAPL 1m 2024: .* 100 MB free under /) });
    await expect(writer.compact([key])).rejects.toMatchObject({ code: 'E_DISK_FULL' });
    expect(fs.readdirSync(partitionDir(barsRoot, key)).sort()).toEqual(tree);
    expect(catalog.partitionFiles(key)).toEqual(catalogued);
    free = Number.MAX_SAFE_INTEGER;
    await writer.write(session(2, 12));
    expect(catalog.partitionFiles(key)).toHaveLength(3);
  });
});

describe('snapshots', () => {
  it('resolves --as-of by job or time (UTC without an offset); older than retained is bad input naming the oldest', async () => {
    await writer.write({ ...session(0, 10), jobId: 'job-a' });
    const a = resolveSnapshot(catalog, 'job-a');
    expect(resolveSnapshot(catalog, a.at).id).toBe(a.id);
    expect(resolveSnapshot(catalog, a.at.replace('Z', '')).id).toBe(a.id);
    expect(() => resolveSnapshot(catalog, '2001-01-01')).toThrow(/--as-of 2001-01-01: older than the oldest retained snapshot, snapshot 1 \(/);
    expect(() => resolveSnapshot(catalog, 'no-such-job')).toThrow(expect.objectContaining({ code: 'E_BAD_INPUT' }));
  });

  it('vacuum removes only superseded files older than the retention, and older snapshots become unreadable', async () => {
    await writer.write({ ...session(0, 10), jobId: 'job-a' });
    await writer.write({ ...session(0, 11), jobId: 'job-b' });
    const firstEnd = catalog.retained()[0]!;
    await writer.write({ ...session(0, 12), jobId: 'job-c' });
    expect(catalog.retained()).toHaveLength(2);
    // the first superseded file ended 10 days ago, the second just now
    db.prepare(`UPDATE lake_snapshots SET at_ms = at_ms - 10 * 86400000 WHERE id = ?`).run(firstEnd.endSnapshot);
    const plan = planVacuum(catalog, barsRoot, 7);
    expect(plan.files.map((f) => f.file)).toEqual([firstEnd.file]);
    expect(plan.bytes).toBe(fs.statSync(firstEnd.file).size);
    applyVacuum(catalog, plan);
    expect(fs.existsSync(firstEnd.file)).toBe(false);
    expect(catalog.retained()).toHaveLength(1);
    expect(() => resolveSnapshot(catalog, 'job-a')).toThrow(new RegExp(`older than the oldest retained snapshot, snapshot ${firstEnd.endSnapshot} `));
    expect(await rows(`SELECT DISTINCT close FROM bars`, filesAsOf(catalog, 'job-b').files)).toEqual([[11]]);
  });
});

describe('migration 0012', () => {
  it('migrates a catalog of one file per partition: its files live since snapshot 1, readable as of it, appends next to them', async () => {
    const dir = path.join(tmp.dir, 'old');
    const oldBars = path.join(dir, 'lake', 'bars');
    fs.mkdirSync(oldBars, { recursive: true });
    const old = openDb(path.join(dir, 'marketpipe.db'));
    try {
      migrate(old, loadMigrations().slice(0, 11));
      // a lake of the previous build: one data.parquet, catalogued by 0010's table
      const w = await LakeWriter.open(oldBars, { freeSpace: probe });
      const { file } = await w.write(session(0, 10));
      await w.close();
      const legacy = path.join(path.dirname(file), 'data.parquet');
      fs.renameSync(file, legacy);
      old.prepare(`INSERT INTO lake_files (path, timeframe, provider, feed, symbol, year, rows, min_ts, max_ts, bytes, sha256, schema_version, job_id, published_at)
        VALUES (?, '1m', 'fake', 'sim', 'AAPL', 2024, 390, ?, ?, ?, 'x', 2, NULL, '2024-01-01')`).run(path.relative(oldBars, legacy), open(0), open(0) + 389 * 60_000, fs.statSync(legacy).size);
      old.prepare(`INSERT INTO lake_catalog_state (key, value) VALUES ('adopted', '2024-01-01')`).run();
      expect(migrate(old)[0]).toBe('0012_lake_snapshots.sql');
      const cat = new CatalogStore(old, oldBars);
      expect(cat.partitionFiles(key).map((e) => e.file)).toEqual([legacy]);
      expect(cat.oldestSnapshot().id).toBe(1);
      expect(cat.filesAt(1)).toEqual([legacy]);
      const w2 = await LakeWriter.open(oldBars, { catalog: cat, freeSpace: probe });
      await w2.write(session(1, 11));
      await w2.close();
      expect(cat.partitionFiles(key)).toHaveLength(2);
      expect(fs.existsSync(legacy)).toBe(true);
    } finally {
      old.close();
    }
  });
});
