import { MpError } from './errors';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30m`, `24h`, `7d`, `2w` in milliseconds; `option` names what was given, for the error. */
export function parseDuration(s: string, option: string): number {
  const m = /^(\d+)(s|m|h|d|w)$/.exec(s.trim());
  const n = m ? Number(m[1]) * UNITS[m[2]!]! : NaN;
  if (!m || !(n > 0)) throw new MpError('E_BAD_INPUT', `${option} must be a duration like 30m, 24h or 7d: got "${s}"`);
  return n;
}
