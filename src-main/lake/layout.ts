import path from 'node:path';
import type { Timeframe } from '../contract/schemas';

// Hive layout: bars/timeframe=1m/symbol=AAPL/year=2024/data.parquet.
// One file per (timeframe, symbol, year): a year of 1-minute bars is ~98k rows, about one DuckDB row group, so reads
// are fast and a 500-symbol universe is 500 files a year rather than thousands of small ones. Partition columns are
// not stored inside the files (the Spark/Trino convention), so every Hive-aware reader sees them exactly once.
export const DATA_FILE = 'data.parquet';
export const TMP_SUFFIX = '.tmp';

export interface PartitionKey {
  timeframe: Timeframe;
  symbol: string;
  year: number;
}

export function partitionDir(barsRoot: string, k: PartitionKey): string {
  return path.join(barsRoot, `timeframe=${k.timeframe}`, `symbol=${k.symbol}`, `year=${k.year}`);
}

export function partitionFile(barsRoot: string, k: PartitionKey): string {
  return path.join(partitionDir(barsRoot, k), DATA_FILE);
}

/** A temp name no reader's glob (*.parquet) matches; carries the pid so a sweep knows whether its writer is alive. */
export function tempFileName(): string {
  return `.data.${process.pid}.${Math.random().toString(36).slice(2, 10)}.parquet${TMP_SUFFIX}`;
}

/** The glob every reader uses (DuckDB view, CLI, tests). */
export function barsGlob(barsRoot: string): string {
  return path.join(barsRoot, 'timeframe=*', 'symbol=*', 'year=*', '*.parquet');
}

export const HIVE_TYPES = `{'timeframe': VARCHAR, 'symbol': VARCHAR, 'year': INTEGER}`;

/** SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
