import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Timeframe } from '../contract/schemas';

// Hive layout: bars/timeframe=1m/provider=alpaca/feed=iex/symbol=AAPL/year=2024/part-<time>-<random>.parquet.
// Sources stay apart: the same symbol from two providers or feeds (whose volumes can differ tenfold) lives in two
// partitions, never mixed; the query layer picks one source per symbol for the `bars` view.
// A (timeframe, source, symbol, year) partition holds one file once compacted (a year of 1-minute bars is ~98k rows,
// about one DuckDB row group); a write appends a new file of its sessions instead of rewriting the year, and
// compaction merges them again past COMPACT_THRESHOLD files (compact.ts). Lakes of builds before appends have one
// `data.parquet` per partition, still read as is. Partition columns are not stored inside the files (the Spark/Trino
// convention), so every Hive-aware reader sees them once.
export const LEGACY_DATA_FILE = 'data.parquet';
export const TMP_SUFFIX = '.tmp';

/** The entries of a folder, or none when it cannot be read (absent, or removed meanwhile). */
export function dirEntries(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** The pid of the writer a temp file `.data.<pid>.….tmp` belongs to (NaN when its name carries none). */
export function tempFilePid(name: string): number {
  return Number(/^\.data\.(\d+)\./.exec(name)?.[1]);
}

/** A data file's name: `part-….parquet` (this build) or `data.parquet` (earlier builds); never a dot file. */
export function isDataFileName(name: string): boolean {
  return name === LEGACY_DATA_FILE || /^part-[a-z0-9]+-[a-f0-9]+\.parquet$/.test(name);
}

/** A new file's name: time-ordered (base 36 ms) and unique (random), so a name is never used twice. */
export function newPartFileName(): string {
  return `part-${Date.now().toString(36)}-${crypto.randomBytes(6).toString('hex')}.parquet`;
}

/** Where superseded files are kept (same relative paths as in the tree), outside the Hive tree: <data>/lake/retained. */
export function retainedRoot(barsRoot: string): string {
  return path.join(path.dirname(path.resolve(barsRoot)), 'retained');
}

/** The data files in a partition's folder (sorted), from the folder alone. */
export function partitionFilesOnDisk(barsRoot: string, k: PartitionKey): string[] {
  const dir = partitionDir(barsRoot, k);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter(isDataFileName).sort().map((n) => path.join(dir, n));
}

export interface SourceKey {
  timeframe: Timeframe;
  provider: string;
  feed: string;
  symbol: string;
}

export interface PartitionKey extends SourceKey {
  year: number;
}

export function partitionDir(barsRoot: string, k: PartitionKey): string {
  return path.join(barsRoot, `timeframe=${k.timeframe}`, `provider=${k.provider}`, `feed=${k.feed}`, `symbol=${k.symbol}`, `year=${k.year}`);
}

/** A temp name no reader's glob (*.parquet) matches; carries the pid so a sweep knows whether its writer is alive. */
export function tempFileName(): string {
  return `.data.${process.pid}.${Math.random().toString(36).slice(2, 10)}.parquet${TMP_SUFFIX}`;
}

/** The glob every reader uses (DuckDB view, CLI, tests). */
export function barsGlob(barsRoot: string): string {
  return path.join(barsRoot, 'timeframe=*', 'provider=*', 'feed=*', 'symbol=*', 'year=*', '*.parquet');
}

export const HIVE_TYPES = `{'timeframe': VARCHAR, 'provider': VARCHAR, 'feed': VARCHAR, 'symbol': VARCHAR, 'year': INTEGER}`;

const LEVELS = ['timeframe', 'provider', 'feed', 'symbol'] as const;

/** Every (timeframe, provider, feed, symbol) with at least one data file, from the folder names alone. */
export function listSources(barsRoot: string): SourceKey[] {
  const out: SourceKey[] = [];
  const walk = (dir: string, depth: number, acc: Record<string, string>) => {
    const entries = dirEntries(dir);
    if (depth === LEVELS.length) {
      // year=*/<data file> below: count the source only if a file exists
      const has = entries.some((e) => e.isDirectory() && /^year=\d{4}$/.test(e.name) && fs.readdirSync(path.join(dir, e.name)).some(isDataFileName));
      if (has) out.push(acc as unknown as SourceKey);
      return;
    }
    const prefix = `${LEVELS[depth]}=`;
    for (const e of entries) {
      if (e.isDirectory() && e.name.startsWith(prefix)) walk(path.join(dir, e.name), depth + 1, { ...acc, [LEVELS[depth]!]: e.name.slice(prefix.length) });
    }
  };
  walk(barsRoot, 0, {});
  return out;
}

const PARTITION_LEVELS = ['timeframe', 'provider', 'feed', 'symbol', 'year'] as const;

/** Every data file of the Hive tree (the names readers' globs match; temp files start with a dot), sorted. */
export function listBarFiles(barsRoot: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    const entries = dirEntries(dir);
    for (const e of entries) {
      if (depth === PARTITION_LEVELS.length) {
        if (e.isFile() && e.name.endsWith('.parquet') && !e.name.startsWith('.')) out.push(path.join(dir, e.name));
      } else if (e.isDirectory() && e.name.startsWith(`${PARTITION_LEVELS[depth]}=`)) {
        walk(path.join(dir, e.name), depth + 1);
      }
    }
  };
  walk(barsRoot, 0);
  return out.sort();
}

/** SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * SQL of the instant (TIMESTAMPTZ) `ms` milliseconds after the epoch, for a per-row expression. Not
 * `epoch_ms(x)::TIMESTAMPTZ`: that builds a TIMESTAMP and converts it through the session's time zone with ICU, some
 * fifteen times slower per row (and right only while the session zone is UTC).
 */
export function instantSql(ms: string): string {
  return `make_timestamptz((${ms})::BIGINT * 1000)`;
}
