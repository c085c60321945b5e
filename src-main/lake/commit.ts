import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { crashPoint } from '../pipeline/crashpoint';
import { LAKE_SCHEMA_VERSION, type CatalogCommit, type LakeCatalog, type PublishedFile } from './catalog';
import { fsyncPath, publishAtomically } from './fsync';
import { newPartFileName, partitionDir, type PartitionKey } from './layout';
import { fileStats, sha256File } from './publish';

// How a new file enters a partition and the files it supersedes leave it, in an order that survives kill -9 at
// any step (each step is a crash point `<prefix>.<step>` for the kill tests):
//   1. the temp file is complete (`.merged`): a crash leaves a dot-named temp file, swept as before;
//   2. its final name is recorded as pending, then fsync, rename into the tree, fsync the folder (`.published`):
//      a crash leaves an uncatalogued file that the start-up sweep removes (it is pending; the old files are still
//      live, so the lake is as it was before the write);
//   3. the catalog commit, one SQLite transaction: a snapshot, the new row in, the superseded rows ended with the
//      retained path they move to (`.committed`): a crash leaves those files in the tree, no longer read; the sweep
//      finishes their move;
//   4. the superseded files move out of the tree into <data>/lake/retained (fsync both folders).

/** What a partition's live file is to the writer: where its rows lie (to decide overlap) and its size. */
export interface PartFile {
  file: string;
  rows: number;
  minTs: number | null;
  maxTs: number | null;
  bytes: number;
}

export interface CommitContext {
  barsRoot: string;
  catalog?: LakeCatalog;
}

export interface CommitRequest {
  key: PartitionKey;
  /** the complete temp file (in the partition's folder) */
  tmp: string;
  /** its final name (a new one when not given) */
  file?: string;
  /** live files it supersedes (their rows are in it, or replaced by it) */
  removed: string[];
  jobId: string | null;
  kind: CatalogCommit['kind'];
  /** files outside the catalog this one replaces (adoption's rewrite of an older file): removed after the commit */
  uncatalogued?: string[];
  /** crash point prefix (`compact`, `write`) */
  crash?: string;
}

/** The live files of a partition: the catalog's, or without one the folder's (their ranges read from the files). */
export async function partFiles(ctx: CommitContext, conn: DuckDBConnection, key: PartitionKey, onDisk: () => string[]): Promise<PartFile[]> {
  if (ctx.catalog) return ctx.catalog.partitionFiles(key).map((e) => ({ file: e.file, rows: e.rows, minTs: e.minTs, maxTs: e.maxTs, bytes: e.bytes }));
  const out: PartFile[] = [];
  for (const file of onDisk()) out.push({ file, ...(await fileStats(conn, file)), bytes: fs.statSync(file).size });
  return out;
}

/** The files whose rows may lie in [from, to): those a write of that range rewrites. */
export function overlapping(files: PartFile[], from: number, to: number): PartFile[] {
  return files.filter((f) => f.minTs !== null && f.maxTs !== null && f.minTs < to && f.maxTs >= from);
}

/** Publishes `tmp` as a new file of its partition and supersedes `removed` (steps 1 to 4 above). */
export async function commitFile(ctx: CommitContext, conn: DuckDBConnection, req: CommitRequest): Promise<PublishedFile> {
  const crash = (step: string) => req.crash && crashPoint(`${req.crash}.${step}`);
  const file = req.file ?? path.join(partitionDir(ctx.barsRoot, req.key), newPartFileName());
  const stats = await fileStats(conn, req.tmp);
  const published: PublishedFile = {
    key: req.key,
    file,
    ...stats,
    bytes: fs.statSync(req.tmp).size,
    sha256: await sha256File(req.tmp),
    schemaVersion: LAKE_SCHEMA_VERSION,
    jobId: req.jobId,
  };
  crash('merged');
  ctx.catalog?.pending(file);
  await publishAtomically(req.tmp, file);
  crash('published');
  if (!ctx.catalog) {
    // no catalog, no history: the superseded files simply go
    for (const f of req.removed) fs.rmSync(f, { force: true });
    return published;
  }
  const { moves } = ctx.catalog.commit({ key: req.key, added: published, removed: req.removed, jobId: req.jobId, kind: req.kind });
  crash('committed');
  await moveAll(moves);
  for (const f of req.uncatalogued ?? []) fs.rmSync(f, { force: true });
  return published;
}

/** Moves superseded files to the retained area; a file already moved (or gone) is skipped. */
export async function moveAll(moves: Array<{ from: string; to: string }>): Promise<number> {
  let moved = 0;
  const dirs = new Set<string>();
  for (const m of moves) {
    if (!fs.existsSync(m.from) || fs.existsSync(m.to)) continue;
    await fs.promises.mkdir(path.dirname(m.to), { recursive: true });
    try {
      await fs.promises.rename(m.from, m.to);
    } catch (e) {
      // another process (its writer, or its start-up sweep) moved it first
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    dirs.add(path.dirname(m.from)).add(path.dirname(m.to));
    moved++;
  }
  if (process.platform !== 'win32') for (const d of dirs) await fsyncPath(d);
  return moved;
}

export interface SweepResult {
  /** files a crashed writer renamed into the tree but never committed: removed */
  removed: string[];
  /** superseded files whose move out of the tree a crash interrupted: moved */
  moved: number;
}

/**
 * The start-up sweep (every process, before the catalog is read): what a writer killed between the steps above left.
 * Only pending files are removed, so a file the catalog does not know for any other reason stays for `lake verify`
 * to report.
 */
export async function sweepDebris(catalog: LakeCatalog, alive: (pid: number) => boolean): Promise<SweepResult> {
  const removed: string[] = [];
  for (const file of catalog.stalePending(alive)) {
    if (!catalog.knows(file) && fs.existsSync(file)) {
      fs.rmSync(file, { force: true });
      removed.push(file);
    }
    catalog.clearPending(file);
  }
  const moved = await moveAll(catalog.ended());
  return { removed, moved };
}
