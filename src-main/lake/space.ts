import fs from 'node:fs';
import path from 'node:path';
import { MpError } from '../shared/errors';

/** Bytes free for this process under a folder (the file system's available blocks). Injected in tests. */
export type FreeSpaceProbe = (dir: string) => number;

export const statfsProbe: FreeSpaceProbe = (dir) => {
  // the folder a write creates may not exist yet: its nearest existing parent is on the same file system
  let d = path.resolve(dir);
  while (!fs.existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  const s = fs.statfsSync(d);
  return s.bavail * s.bsize;
};

/**
 * What a write or a compaction leaves free at least, beyond its own estimate: SQLite's journal, DuckDB's spill files
 * and the rest of the system need room too, and a file system that fills up mid-COPY leaves a torn temp file.
 */
export const FREE_SPACE_MARGIN = 256 * 1024 * 1024;

/** Parquet bytes per bar, a generous bound (zstd files hold ~20; DuckDB's COPY buffers a row group before it writes). */
export const BYTES_PER_BAR_ESTIMATE = 64;

const mb = (n: number) => `${Math.ceil(n / 1048576)} MB`;

/** Refuses (E_DISK_FULL, one line) when `dir` has less free than `need` plus the margin; nothing has changed by then. */
export function ensureFreeSpace(probe: FreeSpaceProbe, dir: string, need: number, what: string): void {
  const free = probe(dir);
  if (free < need + FREE_SPACE_MARGIN) {
    throw new MpError('E_DISK_FULL', `not enough free space for ${what}: it needs about ${mb(need)} plus a ${mb(FREE_SPACE_MARGIN)} margin, ${mb(free)} free under ${dir}`);
  }
}
