import { describe, expect, it } from 'vitest';
import type { PartFile } from './commit';
import { FOLD_RATIO, planCompaction } from './tiers';

// The rule that picks what an automatic compaction merges, over the files' catalog rows alone.

const DAY = 86_400_000;
/** A file of `sessions` sessions of 390 bars starting on day d. */
const file = (name: string, d: number, sessions: number): PartFile => ({ file: name, rows: sessions * 390, minTs: d * DAY, maxTs: (d + sessions) * DAY - 1, bytes: sessions * 10_000 });
const names = (files: PartFile[] | undefined) => (files ?? []).map((f) => f.file).sort();

describe('planCompaction', () => {
  it('merges nothing while the partition holds the threshold or fewer files', () => {
    const files = [file('base', 0, 120), ...Array.from({ length: 7 }, (_, i) => file(`a${i}`, 120 + i, 1))];
    expect(planCompaction(files, 8)).toBeNull();
    expect(planCompaction([file('one', 0, 1)], 0)).toBeNull();
  });

  it('past the threshold, merges the small files only and leaves the base (the largest file) as it is', () => {
    const files = [file('tail', 120, 14), file('base', 0, 120), ...Array.from({ length: 7 }, (_, i) => file(`a${i}`, 134 + i, 1))];
    const plan = planCompaction(files, 8);
    expect(plan?.kind).toBe('tail');
    expect(names(plan?.files)).toEqual(names(files.filter((f) => f.file !== 'base')));
  });

  it('folds everything into one file once the small files hold a quarter of the base', () => {
    // 22 + 7 sessions against 120: 29 >= 30 is false, a tail merge; 23 + 7 = 30 >= 30, a fold
    const appended = Array.from({ length: 7 }, (_, i) => file(`a${i}`, 150 + i, 1));
    expect(planCompaction([file('base', 0, 120), file('tail', 120, 22), ...appended], 8)?.kind).toBe('tail');
    const plan = planCompaction([file('base', 0, 120), file('tail', 120, 23), ...appended], 8);
    expect(FOLD_RATIO * 120).toBe(30);
    expect(plan).toMatchObject({ kind: 'fold' });
    expect(plan?.files).toHaveLength(9);
  });

  it('a young partition (one-session files only) folds: its base is no larger than the rest', () => {
    const files = Array.from({ length: 9 }, (_, i) => file(`d${i}`, i, 1));
    expect(planCompaction(files, 8)).toMatchObject({ kind: 'fold', files });
  });

  it('at a threshold of 1, a base and one other file fold (merging one file alone would change nothing)', () => {
    expect(planCompaction([file('base', 0, 120), file('a', 120, 1)], 1)).toMatchObject({ kind: 'fold' });
  });
});
