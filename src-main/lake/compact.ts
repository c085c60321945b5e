import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { MpError } from '../shared/errors';
import type { LakeCatalog } from './catalog';
import { commitFile, partFiles, type CommitContext } from './commit';
import { partitionDir, partitionFilesOnDisk, sqlString, tempFileName, type PartitionKey } from './layout';
import { typedCopySql } from './publish';
import { ensureFreeSpace, type FreeSpaceProbe } from './space';
import { planCompaction } from './tiers';

// Compaction: a partition's files (appends) merged into one. The merged file is published only after an identity
// check, rows and an order-independent content hash (the sum of every row's hash) equal to those of the files it
// replaces, then through the same kill-safe commit as any write (commit.ts; crash points compact.merged,
// compact.published, compact.committed; for a tail merge compact.tail.merged, compact.tail.published,
// compact.tail.committed). Nautilus Trader's catalog lost data in exactly this step (its issues 3875 and 4435): a
// merge that dropped or doubled rows is refused here, and nothing changes. What an automatic compaction merges is
// decided in tiers.ts (the small files only, the base kept); `marketpipe lake compact` merges every file.

/**
 * Compaction runs after a write leaves a partition with more files than this, in the same job (queued behind the
 * write), so a job ends with every partition it touched holding at most this many files. Measured (docs/benchmarks.md,
 * "Compaction threshold"): `marketpipe query` over partitions of 8 one-session files used 1.05-1.27x the CPU of the
 * compacted lake (16 files: 1.33-1.41x; 4: 1.01-1.10x). It merges the partition's small files only (tiers.ts), so
 * its cost follows what was appended, not the year. MP_COMPACT_THRESHOLD overrides it.
 */
export const COMPACT_THRESHOLD = 8;

const ALL_COLUMNS = 'ts, open, high, low, close, volume, trade_count, vwap, session';

export interface CompactResult {
  key: PartitionKey;
  /** `fold`: every file of the partition merged into one; `tail`: its small files only (the base left as it is) */
  kind: 'fold' | 'tail';
  /** files merged */
  files: number;
  rows: number;
  /** bytes of the files merged, and of the merged file */
  bytesBefore: number;
  bytesAfter: number;
  file: string;
}

export interface CompactContext extends CommitContext {
  freeSpace: FreeSpaceProbe;
}

/** Row count and content hash of Parquet files (order-independent: a sum of row hashes). */
async function identity(conn: DuckDBConnection, files: string[]): Promise<{ rows: number; hash: string }> {
  const list = `[${files.map(sqlString).join(', ')}]`;
  const r = (await conn.runAndReadAll(`SELECT count(*)::VARCHAR, coalesce(sum(hash(${ALL_COLUMNS})), 0)::VARCHAR FROM read_parquet(${list}, hive_partitioning = false)`)).getRows()[0];
  return { rows: Number(r?.[0] ?? 0), hash: String(r?.[1] ?? '') };
}

/**
 * Merges the partition's live files into one; null when it has fewer than two. With `threshold` (the automatic
 * compaction), only what planCompaction() picks, and nothing while the partition holds that many files or fewer.
 * `afterMerge` sees the merged temp file before the identity check (the tests use it to damage it).
 */
export async function compactPartition(
  ctx: CompactContext,
  conn: DuckDBConnection,
  key: PartitionKey,
  opts: { jobId: string | null; threshold?: number; afterMerge?: (tmp: string) => Promise<void> },
): Promise<CompactResult | null> {
  const all = await partFiles(ctx, conn, key, () => partitionFilesOnDisk(ctx.barsRoot, key));
  const plan = opts.threshold === undefined ? (all.length < 2 ? null : { kind: 'fold' as const, files: all }) : planCompaction(all, opts.threshold);
  if (!plan) return null;
  const files = plan.files;
  const where = `${key.symbol} ${key.timeframe} ${key.year} (${key.provider}/${key.feed})`;
  const bytesBefore = files.reduce((n, f) => n + f.bytes, 0);
  ensureFreeSpace(ctx.freeSpace, ctx.barsRoot, bytesBefore, `compacting ${where}`);
  const paths = files.map((f) => f.file);
  const tmp = path.join(partitionDir(ctx.barsRoot, key), tempFileName());
  try {
    await conn.run(typedCopySql(`SELECT ${ALL_COLUMNS} FROM read_parquet([${paths.map(sqlString).join(', ')}], hive_partitioning = false) ORDER BY ts`, tmp));
    await opts.afterMerge?.(tmp);
    const want = await identity(conn, paths);
    const got = await identity(conn, [tmp]);
    if (want.rows !== got.rows || want.hash !== got.hash) {
      throw new MpError('E_IO', `compaction of ${where} refused: the merged file has ${got.rows} rows (content hash ${got.hash}), its ${files.length} files ${want.rows} (${want.hash}); nothing was changed`);
    }
    const f = await commitFile(ctx, conn, { key, tmp, removed: paths, jobId: opts.jobId, kind: 'compact', crash: plan.kind === 'tail' ? 'compact.tail' : 'compact' });
    return { key, kind: plan.kind, files: files.length, rows: f.rows, bytesBefore, bytesAfter: f.bytes, file: f.file };
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    if (e instanceof MpError) throw e;
    throw new MpError('E_IO', `compacting ${where} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** The partitions that hold more than `min` live files (all with several when min is 1). */
export function partitionsToCompact(catalog: LakeCatalog, min = 1): PartitionKey[] {
  const count = new Map<string, { key: PartitionKey; n: number }>();
  for (const e of catalog.liveFiles()) {
    const id = `${e.key.timeframe}\0${e.key.provider}\0${e.key.feed}\0${e.key.symbol}\0${e.key.year}`;
    const c = count.get(id) ?? { key: e.key, n: 0 };
    c.n++;
    count.set(id, c);
  }
  return [...count.values()].filter((c) => c.n > min).map((c) => c.key);
}
