import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogStore } from '../db/catalog';
import { migrate } from '../db/migrations';
import { openDb } from '../db/open';
import { BAR_COLUMNS, type BarBatch } from './batch';
import { pagedBatch, tsSpan } from './pages';
import { sliceBatch } from '../providers/batch';
import { bars, DAY, jan2, keyOf, mix } from '../testing/lakeBars';
import { makeTmpDir, type TmpDir } from '../testing/tmp';
import { listBarFiles, partitionDir, partitionFilesOnDisk } from './layout';
import type { FreeSpaceProbe } from './space';
import { FREE_SPACE_MARGIN } from './space';
import { LakeWriter } from './writer';
import { DuckDBInstance } from '@duckdb/node-api';
import { sweepTempFiles } from './fsync';
import { sqlString } from './layout';
import { misfits } from './stage';

// The group commit (group.ts): writes queued together publish the same files as the same writes one by one, with
// one catalog snapshot; a write's own failure refuses it alone, a failure of the group refuses the group and leaves
// the lake as it was.

let tmp: TmpDir;
const opened: Array<{ writer: LakeWriter; db: Database.Database | null }> = [];
let free = Number.MAX_SAFE_INTEGER;
const probe: FreeSpaceProbe = () => free;

beforeEach(() => {
  tmp = makeTmpDir('mp-group-');
  free = Number.MAX_SAFE_INTEGER;
});
afterEach(async () => {
  for (const o of opened.splice(0)) {
    await o.writer.close();
    o.db?.close();
  }
  tmp.cleanup();
});

/** A lake of its own: a writer with a real SQLite catalog, or (catalogued false) the writer alone. */
async function lake(name: string, catalogued = true, stageWorker = false) {
  const barsRoot = path.join(tmp.dir, name, 'lake', 'bars');
  fs.mkdirSync(barsRoot, { recursive: true });
  let db: Database.Database | null = null;
  let catalog: CatalogStore | undefined;
  if (catalogued) {
    db = openDb(path.join(tmp.dir, name, 'marketpipe.db'));
    migrate(db);
    catalog = new CatalogStore(db, barsRoot);
    catalog.setAdopted();
  }
  const writer = await LakeWriter.open(barsRoot, { ...(catalog ? { catalog } : {}), freeSpace: probe, ...(stageWorker ? { stageWorker: { tempDir: path.join(tmp.dir, name, 'spill') } } : {}) });
  opened.push({ writer, db });
  const count = () => Number((db!.prepare(`SELECT count(*) AS n FROM lake_snapshots`).get() as { n: number }).n);
  // snapshots committed since the lake was made (the migrations make one)
  const base = catalogued ? count() : 0;
  const snapshots = () => count() - base;
  return { barsRoot, db, catalog, writer, snapshots };
}

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('group commit', () => {
  it('N appends queued together publish the same files (byte for byte) and catalog rows as N single writes, in one snapshot', async () => {
    const grouped = await lake('grouped');
    const single = await lake('single');
    const plain = await lake('plain', false);
    const reqs = mix();
    // queued together: taken as one group
    const g = await Promise.all(reqs.map((r) => grouped.writer.write(r)));
    expect(grouped.snapshots()).toBe(1);
    // one at a time: a group of one each
    const s = [];
    for (const r of reqs) s.push(await single.writer.write(r));
    expect(single.snapshots()).toBe(reqs.length);
    // no catalog: the one-by-one path, its session computed in SQL from the calendar
    const p = [];
    for (const r of reqs) p.push(await plain.writer.write(r));
    expect(g.map((r) => [r.written, r.total])).toEqual(reqs.map((r) => [r.batch.length, r.batch.length]));
    expect(s.map((r) => [r.written, r.total])).toEqual(g.map((r) => [r.written, r.total]));
    expect(p.map((r) => [r.written, r.total])).toEqual(g.map((r) => [r.written, r.total]));
    for (let i = 0; i < reqs.length; i++) {
      const k = reqs[i]!.key;
      expect(partitionFilesOnDisk(grouped.barsRoot, k)).toEqual([g[i]!.file]);
      expect(sha(g[i]!.file), `${k.symbol} ${k.year}`).toBe(sha(s[i]!.file));
      expect(sha(g[i]!.file), `${k.symbol} ${k.year}`).toBe(sha(p[i]!.file));
    }
    const rowsOf = (c: CatalogStore) => c.liveFiles().map(({ file, ...e }) => ({ ...e, file: path.basename(path.dirname(path.dirname(file))) }));
    expect(rowsOf(grouped.catalog!)).toEqual(rowsOf(single.catalog!));
    const bySymbol = (a: { symbol: string }, b: { symbol: string }) => a.symbol.localeCompare(b.symbol);
    expect(grouped.catalog!.liveFiles().map((e) => ({ symbol: e.key.symbol, minTs: e.minTs, maxTs: e.maxTs, rows: e.rows })).sort(bySymbol)).toEqual(
      reqs.map((r) => ({ symbol: r.key.symbol, minTs: r.batch.ts[0], maxTs: r.batch.ts[r.batch.length - 1], rows: r.batch.length })).sort(bySymbol),
    );
    expect(grouped.db!.prepare(`SELECT count(*) AS n FROM lake_pending`).get()).toEqual({ n: 0 });
  });

  it('keeps the order of the queue: a second write of a partition in the group, and a merge, see the writes before them', async () => {
    const l = await lake('order');
    const k = keyOf('AAA');
    const day = (d: number, seed: number) => bars(k, jan2 + d * DAY, jan2 + (d + 1) * DAY, 1, seed);
    const [a, b, c, d] = await Promise.all([l.writer.write(day(0, 10)), l.writer.write(day(1, 20)), l.writer.write(day(0, 30)), l.writer.write(bars(keyOf('BBB'), jan2, jan2 + DAY, 1, 40))]);
    expect([a.total, b.total, c.total, d.total]).toEqual([1440, 2880, 2880, 1440]);
    // the merge of day 0 replaced the first file; the second day's file stays
    const live = l.catalog!.partitionFiles(k).map((e) => e.file);
    expect(live).toEqual([c.file, b.file]);
    expect(fs.existsSync(a.file)).toBe(false);
  });

  it("a write's own failure (its folder, the free space) refuses it alone; the rest of the group is published", async () => {
    const l = await lake('partial');
    const blocked = keyOf('BLK');
    // a file where the partition's folder must be
    fs.mkdirSync(path.dirname(partitionDir(l.barsRoot, blocked)), { recursive: true });
    fs.writeFileSync(partitionDir(l.barsRoot, blocked), 'not a folder');
    const one = (s: string) => bars(keyOf(s), jan2, jan2 + DAY / 4, 1, 1);
    // room for two writes of 360 bars (64 bytes a bar, the estimate) beyond the margin, not three
    free = FREE_SPACE_MARGIN + 2 * 360 * 64 + 100;
    const results = await Promise.allSettled([one('AAA'), bars(blocked, jan2, jan2 + DAY / 4, 1, 1), one('BBB'), one('CCC')].map((r) => l.writer.write(r)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'E_IO', message: expect.stringContaining('symbol=BLK') });
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'E_DISK_FULL', message: expect.stringMatching(/^not enough free space for a write of CCC 1m 2024/) });
    expect(l.catalog!.liveFiles().map((e) => e.key.symbol)).toEqual(['AAA', 'BBB']);
    expect(l.snapshots()).toBe(1);
    expect(listBarFiles(l.barsRoot)).toEqual(l.catalog!.liveFiles().map((e) => e.file).sort());
  });

  it('a failure of the group commit itself refuses every write of the group and leaves the lake as it was', async () => {
    const l = await lake('atomic');
    await l.writer.write(bars(keyOf('AAA'), jan2, jan2 + DAY, 1, 1));
    const before = { files: listBarFiles(l.barsRoot), live: l.catalog!.liveFiles(), snapshots: l.snapshots() };
    // the catalog refuses one partition's row: the transaction of the whole group fails (after every file was renamed)
    l.db!.exec(`CREATE TRIGGER refuse BEFORE INSERT ON lake_files WHEN NEW.symbol = 'BAD' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    const reqs = ['BBB', 'BAD', 'CCC'].map((s) => bars(keyOf(s), jan2, jan2 + DAY, 1, 2));
    const results = await Promise.allSettled([bars(keyOf('AAA'), jan2 + DAY, jan2 + 2 * DAY, 1, 2), ...reqs].map((r) => l.writer.write(r)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'E_IO', message: expect.stringMatching(/^writing a group of 4 partitions failed: .*refused by the test/) });
    expect(listBarFiles(l.barsRoot)).toEqual(before.files);
    expect(l.catalog!.liveFiles()).toEqual(before.live);
    expect(l.snapshots()).toBe(before.snapshots);
    expect(l.db!.prepare(`SELECT count(*) AS n FROM lake_pending`).get()).toEqual({ n: 0 });
    const leftovers = fs.readdirSync(l.barsRoot, { recursive: true }).map(String).filter((f) => path.basename(f).startsWith('.'));
    expect(leftovers).toEqual([]);
    // and once the cause is gone the same writes go through
    l.db!.exec(`DROP TRIGGER refuse`);
    await Promise.all(reqs.map((r) => l.writer.write(r)));
    expect(l.catalog!.liveFiles().map((e) => e.key.symbol)).toEqual(['AAA', 'BAD', 'BBB', 'CCC']);
  });

  it('many small batches in one partitioned COPY: every file whole and in ts order, the same bytes as written alone', async () => {
    const grouped = await lake('many');
    const plain = await lake('many-plain', false);
    // sizes from 1 to a whole vector, so batches fill vectors unevenly and padding is needed between them
    const sizes = Array.from({ length: 90 }, (_, i) => [1, 2048, 390, 960, 1000, 1049, 7, 2047][i % 8]! + (i % 3));
    const reqs = sizes.map((n, i) => bars(keyOf(`M${i}`), jan2 + 9 * 3_600_000, jan2 + 9 * 3_600_000 + Math.min(n, 2048) * 60_000, 1, i));
    const g = await Promise.all(reqs.map((r) => grouped.writer.write(r)));
    expect(grouped.snapshots()).toBe(1);
    const inst = await DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    try {
      const r = await c.runAndReadAll(`SELECT filename, count(*)::DOUBLE, count(*) FILTER (WHERE prev >= ts)::DOUBLE FROM (SELECT filename, ts,
        lag(ts) OVER (PARTITION BY filename ORDER BY file_row_number) AS prev FROM read_parquet([${g.map((x) => sqlString(x.file)).join(', ')}], filename = true, file_row_number = true)) GROUP BY ALL`);
      const byFile = new Map(r.getRows().map(([f, n, d]) => [String(f), [Number(n), Number(d)]]));
      expect(g.map((x) => byFile.get(x.file))).toEqual(reqs.map((q) => [q.batch.length, 0]));
    } finally {
      c.closeSync();
      inst.closeSync();
    }
    for (let i = 0; i < reqs.length; i += 9) expect(sha(g[i]!.file)).toBe(sha((await plain.writer.write(reqs[i]!)).file));
    // the partitioned COPY's folder is gone
    expect(fs.readdirSync(grouped.barsRoot)).toEqual(['timeframe=1m']);
  });

  it('the check after the partitioned COPY finds a file out of ts order or not holding its batch', async () => {
    const inst = await DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    try {
      const file = (name: string, tsList: number[]) => {
        const f = path.join(tmp.dir, name);
        return c.run(`COPY (SELECT make_timestamptz(x * 1000) AS ts FROM unnest([${tsList.join(', ')}]::BIGINT[]) WITH ORDINALITY AS t(x, o) ORDER BY o) TO ${sqlString(f)} (FORMAT parquet)`).then(() => f);
      };
      const files = [await file('ok.parquet', [1, 2, 3]), await file('unsorted.parquet', [1, 3, 2]), await file('short.parquet', [1, 2]), await file('dup.parquet', [1, 1, 2])];
      const three = bars(keyOf('X'), 0, 3 * 60_000, 1, 1);
      expect(await misfits(c, files, [three, three, three, three])).toEqual([1, 2, 3]);
    } finally {
      c.closeSync();
      inst.closeSync();
    }
  });

  it('staged in the stage worker (its own DuckDB, off the event loop): the same files, byte for byte, as staged on the writer', async () => {
    const worker = await lake('worker', true, true);
    const local = await lake('local');
    // the mix, and enough one-session batches for the partitioned COPY
    const reqs = [...mix(), ...Array.from({ length: 20 }, (_, i) => bars(keyOf(`W${i}`), jan2 + 9 * 3_600_000, jan2 + (10 + (i % 7)) * 3_600_000, 1, i))];
    // every other batch in one SharedArrayBuffer (the worker reads it where it lies; the others cross packed)
    for (let i = 0; i < reqs.length; i += 2) {
      const b = reqs[i]!.batch;
      const sab = new SharedArrayBuffer(b.length * 64);
      const shared = { ...b };
      BAR_COLUMNS.forEach((c, k) => (shared[c] = new Float64Array(sab, k * b.length * 8, b.length)).set(b[c]));
      reqs[i] = { ...reqs[i]!, batch: shared };
    }
    const w = await Promise.all(reqs.map((r) => worker.writer.write(r)));
    const l = await Promise.all(reqs.map((r) => local.writer.write(r)));
    expect(worker.snapshots()).toBe(1);
    expect(w.map((r) => [r.written, r.total])).toEqual(l.map((r) => [r.written, r.total]));
    for (let i = 0; i < reqs.length; i++) expect(sha(w[i]!.file), reqs[i]!.key.symbol).toBe(sha(l[i]!.file));
    // the batches were copied, not taken: the caller's columns are whole after the write
    expect(reqs[0]!.batch.ts.length).toBe(reqs[0]!.batch.length);
    expect(fs.readdirSync(worker.barsRoot)).toEqual(['timeframe=1d', 'timeframe=1m']);
  });

  it('pages handed over with a write (the ingest runner\'s) cross to the stage worker by transfer: the same files as the batch given whole', async () => {
    const worker = await lake('paged', true, true);
    const local = await lake('whole');
    const reqs = [...mix(), bars(keyOf('ONE'), jan2 + 9 * 3_600_000, jan2 + 10 * 3_600_000, 1, 7)];
    // each batch cut into pages of 1,000 rows (copies: their own buffers, as a provider's pages)
    const paged = reqs.map((r) => {
      const pages: BarBatch[] = [];
      for (let at = 0; at < r.batch.length; at += 1000) {
        const page = sliceBatch(r.batch, at, Math.min(r.batch.length, at + 1000));
        const own = { ...page };
        for (const c of BAR_COLUMNS) own[c] = page[c].slice();
        pages.push(own);
      }
      return { ...r, batch: pagedBatch(r.batch.symbol, pages) };
    });
    const w = await Promise.all(paged.map((r) => worker.writer.write(r)));
    const l = await Promise.all(reqs.map((r) => local.writer.write(r)));
    expect(worker.snapshots()).toBe(1);
    expect(w.map((r) => [r.written, r.total])).toEqual(l.map((r) => [r.written, r.total]));
    for (let i = 0; i < reqs.length; i++) expect(sha(w[i]!.file), reqs[i]!.key.symbol).toBe(sha(l[i]!.file));
    // taken, not copied: the pages' buffers now belong to the worker, and reading them here is refused, not silently empty
    const first = paged[0]!.batch.pages[0]!;
    expect(first.ts.length).toBe(0);
    expect(() => tsSpan(paged[0]!.batch)).toThrow(/used after its buffers were handed over/);
  });

  it('a stage worker that dies mid-group fails the group with a coded error, leaves no file behind, and the next group is staged by a new thread', async () => {
    const l = await lake('dies', true, true);
    const reqs = Array.from({ length: 6 }, (_, i) => bars(keyOf(`D${i}`), jan2, jan2 + DAY, 1, i));
    // read by the thread when it starts (its first group)
    process.env.MP_THREAD_EXIT_AT = 'write.group.staged';
    let failed: unknown[];
    try {
      failed = await Promise.all(reqs.map((r) => l.writer.write(r).then(() => null, (e: unknown) => e)));
    } finally {
      delete process.env.MP_THREAD_EXIT_AT;
    }
    for (const e of failed) expect(e).toMatchObject({ code: 'E_INTERNAL', message: expect.stringMatching(/lake-stage worker failed: exited with code 70/) });
    expect(l.snapshots()).toBe(0);
    expect(fs.readdirSync(l.barsRoot, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())).toEqual([]);
    expect(fs.readdirSync(l.barsRoot).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(l.db!.prepare(`SELECT count(*) AS n FROM lake_pending`).get()).toEqual({ n: 0 });
    // the same writes again: a new thread stages them, and they are published as a clean writer publishes them
    const again = await Promise.all(reqs.map((r) => l.writer.write(r)));
    const clean = await lake('dies-clean');
    const c = await Promise.all(reqs.map((r) => clean.writer.write(r)));
    for (let i = 0; i < reqs.length; i++) expect(sha(again[i]!.file)).toBe(sha(c[i]!.file));
    expect(l.snapshots()).toBe(1);
  });

  it("the start-up sweep removes a dead writer's group folder and keeps a live one's", async () => {
    const root = path.join(tmp.dir, 'sweep');
    const dead = path.join(root, '.group.999999999.abc', '_p=0');
    const live = path.join(root, `.group.${process.pid}.abc`, '_p=0');
    for (const d of [dead, live]) {
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, '.data.1.x_0.parquet.tmp'), 'x');
    }
    sweepTempFiles(root);
    expect(fs.readdirSync(root)).toEqual([`.group.${process.pid}.abc`]);
    expect(fs.readdirSync(live)).toEqual(['.data.1.x_0.parquet.tmp']);
  });
});
