import { create } from 'zustand';
import { DEFAULT_QUERY_TIMEOUT_S } from '../../../src-main/contract/query';

// The Settings page's "Query timeout": how long a query of the Query page may run before the engine stops it (0:
// never). Kept in this browser, like the display settings, and sent with every run.

const KEY = 'mp.query.timeoutSeconds';
export const MAX_QUERY_TIMEOUT_S = 86_400;

/** A whole number of seconds from 0 to a day, or undefined. */
export function parseTimeoutSeconds(raw: unknown): number | undefined {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  return Number.isSafeInteger(n) && n >= 0 && n <= MAX_QUERY_TIMEOUT_S ? n : undefined;
}

function stored(): number {
  try {
    return (typeof window !== 'undefined' ? parseTimeoutSeconds(window.localStorage.getItem(KEY)) : undefined) ?? DEFAULT_QUERY_TIMEOUT_S;
  } catch {
    return DEFAULT_QUERY_TIMEOUT_S;
  }
}

export const useQueryTimeout = create<{ seconds: number }>()(() => ({ seconds: stored() }));

/** Sets the timeout; false (and nothing changed) when the value is not a whole number of seconds from 0 to 86400. */
export function setQueryTimeout(raw: unknown): boolean {
  const seconds = parseTimeoutSeconds(raw);
  if (seconds === undefined) return false;
  try {
    if (typeof window !== 'undefined') window.localStorage.setItem(KEY, String(seconds));
  } catch {
    // storage full or denied: the setting still holds for this session
  }
  useQueryTimeout.setState({ seconds });
  return true;
}

/** "300 s", "no limit" */
export function timeoutLabel(seconds: number): string {
  return seconds === 0 ? 'no limit' : `limit ${seconds} s`;
}
