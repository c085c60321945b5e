// Errors are values with codes. Everything that crosses a boundary (contract, CLI, UI) carries an ErrorValue,
// never a bare string. Code inside the engine may throw MpError; the dispatcher and the CLI turn it into a value.
export const ERROR_CODES = [
  'E_BAD_INPUT',
  'E_NOT_FOUND',
  'E_CONFLICT',
  'E_PROVIDER',
  'E_PROVIDER_AUTH',
  'E_QUERY',
  'E_READ_ONLY',
  'E_TIMEOUT',
  /** a query stopped because the query engine's memory passed its ceiling (MP_QUERY_MEMORY_MB) */
  'E_QUERY_MEMORY',
  'E_CANCELLED',
  'E_INTERRUPTED',
  'E_DB',
  'E_MIGRATION',
  'E_FORBIDDEN',
  'E_IO',
  /** not enough free disk space for a write (the lake refuses before it writes anything) */
  'E_DISK_FULL',
  'E_INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorValue {
  code: ErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorValue };

export class MpError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MpError';
    this.code = code;
  }
  toValue(): ErrorValue {
    return { code: this.code, message: this.message };
  }
}

/** Turns anything thrown into an ErrorValue. Unknown errors keep only their first line: no stack traces across boundaries. */
export function toErrorValue(e: unknown): ErrorValue {
  if (e instanceof MpError) return e.toValue();
  if (e instanceof Error && e.name === 'AbortError') return { code: 'E_CANCELLED', message: 'cancelled' };
  const raw = e instanceof Error ? e.message : String(e);
  return { code: 'E_INTERNAL', message: firstLine(raw) };
}

export function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.trim().slice(0, 500);
}

/** CLI exit codes: 2 for input the user can fix (a refused write statement too), 130 for a cancelled run, 1 for any other runtime failure. */
export function exitCodeFor(code: ErrorCode): number {
  if (code === 'E_BAD_INPUT' || code === 'E_READ_ONLY') return 2;
  if (code === 'E_CANCELLED') return 130;
  return 1;
}
