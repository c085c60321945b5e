import type { z } from 'zod';
import { ScopeObjectSchema, withOrderedDates } from '../contract/schemas';

export { ScopeObjectSchema };
/** Which bars a validation pass reads. Dates are exchange-local (New York), both inclusive. */
export const ScopeSchema = withOrderedDates(ScopeObjectSchema);
export type Scope = z.infer<typeof ScopeSchema>;
export type ScopeInput = z.input<typeof ScopeSchema>;
