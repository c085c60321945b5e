import path from 'node:path';
import type { Timeframe } from '../contract/schemas';
import { isDataFileName, retainedRoot, type PartitionKey } from './layout';
import type { SourceFile } from './select';

// The catalog: which files are the lake. The SQLite store (db/catalog.ts) implements LakeCatalog; the lake writer
// reports each publish through a hook the engine wires (services.ts), so lake/ never imports db/. Readers (the query
// service's views, aggregation, validation, the chart) read the catalogued files only: a stray, foreign or
// half-written file in the tree never changes an answer.

/**
 * The version of the files' schema. 1: files of builds before the catalog (trade_count DOUBLE in aggregates, some
 * without `session`); 2: the columns and types of LAKE_SCHEMA, in that order, in every file.
 */
export const LAKE_SCHEMA_VERSION = 2;

/** Every lake file's columns, in order, with their DuckDB types (the partition columns live in the folder names). */
export const LAKE_SCHEMA: ReadonlyArray<readonly [string, string]> = [
  ['ts', 'TIMESTAMP WITH TIME ZONE'],
  ['open', 'DOUBLE'],
  ['high', 'DOUBLE'],
  ['low', 'DOUBLE'],
  ['close', 'DOUBLE'],
  ['volume', 'DOUBLE'],
  ['trade_count', 'BIGINT'],
  ['vwap', 'DOUBLE'],
  ['session', 'VARCHAR'],
];

/** The projection every write goes through (see writer.typedCopySql). */
export const TYPED_COLUMNS = LAKE_SCHEMA.map(([c, t]) => `${c}::${t === 'TIMESTAMP WITH TIME ZONE' ? 'TIMESTAMPTZ' : t} AS ${c}`).join(', ');

/** What the writer reports of each file it publishes. */
export interface PublishedFile {
  key: PartitionKey;
  /** absolute path */
  file: string;
  rows: number;
  /** epoch ms of the first and last bar (null when the file has no rows) */
  minTs: number | null;
  maxTs: number | null;
  bytes: number;
  /** hex sha256 of the file's bytes */
  sha256: string;
  schemaVersion: number;
  jobId: string | null;
}

export type CatalogStatus = 'ok' | 'bad';

export interface CatalogEntry extends PublishedFile {
  /** `bad`: a check found it damaged (missing, another size, unreadable); the views leave it out until repaired */
  status: CatalogStatus;
  problem: string | null;
}

/** What a commit changes in one partition: one file in (or none), the files it supersedes out. */
export interface CatalogCommit {
  key: PartitionKey;
  added: PublishedFile | null;
  /** live files (absolute paths) this commit supersedes: they leave the tree for the retained area */
  removed: string[];
  jobId: string | null;
  /** `prune`: a partition taken out of the live lake (`marketpipe prune bars`), its files retained like superseded ones */
  kind: 'write' | 'compact' | 'adopt' | 'prune';
}

export interface CommitResult {
  snapshot: number;
  /** where each removed file is to be moved (absolute paths), recorded in the catalog with the commit */
  moves: Array<{ from: string; to: string }>;
}

/** A snapshot of the catalog: every commit is one. */
export interface Snapshot {
  id: number;
  /** ISO time of the commit */
  at: string;
  atMs: number;
  jobId: string | null;
  kind: string;
}

/** A superseded file kept in the retained area. */
export interface RetainedFile {
  /** absolute path in the retained area */
  file: string;
  /** where it was in the tree (absolute) */
  was: string;
  bytes: number;
  sha256: string;
  /** the snapshots that need it: [beginSnapshot, endSnapshot) */
  beginSnapshot: number;
  endSnapshot: number;
  endedAtMs: number;
}

/** A file a snapshot held that cannot be read as catalogued. */
export interface DamagedFile {
  /** absolute path where the snapshot had it (the tree, or the retained area) */
  file: string;
  /** relative to the data dir, for messages */
  rel: string;
  problem: string;
  /** taken out of the lake by `lake repair` (quarantined), not merely found damaged */
  quarantined: boolean;
}

/** The catalog as the lake sees it (implemented over SQLite by db/catalog.ts). */
export interface LakeCatalog {
  /** registers a file found in the tree (adoption): a commit that adds it */
  record(f: PublishedFile): void;
  /** live entries (any status) */
  entries(): CatalogEntry[];
  /** live entries with status ok */
  liveFiles(): CatalogEntry[];
  /** the live, ok files of one partition */
  partitionFiles(key: PartitionKey): CatalogEntry[];
  markBad(file: string, problem: string): void;
  /**
   * Takes a damaged live file out of the lake (`lake repair` moved it to quarantine): a commit (a snapshot) that ends
   * its row and keeps it marked bad with `problem`, so an older snapshot that held it names it instead of silently
   * lacking its rows. Returns the snapshot.
   */
  quarantine(file: string, problem: string): number;
  /** Marks a retained file (absolute path in the retained area) damaged: snapshots that need it name it. */
  markRetainedBad(file: string, problem: string): void;
  /** the damaged files (marked bad, live or ended) that the lake held at snapshot `id` */
  damagedAt(id: number): DamagedFile[];
  /** Whether the adoption of a lake written before the catalog has finished. */
  adopted(): boolean;
  setAdopted(): void;
  /** a file about to be renamed into the tree: until its commit (or the sweep) it is the writer's */
  pending(file: string): void;
  /** pending() of many files in one SQLite transaction (a group commit's) */
  pendingAll(files: string[]): void;
  /** One SQLite transaction: a new snapshot, the added file in, the removed ones out (ended, with their retained path). */
  commit(c: CatalogCommit): CommitResult;
  /** commit() of many partitions' changes in one SQLite transaction and one snapshot (the writer's group commit) */
  commitMany(cs: CatalogCommit[]): CommitResult;
  /** pending files of writers that are gone (not this process, not alive) */
  stalePending(alive: (pid: number) => boolean): string[];
  clearPending(file: string): void;
  /** whether a path (absolute) is a catalogued file, live or retained */
  knows(file: string): boolean;
  /** ended files whose move to the retained area may not have happened (a crash after the commit) */
  ended(): Array<{ from: string; to: string }>;
  /** the last snapshot a job committed */
  snapshotOfJob(jobId: string): Snapshot | undefined;
  /** the last snapshot committed at or before `ms` */
  snapshotAt(ms: number): Snapshot | undefined;
  /** the first snapshot from `id` on */
  snapshotFrom(id: number): Snapshot;
  /** the oldest snapshot whose files are all still kept */
  oldestSnapshot(): Snapshot;
  /** readable snapshots, newest first, at most `limit`: a job's by its last commit, every other commit by itself */
  snapshots(limit: number): Snapshot[];
  /**
   * files (absolute paths) of the lake as it stood at snapshot `id`: live ones in the tree, superseded ones retained
   * (those marked bad are left out: see damagedAt)
   */
  filesAt(id: number): string[];
  /** superseded files kept in the retained area (not those marked bad) */
  retained(): RetainedFile[];
  /** forgets vacuumed files; snapshots before `oldest` can no longer be read */
  forgetRetained(files: string[], oldest: number): void;
}

/**
 * The partition key of a file path under barsRoot (its Hive folder names), or null when it is not a data file's. A
 * retained file (same relative path under the retained area) has its partition's key too.
 */
export function keyOfPath(barsRoot: string, file: string): PartitionKey | null {
  let rel = path.relative(barsRoot, file).split(path.sep);
  if (rel[0] === '..') rel = path.relative(retainedRoot(barsRoot), file).split(path.sep);
  if (rel.length !== 6 || !isDataFileName(rel[5]!)) return null;
  const names = ['timeframe', 'provider', 'feed', 'symbol', 'year'];
  const vals: string[] = [];
  for (let i = 0; i < 5; i++) {
    const prefix = `${names[i]}=`;
    if (!rel[i]!.startsWith(prefix)) return null;
    vals.push(rel[i]!.slice(prefix.length));
  }
  if (!/^\d{4}$/.test(vals[4]!) || vals.some((v) => v === '' || v.includes('/'))) return null;
  return { timeframe: vals[0] as Timeframe, provider: vals[1]!, feed: vals[2]!, symbol: vals[3]!, year: Number(vals[4]) };
}

/** The catalogued files as selection sources (aggregation, validation, the chart). */
export function catalogSourceFiles(entries: CatalogEntry[]): SourceFile[] {
  return entries.map((e) => ({ timeframe: e.key.timeframe, provider: e.key.provider, feed: e.key.feed, symbol: e.key.symbol, year: e.key.year, file: e.file }));
}

// Readers that cannot be handed the catalog through their options (selection helpers called from several services)
// find it here by the lake's root; the engine registers it when it opens the catalog and removes it when it closes.
const registry = new Map<string, LakeCatalog>();

export function registerCatalog(barsRoot: string, catalog: LakeCatalog): () => void {
  const key = path.resolve(barsRoot);
  registry.set(key, catalog);
  return () => {
    if (registry.get(key) === catalog) registry.delete(key);
  };
}

export function catalogFor(barsRoot: string): LakeCatalog | undefined {
  return registry.get(path.resolve(barsRoot));
}
