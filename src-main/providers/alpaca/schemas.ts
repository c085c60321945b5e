import { z } from 'zod';
import { ShortBarFieldsSchema } from '../barFields';

// Alpaca Market Data API v2 JSON, as far as the adapter reads it. Unknown fields are ignored (zod strips them), so a
// field Alpaca adds later breaks nothing; a field we read that changes type is a clear E_PROVIDER error instead.

export const AlpacaBarSchema = ShortBarFieldsSchema.extend({
  /** RFC 3339 bar start, e.g. 2024-01-02T14:30:00Z */
  t: z.string(),
});
export type AlpacaBar = z.infer<typeof AlpacaBarSchema>;

export const AlpacaBarsResponseSchema = z.object({
  /** keyed by symbol; symbols without bars are left out; some API versions send null for "none at all" */
  bars: z.record(z.string(), z.array(AlpacaBarSchema).nullable()).nullable().optional(),
  next_page_token: z.string().nullable().optional(),
});

/** {"code":40110000,"message":"request is not authorized"}, or just {"message":"..."} */
export const AlpacaErrorSchema = z.object({
  code: z.number().optional(),
  message: z.string().optional(),
});
