import { z } from 'zod';
import { IsoDateSchema, SymbolSchema, TimeframeSchema } from '../contract/schemas';

/** Which bars a validation (or aggregation) pass reads. Dates are exchange-local (New York), both inclusive. */
export const ScopeObjectSchema = z
  .object({
    symbols: z.array(SymbolSchema).max(100_000).optional(),
    start: IsoDateSchema.optional(),
    end: IsoDateSchema.optional(),
    provider: z.string().trim().min(1).max(32).optional(),
    feed: z.string().trim().min(1).max(32).optional(),
    timeframe: TimeframeSchema.optional(),
  })
  .strict();
export const ScopeSchema = ScopeObjectSchema.refine((s) => !s.start || !s.end || s.start <= s.end, { message: 'start is after end', path: ['start'] });
export type Scope = z.infer<typeof ScopeSchema>;
export type ScopeInput = z.input<typeof ScopeSchema>;
