import { z } from 'zod';

/**
 * The one-letter bar fields Alpaca and Polygon both send (open, high, low, close, volume; trade count and VWAP left
 * out for some bars, so optional). Each API adds its own `t`: Alpaca an RFC 3339 string, Polygon epoch milliseconds.
 */
export const ShortBarFieldsSchema = z.object({
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.number(),
  n: z.number().optional(),
  vw: z.number().optional(),
});
