import type { PartFile } from './commit';

// Which files of a partition an automatic compaction merges (tiered, as LSM trees and Delta's OPTIMIZE bin-packing
// do): not the whole year each time, only what is small.
//
// The partition's largest file is its base (months of bars, written once); every other file is small: the sessions
// appended since the last compaction, and the one file earlier compactions merged them into (the tail). Past the
// threshold the small files are merged into one new tail and the base is left as it is; only when the tail would hold
// at least FOLD_RATIO of the base's rows is everything merged into one file (a fold). So a partition never holds more
// than the threshold's files (at most a base, a tail and the appends since), and the base is rewritten once every
// FOLD_RATIO x base / session sessions rather than at every compaction.
//
// Why a quarter: a tail merge rewrites the tail (up to FOLD_RATIO x base rows) every (threshold - 1) sessions, a fold
// rewrites the base every FOLD_RATIO x base / session sessions; the rows rewritten per appended session,
// about (1 + R) / R + R x base / (2 x (threshold - 1) x session), are least near R = sqrt(2 (threshold - 1) session / base):
// 0.24 for a year of 1m bars at a threshold of 8, 0.34 for half a year. Simulated over daily updates at 8
// (bench/lake-update.mjs measures the real cost): a partition growing from empty over a year rewrites 5.2 sessions
// an update at 0.25 (4.8 at 0.5, 7.4 at 0.125) against 15.9 when every compaction rewrites the partition; from a
// half-year base, 5.5 against 24.

/** A tail merge folds into the base instead once the small files hold at least this share of the base's rows. */
export const FOLD_RATIO = 0.25;

export interface CompactionPlan {
  /** `tail`: the small files merged into one, the base left alone; `fold`: every file merged into one */
  kind: 'tail' | 'fold';
  /** the files to merge */
  files: PartFile[];
}

/** The base: the file with the most rows (the earliest of equals). */
function baseOf(files: PartFile[]): PartFile {
  return files.reduce((b, f) => (f.rows > b.rows || (f.rows === b.rows && (f.minTs ?? 0) < (b.minTs ?? 0)) ? f : b));
}

/** What an automatic compaction merges when a partition holds `files`: nothing while they are `threshold` or fewer. */
export function planCompaction(files: PartFile[], threshold: number): CompactionPlan | null {
  if (files.length <= threshold || files.length < 2) return null;
  const base = baseOf(files);
  const small = files.filter((f) => f !== base);
  const smallRows = small.reduce((n, f) => n + f.rows, 0);
  if (small.length < 2 || smallRows >= FOLD_RATIO * base.rows) return { kind: 'fold', files };
  return { kind: 'tail', files: small };
}
