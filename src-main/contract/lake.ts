import { z } from 'zod';

// The lake domain: the Parquet bars as a whole.

export const LakeStatusSchema = z.object({
  /** symbols with at least one session in the lake (any source) */
  symbols: z.number().int().nonnegative(),
  empty: z.boolean(),
});
export type LakeStatus = z.infer<typeof LakeStatusSchema>;

export const lakeRequests = {
  /** Whether the lake holds any data, for the empty states. */
  'lake.status': { arg: z.object({}).strict(), result: LakeStatusSchema },
} as const;
