import { MpError } from './errors';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 365 * 86_400_000 };

/** The longest duration accepted: 100 years (anything longer cannot name a point in MarketPipe's data). */
export const MAX_DURATION_MS = 100 * UNITS.y!;

/** `30m`, `24h`, `7d`, `2w`, `2y` (365 days each) in milliseconds, at most 100 years; `option` names what was given, for the error. */
export function parseDuration(s: string, option: string): number {
  const m = /^(\d{1,12})(s|m|h|d|w|y)$/.exec(s.trim());
  const n = m ? Number(m[1]) * UNITS[m[2]!]! : NaN;
  if (!m || !(n > 0)) throw new MpError('E_BAD_INPUT', `${option} must be a duration like 30m, 24h or 7d: got "${s}"`);
  if (n > MAX_DURATION_MS) throw new MpError('E_BAD_INPUT', `${option} must be at most 100 years (36500d): got "${s}"`);
  return n;
}

/** The most buckets a per-bucket average may have (`since` / `avg`). */
export const MAX_BUCKETS = 100_000;

/** Refuses a bucket so small against `since` that the answer would hold more than MAX_BUCKETS points. */
export function checkBuckets(sinceMs: number, bucketMs: number, option: string): void {
  if (sinceMs / bucketMs > MAX_BUCKETS) throw new MpError('E_BAD_INPUT', `${option} is too small for that span: at most ${MAX_BUCKETS} buckets (choose a larger ${option} or a shorter since)`);
}
