import { z } from 'zod';

// The lake domain: the Parquet bars as a whole, and their catalog.

export const LakeStatusSchema = z.object({
  /** symbols with at least one session in the lake (any source) */
  symbols: z.number().int().nonnegative(),
  empty: z.boolean(),
});
export type LakeStatus = z.infer<typeof LakeStatusSchema>;

export const LAKE_PROBLEM_KINDS = ['missing', 'size', 'checksum', 'unreadable', 'schema', 'rows', 'foreign'] as const;

export const LakeVerifyArgSchema = z
  .object({
    /** presence and size only (what every start checks), no checksums or reads */
    quick: z.boolean().optional(),
  })
  .strict();

export const LakeVerifyResultSchema = z.object({
  ok: z.boolean(),
  /** catalogued files checked, and what they hold */
  files: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  problems: z.array(
    z.object({
      /** relative to the data dir */
      file: z.string(),
      kind: z.enum(LAKE_PROBLEM_KINDS),
      detail: z.string(),
    }),
  ),
  /**
   * The retained files (superseded ones, kept for `query --as-of`): present, size, checksum. A problem here breaks only
   * the as-of reads of the snapshots that held the file (first..last); the live lake is not affected.
   */
  retained: z.object({
    files: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    problems: z.array(
      z.object({
        /** relative to the data dir */
        file: z.string(),
        kind: z.enum(['missing', 'size', 'checksum']),
        detail: z.string(),
        snapshots: z.object({ first: z.number().int(), last: z.number().int() }),
      }),
    ),
  }),
});
export type LakeVerifyResult = z.infer<typeof LakeVerifyResultSchema>;

export const LakeRepairResultSchema = z.object({
  /** files moved to <data>/quarantine/ (paths relative to the data dir) */
  quarantined: z.array(z.object({ file: z.string(), to: z.string(), problem: z.string() })),
  /** derived timeframes rebuilt from their intact 1m bars */
  rebuilt: z.array(z.string()),
  /** commands that fetch again what the quarantined files held */
  actions: z.array(z.string()),
  /** what no command can restore (CSV-sourced bars) */
  lost: z.array(z.string()),
});
export type LakeRepairResult = z.infer<typeof LakeRepairResultSchema>;

export const LakeCompactResultSchema = z.object({
  /** partitions compacted (each had several files) */
  partitions: z.number().int().nonnegative(),
  filesBefore: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
  bytesBefore: z.number().int().nonnegative(),
  bytesAfter: z.number().int().nonnegative(),
});
export type LakeCompactResult = z.infer<typeof LakeCompactResultSchema>;

export const LakeVacuumArgSchema = z.object({ dryRun: z.boolean().optional() }).strict();
export const LakeVacuumResultSchema = z.object({
  dryRun: z.boolean(),
  retainDays: z.number().int().nonnegative(),
  /** superseded files removed (or that would be), relative to the data dir */
  files: z.array(z.object({ file: z.string(), bytes: z.number().int().nonnegative() })),
  bytes: z.number().int().nonnegative(),
  /** the oldest snapshot `query --as-of` can read afterwards */
  oldestSnapshot: z.object({ id: z.number().int(), at: z.string() }),
});
export type LakeVacuumResult = z.infer<typeof LakeVacuumResultSchema>;

export const lakeRequests = {
  /** Whether the lake holds any data, for the empty states. */
  'lake.status': { arg: z.object({}).strict(), result: LakeStatusSchema },
  /** Checks every catalogued file and every file of the tree against the catalog. */
  'lake.verify': { arg: LakeVerifyArgSchema, result: LakeVerifyResultSchema },
  /** Quarantines bad and foreign files, forgets their coverage, rebuilds what it can and says what to run for the rest. */
  'lake.repair': { arg: z.object({}).strict(), result: LakeRepairResultSchema },
  /** Merges every partition's files into one (identity-checked before each publish). */
  'lake.compact': { arg: z.object({}).strict(), result: LakeCompactResultSchema },
  /** Removes superseded files older than the retention (MP_RETAIN_DAYS); with dryRun only says which. */
  'lake.vacuum': { arg: LakeVacuumArgSchema, result: LakeVacuumResultSchema },
} as const;
