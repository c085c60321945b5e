import fs from 'node:fs';
import path from 'node:path';
import { crashPoint } from '../pipeline/crashpoint';
import { MpError } from '../shared/errors';
import { barsAscending, tsSpan } from './pages';
import { LAKE_SCHEMA_VERSION, type CatalogCommit, type LakeCatalog, type PublishedFile } from './catalog';
import { moveAll, overlapping } from './commit';
import { fsyncPath } from './fsync';
import { newPartFileName, partitionDir, type PartitionKey } from './layout';
import { sha256File } from './publish';
import type { StagedFiles } from './stage';
import type { WriteRequest, WriteResult } from './requests';
import { BYTES_PER_BAR_ESTIMATE, ensureFreeSpace, type FreeSpaceProbe } from './space';

// The group commit: appends queued together (each a sorted batch of a partition no live file of which reaches into
// its range, at most one per partition) are published as one unit.
//   1. every batch is staged into ONE DuckDB table, with its partition's index and each bar's session code (computed
//      here from the calendar, so no statement carries the calendar);
//   2. temp Parquet files, one per partition: one `COPY ... PARTITION_BY` for the batches of one vector or less (a
//      session), checked in one query to be in ts order with their batch's rows, and a COPY of its own for any other
//      (stage.ts);
//   3. (`write.group.merged`) the final names recorded as pending in one SQLite transaction; every temp file fsynced
//      at once on the thread pool, renamed, every folder fsynced (`write.group.published`);
//   4. ONE catalog transaction, one snapshot, for every file of the group (`write.group.committed`).
// Stats (rows, first and last bar) come from the batches, not from reading the files back; checksums are streamed.
// The group is atomic: a failure at any step from 2 on rejects every write of the group, and the lake is as before it
// (temp files removed; files already renamed are removed and their pending records cleared; the catalog transaction
// did not happen). A crash before 3 leaves temp files of a dead pid, swept at the next start; one between 3 and 4 leaves pending files the start-up sweep removes (before); one after 4 a
// lake with every file of the group (after). Checks that concern one write (its folder, the free space) are made
// before staging and refuse that write alone.

/** One append of a group, checked and planned. */
export interface GroupItem {
  req: WriteRequest;
  /** rows of the partition's live files (all kept: an append reads none of them) */
  kept: number;
}

export interface GroupContext {
  barsRoot: string;
  catalog: LakeCatalog;
  /** steps 1 and 2: the group's temp files (stage.ts's writeGroupFiles, on the writer's DuckDB or in the stage worker) */
  stage: (reqs: WriteRequest[]) => Promise<StagedFiles>;
}

/** at most this many files fsynced (or hashed) at once: libuv has four threads, the rest would only hold descriptors */
const IO_PARALLEL = 16;

/** Runs `fn` over `items`, at most `n` at once; resolves when all are done, rejects with the first failure. */
export async function eachLimited<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: { e: unknown } | undefined;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length && !failed) {
        const i = next++;
        try {
          await fn(items[i]!, i);
        } catch (e) {
          failed ??= { e };
        }
      }
    }),
  );
  if (failed) throw failed.e;
}

/** Publishes the group (steps 1 to 4 above): each write's result, in order, or the group's failure (nothing published). */
export async function commitGroup(ctx: GroupContext, items: GroupItem[]): Promise<WriteResult[]> {
  const finals = items.map((it) => path.join(partitionDir(ctx.barsRoot, it.req.key), newPartFileName()));
  const renamed: string[] = [];
  let pending = false;
  let committed = false;
  let tmps: string[] = [];
  let dir: string | null = null;
  try {
    // read from the bars before staging: pages handed to the stage worker are detached here afterwards
    const published: PublishedFile[] = items.map((it, p) => {
      const span = tsSpan(it.req.batch);
      return {
        key: it.req.key,
        file: finals[p]!,
        rows: it.req.batch.length,
        // as epoch_ms() of the stored instants would read them back: whole milliseconds
        minTs: Math.round(span.first),
        maxTs: Math.round(span.last),
        bytes: 0,
        sha256: '',
        schemaVersion: LAKE_SCHEMA_VERSION,
        jobId: it.req.jobId ?? null,
      };
    });
    const staged = await ctx.stage(items.map((it) => it.req));
    ({ tmps, dir } = staged);
    await eachLimited(published, IO_PARALLEL, async (f, p) => {
      const sum = staged.sums?.[p];
      f.bytes = sum ? sum.bytes : (await fs.promises.stat(tmps[p]!)).size;
      f.sha256 = sum ? sum.sha256 : await sha256File(tmps[p]!);
    });
    crashPoint('write.group.merged');
    ctx.catalog.pendingAll(finals);
    pending = true;
    await eachLimited(tmps, IO_PARALLEL, (t) => fsyncPath(t));
    for (let p = 0; p < items.length; p++) {
      await fs.promises.rename(tmps[p]!, finals[p]!);
      renamed.push(finals[p]!);
    }
    // Windows cannot open a directory for fsync; NTFS journals the rename itself.
    if (process.platform !== 'win32') await eachLimited([...new Set(finals.map((f) => path.dirname(f)))], IO_PARALLEL, (d) => fsyncPath(d));
    crashPoint('write.group.published');
    // the partitioned COPY's folder, empty now (a folder per partition: removed on the thread pool)
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
    const commits: CatalogCommit[] = published.map((f) => ({ key: f.key, added: f, removed: [], jobId: f.jobId, kind: 'write' }));
    const { moves } = ctx.catalog.commitMany(commits);
    committed = true;
    crashPoint('write.group.committed');
    await moveAll(moves);
  } catch (e) {
    if (!committed) {
      for (const t of tmps) fs.rmSync(t, { force: true });
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
      // renamed but never committed: not part of the lake, so not left for the next start's sweep
      for (const f of renamed) fs.rmSync(f, { force: true });
      if (pending) for (const f of finals) ctx.catalog.clearPending(f);
    }
    if (e instanceof MpError) throw e;
    throw new MpError('E_IO', `writing a group of ${items.length} partitions failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return items.map((it, p) => ({ file: finals[p]!, written: it.req.batch.length, total: it.kept + it.req.batch.length }));
}

/** A write() waiting in the writer's queue for its group. */
export interface Queued {
  req: WriteRequest;
  resolve: (r: WriteResult) => void;
  reject: (e: unknown) => void;
}

/** What runWrites() needs of the lake writer. */
export interface GroupHost {
  barsRoot: string;
  /** without a catalog (tests of other domains) every write takes the one-by-one path */
  catalog: LakeCatalog | undefined;
  freeSpace: FreeSpaceProbe;
  /** steps 1 and 2 of a group commit (see GroupContext) */
  stage: (reqs: WriteRequest[]) => Promise<StagedFiles>;
  compactIfNeeded: (keys: PartitionKey[], jobId: string | undefined) => Promise<void>;
  /** the one-by-one path (merges, unsorted batches) */
  writeOne: (req: WriteRequest) => Promise<WriteResult>;
}

const ioError = (dir: string, e: unknown) => (e instanceof MpError ? e : new MpError('E_IO', `writing ${dir} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));

/**
 * The rows of the partition's live files when `req` is an append the group commit can take (a catalogued lake, a
 * sorted batch, no live file reaching into its range), else null. Refuses (E_DISK_FULL) when the disk cannot hold
 * it on top of the `before` bytes of the group so far.
 */
function appendable(host: GroupHost, req: WriteRequest, before: number): number | null {
  const { batch, key } = req;
  if (!host.catalog || batch.length === 0 || !barsAscending(batch)) return null;
  const files = host.catalog.partitionFiles(key);
  const span = tsSpan(batch);
  const lo = Math.min(req.replaceFrom, span.first);
  const hi = Math.max(req.replaceTo, span.last + 1);
  if (overlapping(files, lo, hi).length > 0) return null;
  ensureFreeSpace(host.freeSpace, host.barsRoot, before + batch.length * BYTES_PER_BAR_ESTIMATE, `a write of ${key.symbol} ${key.timeframe} ${key.year}`);
  return files.reduce((n, f) => n + f.rows, 0);
}

/**
 * The writes of one group, in order. Consecutive appends (see appendable) are committed together; a write that is
 * not one (it overlaps a live file, or its batch is unsorted or empty), or a second write of a partition already in
 * the pending group, first commits the group so far, so the lake ends as the writes one by one would leave it. Each
 * caller gets its own result or error: a check of one write (free space, its folder) refuses that write alone; a
 * failure of the group commit itself refuses every write of the group and publishes none; a compaction after it
 * (a partition past the threshold) that fails refuses the group's writes although their files are in the lake, as a
 * single write's compaction does.
 */
export async function runWrites(host: GroupHost, writes: Queued[]): Promise<void> {
  let group: Array<GroupItem & Queued> = [];
  const dirs = new Set<string>();
  let bytes = 0;
  const flush = async () => {
    const items = group;
    group = [];
    dirs.clear();
    bytes = 0;
    if (items.length === 0) return;
    try {
      const results = await commitGroup({ barsRoot: host.barsRoot, catalog: host.catalog!, stage: host.stage }, items);
      await host.compactIfNeeded(items.map((it) => it.req.key), items[0]!.req.jobId);
      items.forEach((it, i) => it.resolve(results[i]!));
    } catch (e) {
      for (const it of items) it.reject(e);
    }
  };
  for (const q of writes) {
    const dir = partitionDir(host.barsRoot, q.req.key);
    if (dirs.has(dir)) await flush();
    let kept: number | null;
    try {
      kept = appendable(host, q.req, bytes);
      if (kept !== null) fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      q.reject(ioError(dir, e));
      continue;
    }
    if (kept !== null) {
      group.push({ ...q, kept });
      dirs.add(dir);
      bytes += q.req.batch.length * BYTES_PER_BAR_ESTIMATE;
      continue;
    }
    await flush();
    await host.writeOne(q.req).then(q.resolve, q.reject);
  }
  await flush();
}
