import { z } from 'zod';
import { ShortBarFieldsSchema } from '../barFields';

// Polygon.io (now Massive) aggregates JSON, as far as the adapter reads it. Unknown fields are stripped, so fields
// added later break nothing; a field we read that changes type becomes a clear E_PROVIDER error.

export const PolygonAggSchema = ShortBarFieldsSchema.extend({
  /** bar start, epoch milliseconds */
  t: z.number(),
});
export type PolygonAgg = z.infer<typeof PolygonAggSchema>;

export const PolygonAggsResponseSchema = z.object({
  /** "OK", or "DELAYED" when the plan only has delayed data for the range */
  status: z.string(),
  request_id: z.string().optional(),
  ticker: z.string().optional(),
  resultsCount: z.number().optional(),
  /** left out when there are no bars */
  results: z.array(PolygonAggSchema).nullable().optional(),
  /** absolute URL of the next page, without the apiKey */
  next_url: z.string().nullable().optional(),
  error: z.string().optional(),
  message: z.string().optional(),
});

/** {"status":"ERROR","request_id":"…","error":"…"} or {"status":"NOT_AUTHORIZED","request_id":"…","message":"…"} */
export const PolygonErrorSchema = z.object({
  status: z.string().optional(),
  request_id: z.string().optional(),
  error: z.string().optional(),
  message: z.string().optional(),
});

/** One ticker's daily bar in the grouped daily answer (`t` is an instant of that day: Polygon stamps the close). */
export const PolygonGroupedBarSchema = PolygonAggSchema.extend({ T: z.string() });
export type PolygonGroupedBar = z.infer<typeof PolygonGroupedBarSchema>;

/** GET /v2/aggs/grouped/locale/us/market/stocks/{date}: every ticker's bar of one day, in one answer (no pages). */
export const PolygonGroupedResponseSchema = z.object({
  status: z.string(),
  resultsCount: z.number().optional(),
  results: z.array(PolygonGroupedBarSchema).nullable().optional(),
  error: z.string().optional(),
  message: z.string().optional(),
});
